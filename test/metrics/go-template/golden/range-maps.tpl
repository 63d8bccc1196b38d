{{- range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}
{{ range $k, $v := .empty }}never{{ else }}empty map{{ end }}
{{ range .m }}[{{ . }}]{{ end }}
{{ range $v := .m }}<{{ $v }}>{{ end }}
{{ range $k, $v := .missing }}x{{ else }}missing map{{ end }}
{{ range $i, $x := .list }}{{ $i }}:{{ $x }} {{ end }}
{{ range .nested }}{{ .name }}/{{ .n }} {{ end }}
{{ $last := "" }}{{ range $k, $_ := .m }}{{ $last = $k }}{{ end }}last={{ $last }}