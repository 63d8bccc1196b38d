big={{ .big }} huge={{ .huge }} tiny={{ .tiny }} p={{ .p }} three={{ .three }} fifty={{ .fifty }}
nine={{ .nine }} six={{ .six }} seven={{ .seven }} neg={{ .neg }} negzero={{ .negzero }} frac={{ .frac }}
e20={{ .e20 }} small={{ .small }} pi={{ .pi }} third={{ .third }} maxsafe={{ .maxsafe }} elapsed={{ .elapsedTimeSeconds }}
list={{ .list }} map={{ .map }}
print={{ print .big .three "x" .tiny }} println={{ println .big .p }}