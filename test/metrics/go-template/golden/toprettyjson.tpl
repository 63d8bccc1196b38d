{{ toPrettyJson .v }}
{{ toPrettyJson (list) }} {{ toPrettyJson (dict) }} {{ toPrettyJson "x<y" }}
{{ .v | toPrettyJson | indent 2 }}