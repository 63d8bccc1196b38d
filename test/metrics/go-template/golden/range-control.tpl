{{ range $i, $v := .list }}{{ if eq $v "skip" }}{{ continue }}{{ end }}{{ if eq $v "stop" }}{{ break }}{{ end }}{{ $i }}={{ $v }} {{ end }}
{{ range .list }}{{ range $.inner }}{{ . }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ end }};{{ end }}
{{ range .nothing }}x{{ else }}else-branch{{ end }}
{{ range (list) }}x{{ else }}empty list{{ end }}