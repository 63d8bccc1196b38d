{{ if .a }}A{{ else if .b }}B{{ else if .c }}C{{ else }}none{{ end }}
{{ if not .a }}{{ with .c }}c={{ . }}{{ else }}no-c{{ end }}{{ end }}
{{ with $x := .c }}{{ $x }}{{ . }}{{ end }}
{{ with .obj }}{{ .name }}-{{ $.c }}{{ end }}
{{ if and .b .c }}both{{ else }}not both{{ end }}