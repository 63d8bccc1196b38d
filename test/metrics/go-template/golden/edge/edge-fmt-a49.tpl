{{- /* only comment */ -}}

  {{- "x" -}}  
{{ "y" }}{{- "" }}   {{ end }}