{{ printf "%s|%v|%d|%f|%.2f|%g|%q|%t|%x|%%|%X" "str" .f .i .f .f .f "q\"uote" true 255 "hi" }}
{{ printf "[%5d][%-5d][%05d][%+d][%x][%o][%b][%c][%U][%q]" .i .i .i .i .i .i .i 65 65 65 }}
{{ printf "[%8.3f][%-8.2f][%08.3f][%+.1f][% .2f][%e][%E][%.3e][%G]" .f .f .f .f .f .f .f .f .big }}
{{ printf "[%10s][%-10s][%.2s][%q][%x][% x][%#x][%X]" "abc" "abc" "abc" "tab\t" "hey" "hey" "hey" "hey" }}
{{ printf "%v %v %v %v %v" .list .map .nilv true .i }}
{{ printf "%.0f %.0f %.0f %.0f %.1f %.2f %.3f" 0.5 1.5 2.5 -0.5 0.25 1.005 2.0005 }}
{{ printf "%g %g %g %g %.3g %.10g %g" 1e6 1e-5 100000.0 123456789.0 3.14159 3.14159 0.0 }}
{{ printf "%6.2f%%" 99.5 }} {{ printf "%d items" (len .list) }} {{ printf "%T %T %T %T %T" .f .i .list .map nil }}
{{ printf "%[2]s %[1]s %s" "a" "b" }} {{ printf "%*d|%-*d|%.*f" 5 1 5 2 2 3.14159 }}