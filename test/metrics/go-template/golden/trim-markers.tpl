A  
  {{- .a -}}  
  B
{{ .a -}}

   C{{- .a }}	D
{{- /* comment */ -}}
  E {{/* kept */}} F
	{{- "x" }}  {{- "y" -}}  

{{ "z" }}
{{- if true -}}
   inside
{{- end -}}
  end
{{-3}} {{ -3 }}{{- 4 -}}
