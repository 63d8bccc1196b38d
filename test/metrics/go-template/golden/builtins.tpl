{{ html "<a href='x'>&\"</a>" }} {{ js "it's \"q\" <b> = &" }} {{ urlquery "a b&c=d/é" }} {{ html 1 "x" }}
{{ print "a" "b" 1 2 "c" 3.5 }} {{ println "x" 1 }}{{ len .l }} {{ len .m }} {{ len "abc" }} {{ index .m "k" }} {{ index "abc" 1 }} {{ typeOf (index "abc" 1) }}
{{ index .l 0 }} {{ (index .l 2).x }} {{ slice .l 1 }} {{ not true }} {{ print nil }} {{ print .missing }}