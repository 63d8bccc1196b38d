a={{ .missing }} b={{ .present.missing }} c={{ .missing.deeper }} d={{ .nullv }}
e={{ .missing | default "dflt" }} f={{ default "d2" .nullv }} g={{ default "d3" .empty }} h={{ default "d4" .zero }} i={{ default "d5" .present.x }}
j={{ index .present "x" }} k={{ index .present "nokey" }} l={{ len .present }} m={{ print .missing }} n={{ printf "%v" .missing }}
o={{ if .missing }}yes{{ else }}no{{ end }} p={{ with .missing }}w{{ else }}nowith{{ end }} q={{ hasKey .present "x" }} r={{ get .present "nokey" }}
s={{ empty .missing }} t={{ kindOf .missing }} u={{ typeOf .missing }} v={{ .present.x }} w={{ coalesce .missing .nullv "" "first" }}
x={{ html .missing }} y={{ toYaml .missing }} z={{ toJson .missing }}