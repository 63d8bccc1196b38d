{{ printf
  "%s"
  .x
  }}{{ .y
