#!/usr/bin/env bash
# The brook tool end to end on a data directory: create, put from stdin,
# tail in each output form and across a split, describe, lag, backup,
# verify (sound and damaged), restore, and the exit codes of misuse.
set -uo pipefail
brook=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BROOK_DATA_DIR=$work/data
failures=0
passes=0

check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    echo "ok: $1"
    passes=$((passes + 1))
  else
    echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
    failures=$((failures + 1))
  fi
}

"$brook" create orders --shard-count 2 || exit 1
printf 'k1:one\nk2:two\nk1:three\n' | "$brook" put orders -K : || exit 1
check "tail prints each key's records in put order" "one three" \
  "$("$brook" tail orders -f '%k=%s\n' | grep '^k1=' | cut -d= -f2 | xargs)"
check "tail --count stops early" "1" "$("$brook" tail orders -c 1 | wc -l)"
check "tail json carries key and shard" "k2" \
  "$("$brook" tail orders --output json | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["data"] == "two": print(r["partition_key"])')"
check "hex output" "74776f" \
  "$("$brook" tail orders --output hex | grep -x 74776f)"
seqs=$(printf 'x\ny\n' | "$brook" put orders -k same --print-sequence-numbers)
check "put reports a sequence number per record" "2" "$(echo "$seqs" | wc -l)"
first_seq=$(echo "$seqs" | head -1 | cut -f2)
shard=$(echo "$seqs" | head -1 | cut -f1)
check "tail after a sequence number" "y" \
  "$("$brook" tail orders --shard-id "$shard" \
     --shard-iterator-type AFTER_SEQUENCE_NUMBER \
     --starting-sequence-number "$first_seq")"

# A split: children are read after their parent, so a key keeps its order.
"$brook" reshard orders --target-shard-count 4 || exit 1
printf 'k1:four\n' | "$brook" put orders -K : || exit 1
check "tail follows the lineage" "one three four" \
  "$("$brook" tail orders -f '%k=%s\n' | grep '^k1=' | cut -d= -f2 | xargs)"
check "describe lists parents" "4" \
  "$("$brook" streams orders --output json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for s in d["Shards"] if "ParentShardId" in s))')"
check "lag counts every record without a checkpoint" "6" \
  "$("$brook" lag orders -a app --output json | python3 -c '
import json, sys
print(sum(json.loads(l)["records_behind"] for l in sys.stdin))')"

"$brook" -q backup "$work/backup" > /dev/null || exit 1
"$brook" verify "$work/backup" > /dev/null
check "a backup verifies" "0" "$?"
"$brook" restore "$work/backup" "$work/restored" > /dev/null || exit 1
check "a restored copy holds every record" "6" \
  "$("$brook" --data-dir "$work/restored" tail orders | wc -l)"
"$brook" restore "$work/backup" "$work/restored" > /dev/null 2>&1
check "restore over a data directory is refused" "2" "$?"

# Damage: cut the largest table or blob file of the restored copy in half
# (not of the backup: on one file system it shares its files, hard-linked,
# with the original).
victim=$(ls -S "$work"/restored/db/*.sst "$work"/restored/db/*.blob \
         2>/dev/null | head -1)
truncate -s $(($(stat -c %s "$victim") / 2)) "$victim"
"$brook" verify "$work/restored" > "$work/verify.out" 2>&1
check "verify exits 3 on damage" "3" "$?"

"$brook" tail > /dev/null 2>&1
check "a missing argument is a usage error" "2" "$?"
"$brook" tail orders --shard-iterator-type NOWHERE > /dev/null 2>&1
check "a bad iterator type is a usage error" "2" "$?"
"$brook" --data-dir "$work/none" streams > /dev/null 2>&1
check "a missing data directory fails" "1" "$?"
for command in streams create delete reshard put tail lag verify backup \
               restore; do
  "$brook" "$command" --help > /dev/null
  check "$command --help" "0" "$?"
done

echo "$passes passed, $failures failed"
exit $((failures > 0))
