{{ printf
  "%s-%s"
  .x
  .y }}