{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}
{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}
{{ regexReplaceAll "(?P<first>\\w+) (?P<last>\\w+)" "John Smith" "$last, $first" }}
{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}
{{ regexReplaceAll "a*" "baaac" "-" }} {{ regexReplaceAll "x*" "abc" "-" }} {{ regexReplaceAll "" "abc" "." }}
{{ regexFindAll "[0-9]+" "a1b22c333" -1 }} {{ regexFindAll "[0-9]+" "a1b22c333" 2 }} {{ regexFindAll "z" "abc" -1 }}
{{ regexFind "[a-z]+\\d" "123abc4def5" }} {{ regexMatch "^v[0-9]+$" "v12" }} {{ regexMatch "^v[0-9]+$" "v12x" }} {{ regexMatch "(" "x" }}
{{ regexSplit "\\s*,\\s*" "a , b,c ,d" -1 }} {{ regexSplit "," "a,b,c" 2 }} {{ regexSplit "x*" "axbc" -1 }} {{ regexSplit "," "" -1 }}
{{ regexReplaceAll "\\s+" "a \t\n b" "_" }} {{ regexReplaceAll "(?i)HELLO" "hello Hello" "bye" }} {{ regexReplaceAll "." "a\nb" "X" }} {{ regexReplaceAll "(?s)." "a\nb" "X" }}
{{ regexReplaceAll "^\\w" "ab\ncd" "X" }} {{ regexReplaceAll "(?m)^\\w" "ab\ncd" "X" }} {{ regexReplaceAll "[[:digit:]]+" "a12b3" "#" }} {{ regexReplaceAll "\\pL+" "héllo wörld 42" "W" }}
{{ regexReplaceAll "(a)(b)?" "ab a" "[$2|$1|$3|$$]" }} {{ regexReplaceAll "(\\d+)" "v1.22" "$1x" }} {{ regexReplaceAll "(\\d+)" "v1.22" "${1}x" }}
{{ regexQuoteMeta "1.5*[x]" }}