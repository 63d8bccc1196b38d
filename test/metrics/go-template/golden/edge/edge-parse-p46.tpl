{{ printf "%d"
 1
 }}{{ end }}