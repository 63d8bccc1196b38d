{{ template "t" .x }}{{ define "t" }}
  {{ .y.z }}{{ end }}