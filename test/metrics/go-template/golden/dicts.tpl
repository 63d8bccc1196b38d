{{ $d := dict "b" 2 "a" 1 "c" }}{{ $d }} {{ get $d "a" }} [{{ get $d "zz" }}] {{ hasKey $d "c" }} {{ keys $d | sortAlpha }} {{ values $d | toJson | len }}
{{ $_ := set $d "z" 26 }}{{ $d }} {{ unset $d "b" }} {{ pluck "a" $d (dict "a" "second") (dict "x" 1) }}
{{ pick .m "x" "nope" }} {{ omit .m "x" }} {{ dig "outer" "inner" "dflt" .m }} {{ dig "outer" "nope" "dflt" .m }}
{{ (dict "k" (dict "n" 5)).k.n }} {{ $d.a }} {{ kindOf $d }} {{ typeOf $d }} {{ deepCopy .m }}