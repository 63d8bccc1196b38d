{{ range .v }}{{ printf "%v|%g|%e|%f|%.3g" . . . . . }}
{{ end }}