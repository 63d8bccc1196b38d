{{ add 1 2 3 }} {{ add 1.9 2.9 }} {{ sub 10 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 5 3 }} {{ min 4 2 8 }} {{ add1 .f }}
{{ floor 2.7 }} {{ ceil 2.1 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round -2.5 0 }} {{ round 1234.5678 -2 }} {{ maxf 1.5 2 }} {{ minf 1.5 2 }}
{{ int 3.9 }} {{ int "42" }} {{ int "4.0" }} {{ int "0x10" }} {{ int "abc" }} {{ int64 -2.7 }} {{ float64 "2.5" }} {{ float64 3 }} {{ atoi "12" }} {{ atoi "1.5" }}
{{ typeOf (add 1 2) }} {{ typeOf (int 2) }} {{ typeOf (float64 1) }} {{ typeOf (atoi "1") }} {{ typeOf (floor 1.5) }} {{ typeOf (len "x") }}
{{ add .elapsedTimeSeconds 30 }} {{ div .elapsedTimeSeconds 60 }} {{ mul .f 2 }} {{ add "5" 5 }} {{ add true nil }}