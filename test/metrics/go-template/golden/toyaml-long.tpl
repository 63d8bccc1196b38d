{{ toYaml .v }}
{{ toYaml .v.plain }}