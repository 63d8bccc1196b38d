{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ eq .f 50.0 }} {{ ne .s "x" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}
{{ eq .missing nil }} {{ eq .missing "x" }} {{ eq "x" .missing }} {{ lt .f 100.0 }} {{ eq .elapsedTimeSeconds 30 }} {{ gt .elapsedTimeSeconds 10 }}
{{ eq (len .l) 2 }} {{ eq .b true }} {{ not .b }} {{ not "" }} {{ not 0 }} {{ not .l }}