{{- define "labels"}}{{- range $key, $val := .labels }}
{{- fail (printf "%s :%s" $key $val) }}{{ end }}{{ end }}{{ template "labels" . }}