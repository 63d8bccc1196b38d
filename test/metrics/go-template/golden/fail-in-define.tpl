{{ define "check" }}
  {{- if .bad }}{{ fail (printf "bad value: %v" .bad) }}{{ end -}}
{{ end -}}
start {{ template "check" . }} end