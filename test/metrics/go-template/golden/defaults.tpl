{{ default "d" "" }} {{ default "d" "v" }} {{ default 5 0 }} {{ default "d" false }} {{ default "d" (list) }} {{ default "d" (dict) }} {{ default "d" .l }} {{ default "d" }}
{{ empty "" }} {{ empty 0 }} {{ empty 0.0 }} {{ empty .l }} {{ empty .m }} {{ empty false }} {{ empty "x" }} {{ empty .elapsedTimeSeconds }}
{{ coalesce "" 0 "c" }} {{ coalesce 0 "" }} {{ ternary "yes" "no" true }} {{ ternary "yes" "no" (eq 1 2) }} {{ true | ternary "T" "F" }}
{{ all 1 "a" true }} {{ all 1 "" }} {{ any 0 "" nil }} {{ any 0 "x" }}