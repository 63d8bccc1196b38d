{{ upper "héllo" }} {{ lower "ÀBC" }} {{ title "hello wORLD foo_bar x-y" }} {{ untitle "Hello World" }}
[{{ trim "  \t x y \n " }}] [{{ trimAll "$-" "$-$a-b$" }}] [{{ trimPrefix "pre" "prefix" }}] [{{ trimSuffix "fix" "prefix" }}]
{{ replace "a" "b" "banana" }} {{ replace "" "-" "abc" }} {{ contains "an" "banana" }} {{ hasPrefix "ba" "banana" }} {{ hasSuffix "na" "banana" }}
{{ repeat 3 "ab" }} {{ substr 1 3 "hello" }} {{ substr -1 3 "hello" }} {{ substr 2 99 "hello" }} {{ trunc 3 "hello" }} {{ trunc -2 "hello" }} {{ trunc 10 "hi" }}
{{ nospace " a b\tc\n" }} [{{ indent 2 "a\nb" }}] [{{ nindent 4 "x\ny" }}]
{{ quote "a\"b" 1 .missing }} {{ squote "x" 2.5 }} {{ cat "a" 1 .missing "b" }} {{ "piped" | quote }} {{ quote "tab\t" "é" }}
{{ toString 1.5 }} {{ toString .l }} {{ plural "one" "many" 1 }} {{ plural "one" "many" (len .l) }} {{ len "héllo" }}
{{ splitList "," "a,b,,c" }} {{ (split "." "a.b.c")._1 }} {{ split "/" "x/y" }} {{ join "-" .l }} {{ join ", " (list "a" 1 .missing 2.5) }} {{ sortAlpha (list "b" "a" "C" "10" "9") }}
{{ b64enc "hello world" }} {{ b64dec "aGVsbG8gd29ybGQ=" }} {{ b64dec "!!" }} {{ sha256sum "abc" }} {{ sha1sum "abc" }} {{ adler32sum "abc" }}
{{ "x" | repeat 2 | upper }} {{ printf "%s-%s" "a" | printf "%s+" }}