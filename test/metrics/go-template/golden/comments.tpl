a{{/* c1 */}}b
{{- /* c2
multiline */}}
c {{- /* c3 */ -}} d
{{/* c4 */ -}}
   e
