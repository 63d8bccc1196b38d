a
{{ end }}