# Sourced by the brook tool's end-to-end tests: the commands that work the
# same on a data directory and on an endpoint. The caller defines `brook`
# (the tool, pointed at one or the other) and sources checks.sh.
# Leaves stream "orders" with 6 records across a split and a merge.
stream_checks() {
  brook create orders --shard-count 2 || exit 1
  printf 'k1:one\nk2:two\nk1:three\n' | brook put orders -K : || exit 1
  check "tail prints each key's records in put order" "one three" \
    "$(brook tail orders -f '%k=%s\n' | grep '^k1=' | cut -d= -f2 | xargs)"
  check "tail --count stops early" "1" "$(brook tail orders -c 1 | wc -l)"
  check "tail json carries key and shard" "k2" \
    "$(brook tail orders --output json | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["data"] == "two": print(r["partition_key"])')"
  check "hex output" "74776f" \
    "$(brook tail orders --output hex | grep -x 74776f)"
  local seqs first_seq shard
  seqs=$(printf 'x\ny\n' | brook put orders -k same --print-sequence-numbers)
  check "put reports a sequence number per record" "2" \
    "$(echo "$seqs" | wc -l)"
  first_seq=$(echo "$seqs" | head -1 | cut -f2)
  shard=$(echo "$seqs" | head -1 | cut -f1)
  check "tail after a sequence number" "y" \
    "$(brook tail orders --shard-id "$shard" \
       --shard-iterator-type AFTER_SEQUENCE_NUMBER \
       --starting-sequence-number "$first_seq")"

  # A split: children are read after their parent, so a key keeps its order.
  brook reshard orders --target-shard-count 4 || exit 1
  printf 'k1:four\n' | brook put orders -K : || exit 1
  check "tail follows the lineage" "one three four" \
    "$(brook tail orders -f '%k=%s\n' | grep '^k1=' | cut -d= -f2 | xargs)"
  check "describe lists parents" "4" \
    "$(brook streams orders --output json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for s in d["Shards"] if "ParentShardId" in s))')"
  # A merge of the two lowest open shards: a child with two parents.
  brook reshard orders --merge-shards $(brook streams orders --output json |
    python3 -c '
import json, sys
shards = [s for s in json.load(sys.stdin)["Shards"]
          if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
shards.sort(key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
print(shards[0]["ShardId"], shards[1]["ShardId"])') > /dev/null || exit 1
  # The last shard ends at 2^128-1, a key of 39 digits; the merge's child
  # names two parents.
  check "describe's columns line up for the largest hash keys and a merge" \
    "aligned" \
    "$(brook streams orders | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
header = next(l for l in lines if l.startswith("SHARD "))
rows = [l for l in lines if l.startswith("shardId-")]
ok = rows and any("+" in r for r in rows)
for name in ("PARENTS", "FIRST SEQUENCE NUMBER"):
    column = header.index(name)
    ok = ok and all(r[column - 1] == " " and r[column] != " " for r in rows)
print("aligned" if ok else "\n".join([header] + rows))')"
  check "streams lists the stream" "orders ACTIVE PROVISIONED NONE" \
    "$(brook streams | awk '$1 == "orders" {print $1, $2, $3, $7}')"
  check "describe names mode and encryption as Kinesis does" \
    "PROVISIONED NONE" \
    "$(brook streams orders --output json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["StreamModeDetails"]["StreamMode"], d["EncryptionType"])')"
  check "lag counts every record without a checkpoint" "6" \
    "$(brook lag orders -a app --output json | python3 -c '
import json, sys
print(sum(json.loads(l)["records_behind"] for l in sys.stdin))')"
  # Milliseconds behind: from the first unread record to the newest one.
  brook create gapped --shard-count 1 || exit 1
  printf 'first\n' | brook put gapped -k k || exit 1
  sleep 1.2
  printf 'second\nthird\n' | brook put gapped -k k || exit 1
  check "lag is the time from the first unread record to the newest" "1" \
    "$(brook lag gapped -a app --output json | python3 -c '
import json, sys
print(int(json.loads(sys.stdin.readline())["millis_behind_latest"] >= 1000))')"
  check "lag stops counting at --max-count" "2 True" \
    "$(brook lag gapped -a app --max-count 2 --output json | python3 -c '
import json, sys
line = json.loads(sys.stdin.readline())
print(line["records_behind"], line["records_behind_at_least"])')"
}
