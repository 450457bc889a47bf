# Sourced by the brook tool's end-to-end tests: check NAME EXPECTED ACTUAL
# records a pass or a failure; finish_checks prints the tally and exits
# non-zero on any failure.
failures=0
passes=0

check() {
  if [[ "$2" == "$3" ]]; then
    echo "ok: $1"
    passes=$((passes + 1))
  else
    echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
    failures=$((failures + 1))
  fi
}

finish_checks() {
  echo "$passes passed, $failures failed"
  exit $((failures > 0))
}
