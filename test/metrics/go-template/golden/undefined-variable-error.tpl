line1
{{ $nope }}