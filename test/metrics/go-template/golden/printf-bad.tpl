{{ printf "%s %s" "one" }}
{{ printf "%s" "one" "two" 3 }}
{{ printf "%d %s %f %t" "str" 1.5 "x" 3 }}
{{ printf "%s" .map }}
{{ printf "%d" .list }}
{{ printf "%s" .missing }} {{ printf "%d" nil }} {{ printf "%v" .missing }}
{{ printf "%!" 1 }} {{ printf "%z" 1 }} {{ printf "trailing %" }} {{ printf "%[5]d" 1 }} {{ printf "no verbs" 1 2 }}
{{ printf "%s :%s" "key" .map }}