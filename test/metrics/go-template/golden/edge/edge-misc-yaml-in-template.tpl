spec:
{{ toYaml .spec | indent 2 }}
list:
{{- range .items }}
- {{ . | quote }}
{{- end }}