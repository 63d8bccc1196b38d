line one
  {{ fail "stop here" }}