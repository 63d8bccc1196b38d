{{ list 1 "a" 2.5 nil }} {{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }}
{{ concat .l (list "z") (list) }} {{ uniq (list 1 1 2 "1" 2.0) }} {{ without .l "b" }} {{ has "b" .l }} {{ has "q" .l }} {{ reverse .l }}
{{ first (list) }} {{ rest (list) }} {{ last .empty }} {{ compact (list 0 1 "" "a" nil false) }} {{ slice .l 1 }} {{ slice .l 1 2 }} {{ slice .l }}
{{ until 3 }} {{ untilStep 0 10 4 }} {{ chunk 2 (list 1 2 3 4 5) }} {{ len (list) }} {{ index .l 1 }} {{ index .nested 1 0 }} {{ typeOf (list) }} {{ typeOf (splitList "," "a") }}
{{ range $i, $e := until 3 }}{{ $i }}{{ $e }}{{ end }} {{ tuple 1 2 }} {{ kindOf (until 2) }} {{ typeOf (until 2) }}