# Sourced by the brook_bench tests: expect JSON EXPRESSION checks a
# brook_bench JSON line with a Python expression over `d`, failing the test
# with both if it is false.
expect() {
  /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
if not eval(sys.argv[2]):
    sys.exit("expected " + sys.argv[2] + " in " + sys.argv[1])
' "$1" "$2"
}
