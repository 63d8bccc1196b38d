{{ toYaml .v }}
---
{{ toYaml .v.list }}
---
{{ .v | toYaml | nindent 4 }}
---
[{{ toYaml "plain" }}][{{ toYaml 5 }}][{{ toYaml .v.f }}][{{ toYaml nil }}][{{ toYaml (list) }}][{{ toYaml (dict) }}][{{ toYaml true }}]