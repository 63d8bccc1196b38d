{{ if .x }}
yes
