{{ define "greet" }}Hello {{ . }}!{{ end -}}
{{ define "item" }}[{{ .name }}:{{ .v | default "none" }}]{{ end -}}
{{ template "greet" "world" }} {{ template "greet" }} {{ template "greet" .name }}
{{ range .items }}{{ template "item" . }}{{ end }}
{{ block "footer" .name }}footer for {{ . }}{{ end }}
{{ template "footer" "again" }}