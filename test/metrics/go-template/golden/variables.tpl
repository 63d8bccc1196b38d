{{ $x := 1 }}{{ $y := "s" }}{{ $x }} {{ $y }}
{{ $x = 2 }}{{ $x }}
{{ if true }}{{ $x = 3 }}{{ $z := "inner" }}{{ $z }}{{ end }} {{ $x }}
{{ range $i, $e := .list }}{{ $x = $e }}{{ end }}{{ $x }}
{{ $m := dict "k" "v" }}{{ $m.k }} {{ $.top }} {{ $ := 5 }}{{ $ }}
{{ with $w := .top }}{{ $w }}{{ end }}