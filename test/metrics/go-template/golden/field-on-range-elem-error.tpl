{{ range .list }}
{{ .x }}
{{ end }}