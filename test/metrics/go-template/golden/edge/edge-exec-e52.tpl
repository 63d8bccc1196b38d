a
  b {{ fail "multi\nline" }}