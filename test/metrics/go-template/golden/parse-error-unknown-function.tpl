ok
{{ frobnicate 1 }}