#!/usr/bin/env bash
# The brook tool end to end on a data directory: create, put from stdin,
# tail in each output form and across a split, describe and lag
# (stream_checks.sh), then backup, verify (sound and damaged), restore, and
# the exit codes of misuse.
set -uo pipefail
brook_bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BROOK_DATA_DIR=$work/data
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KINESIS
source "$(dirname "$0")/checks.sh"
source "$(dirname "$0")/stream_checks.sh"
brook() { "$brook_bin" "$@"; }

stream_checks

brook -q backup "$work/backup" > "$work/backup.out" || exit 1
check "backup says the copy is not verified" \
  "not verified: run brook verify $work/backup" \
  "$(tail -1 "$work/backup.out")"
brook verify "$work/backup" > /dev/null
check "a backup verifies" "0" "$?"
# backup can use no endpoint, so one in the environment is no conflict.
AWS_ENDPOINT_URL=http://127.0.0.1:9 brook -q backup "$work/backup_env" \
  > /dev/null
check "backup ignores an endpoint in the environment" "0" "$?"
backup_err="$(env -u BROOK_DATA_DIR AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  "$brook_bin" backup "$work/backup_none" 2>&1 > /dev/null)"
check "backup without a directory is a usage error" "2" "$?"
check "backup without a directory asks for one, not an endpoint" "1 0" \
  "$(grep -c 'backup works on a data directory' <<< "$backup_err") \
$(grep -c 'endpoint' <<< "$backup_err")"
brook restore "$work/backup" "$work/restored" > /dev/null || exit 1
check "a restored copy holds every record" "6" \
  "$(brook --data-dir "$work/restored" tail orders | wc -l)"
brook restore "$work/backup" "$work/restored" > /dev/null 2>&1
check "restore over a data directory is refused" "2" "$?"
# Verify and restore only read: they take the directory's lock without
# creating the LOCK file a Broker leaves.
check "verify and restore create no file in a backup" "" \
  "$(ls "$work/backup" | grep -vx -e BROOK -e db)"

# verify takes its directory as every command does: from --data-dir or
# BROOK_DATA_DIR when it has no argument; an argument and --data-dir that
# disagree are a usage error.
check "verify checks --data-dir" "$work/backup 0" \
  "$(brook --data-dir "$work/backup" verify | head -1 | cut -d: -f1) $?"
check "verify checks BROOK_DATA_DIR" "$work/data 0" \
  "$(brook verify | head -1 | cut -d: -f1) $?"
check "verify checks --data-dir given after it" "$work/backup 0" \
  "$(brook verify --data-dir "$work/backup" | head -1 | cut -d: -f1) $?"
# verify can use no endpoint, so one in the environment is no conflict.
check "verify ignores an endpoint in the environment" "$work/data 0" \
  "$(AWS_ENDPOINT_URL=http://127.0.0.1:9 brook verify | head -1 | cut -d: -f1) $?"
verify_err="$(env -u BROOK_DATA_DIR "$brook_bin" verify 2>&1 > /dev/null)"
check "verify without a directory is a usage error" "2" "$?"
check "verify without a directory asks for one, not an endpoint" "1 0" \
  "$(grep -c 'verify works on a data directory' <<< "$verify_err") \
$(grep -c 'endpoint' <<< "$verify_err")"
brook --data-dir "$work/backup/" verify "$work/backup" > /dev/null 2>&1
check "verify of the directory --data-dir names" "0" "$?"
brook --data-dir "$work/data" verify "$work/backup" > /dev/null 2>&1
check "verify of one directory with --data-dir of another is a usage error" \
  "2" "$?"

# Damage: cut the largest table or blob file of the restored copy in half
# (not of the backup: on one file system it shares its files, hard-linked,
# with the original).
victim=$(ls -S "$work"/restored/db/*.sst "$work"/restored/db/*.blob \
         2>/dev/null | head -1)
truncate -s $(($(stat -c %s "$victim") / 2)) "$victim"
brook verify "$work/restored" > "$work/verify.out" 2>&1
check "verify exits 3 on damage" "3" "$?"

# A store RocksDB cannot open is damage like any other: reported as a
# problem in both forms, and left as it was.
brook restore "$work/backup" "$work/unopenable" > /dev/null || exit 1
# Opened once, as every directory in use has been (it then has its LOCK).
brook --data-dir "$work/unopenable" streams > /dev/null || exit 1
echo "not a manifest name" > "$work/unopenable/db/CURRENT"
fingerprint() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }
before=$(fingerprint "$work/unopenable")
brook verify "$work/unopenable" > "$work/verify.out" 2> /dev/null
check "verify exits 3 on a store that cannot open" "3" "$?"
check "verify names the open failure" "1 DAMAGED" \
  "$(grep -c '^PROBLEM: .*cannot open the store' "$work/verify.out") \
$(tail -1 "$work/verify.out" | cut -d: -f1)"
brook verify --output json "$work/unopenable" > "$work/verify.json" \
  2> /dev/null
check "verify --output json exits 3 on a store that cannot open" "3" "$?"
check "verify --output json names the open failure" "False 1" \
  "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["ok"], sum("cannot open the store" in p for p in r["problems"]))' \
     "$work/verify.json")"
check "verify changes nothing in a store that cannot open" "$before" \
  "$(fingerprint "$work/unopenable")"

# A store whose CURRENT file is gone but whose data files remain: opening
# it must not create an empty store over the files (RocksDB's default,
# which then deletes them), and verify reports it as damage.
brook restore "$work/backup" "$work/no_current" > /dev/null || exit 1
brook --data-dir "$work/no_current" streams > /dev/null || exit 1
rm "$work/no_current/db/CURRENT"
before=$(fingerprint "$work/no_current")
brook --data-dir "$work/no_current" streams > /dev/null 2>&1
check "a store without CURRENT does not open" "1" "$?"
brook verify "$work/no_current" > "$work/verify.out" 2> /dev/null
check "verify exits 3 on a store without CURRENT" "3" "$?"
check "verify says the store lost its CURRENT file" "1" \
  "$(grep -c '^PROBLEM: .*no CURRENT file' "$work/verify.out")"
check "opening a store without CURRENT changes nothing" "$before" \
  "$(fingerprint "$work/no_current")"

# The format marker: garbage is damage (exit 3, reported as a problem); a
# newer format is refused, not judged (exit 1, the reason on stderr).
brook restore "$work/backup" "$work/marked" > /dev/null || exit 1
echo garbage > "$work/marked/BROOK"
brook verify "$work/marked" > "$work/verify.out" 2> /dev/null
check "verify exits 3 on a damaged format marker" "3" "$?"
check "verify names the damaged format marker" "1" \
  "$(grep -c '^PROBLEM: .*damaged Brook format marker' "$work/verify.out")"
echo "brook-data-dir format 999" > "$work/marked/BROOK"
brook verify "$work/marked" > "$work/verify.out" 2> "$work/verify.err"
check "verify exits 1 on a newer format" "1" "$?"
check "verify says why it refuses a newer format" "1" \
  "$(grep -c 'ResourceInUseException: .*format 999' "$work/verify.err")"

# A format number too long for 64 bits is still a number: a newer format.
echo "brook-data-dir format 99999999999999999999" > "$work/marked/BROOK"
brook verify "$work/marked" > /dev/null 2> "$work/verify.err"
check "verify refuses a format beyond 64 bits as newer" "1 1" \
  "$? $(grep -c 'ResourceInUseException: .*format 99999999999999999999;' \
        "$work/verify.err")"
# A format number of any length is shown in one line, clipped.
printf 'brook-data-dir format %s\n' "$(printf '9%.0s' {1..5000})" \
  > "$work/marked/BROOK"
brook verify "$work/marked" > /dev/null 2> "$work/verify.err"
check "verify shows an over-long format clipped, in one line" "1 1 1" \
  "$? $(wc -l < "$work/verify.err") \
$(grep -c 'format 99999999999999999999\.\.\.; this build' "$work/verify.err")"
# A store whose marker was deleted is a damaged Brook directory.
rm "$work/marked/BROOK"
brook verify "$work/marked" > "$work/verify.out" 2> /dev/null
check "verify exits 3 on a store without its format marker" "3" "$?"
check "verify names the missing format marker" "1" \
  "$(grep -c '^PROBLEM: .*no BROOK format marker' "$work/verify.out")"
# An empty directory holds no store: not "does not exist".
mkdir "$work/empty"
brook verify "$work/empty" > /dev/null 2> "$work/verify.err"
check "verify says an empty directory is empty" "1 1 0 0" \
  "$? $(grep -c 'is empty' "$work/verify.err") \
$(grep -c 'does not exist' "$work/verify.err") \
$(grep -c 'create_if_missing' "$work/verify.err")"

# A damaged batch between sound ones (a large one, so in a blob file, read
# only when tail reaches it): tail prints the records before it, then names
# the shard it could not read.
export BROOK_DATA_DIR=$work/blobbed
brook create blobbed > /dev/null || exit 1
echo before | brook put blobbed -k k > /dev/null || exit 1
big="damage-me-$(printf 'b%.0s' {1..600})"
echo "$big" | brook put blobbed -k k > /dev/null || exit 1
echo after | brook put blobbed -k k > /dev/null || exit 1
# Flips a bit of the record "$big" in the blob files of data directory $1.
damage_big() {
  python3 - "$1/db" <<'EOF'
import pathlib, sys
for blob in pathlib.Path(sys.argv[1]).glob("*.blob"):
    data = bytearray(blob.read_bytes())
    at = data.find(b"damage-me-")
    if at >= 0:
        data[at + 20] ^= 0x02
        blob.write_bytes(bytes(data))
EOF
}
damage_big "$work/blobbed"
brook tail blobbed > "$work/tail.out" 2> "$work/tail.err"
check "tail fails on a damaged batch" "1" "$?"
check "tail prints the records before the damaged batch" "before" \
  "$(cat "$work/tail.out")"
check "tail names the shard it could not read, and why" "1" \
  "$(grep -c '^brook: reading shardId-000000000000: InternalFailure: ' \
     "$work/tail.err")"
brook lag blobbed -a app > /dev/null 2> "$work/lag.err"
check "lag fails on a damaged batch, naming the shard" "1 1" \
  "$? $(grep -c '^brook: reading shardId-000000000000: InternalFailure: ' \
     "$work/lag.err")"

# A damaged newest batch (which opening reads to learn where the shard
# ends): the directory still opens, the shard reads up to the damage and
# takes writes, and verify still reports the damage.
export BROOK_DATA_DIR=$work/newest
brook create newest > /dev/null || exit 1
echo before | brook put newest -k k > /dev/null || exit 1
echo "$big" | brook put newest -k k > /dev/null || exit 1
damage_big "$work/newest"
brook tail newest > "$work/tail.out" 2> "$work/tail.err"
check "tail opens past a damaged newest batch and stops at it" "1 before 1" \
  "$? $(cat "$work/tail.out") $(grep -c 'InternalFailure' "$work/tail.err")"
echo later | brook put newest -k k > /dev/null
check "a shard whose newest batch is damaged takes writes" "0" "$?"
brook verify "$work/newest" > /dev/null 2>&1
check "verify reports a damaged newest batch" "3" "$?"
export BROOK_DATA_DIR=$work/data

brook tail > /dev/null 2>&1
check "a missing argument is a usage error" "2" "$?"

# Usage errors are found before anything is opened, so a mistyped command
# changes nothing: opening a data directory alone writes files in it.
state() { if [[ -e $1 ]]; then fingerprint "$1"; else echo "no directory"; fi; }
before=$(state "$BROOK_DATA_DIR")
brook streams > /dev/null || exit 1
check "opening a data directory changes its files" "changed" \
  "$([[ $(state "$BROOK_DATA_DIR") != "$before" ]] && echo changed)"
# check_usage_error NAME MESSAGE ARGS...: brook ARGS, with a record on stdin,
# exits 2 with the one line MESSAGE on stderr and leaves BROOK_DATA_DIR (or
# its absence) as it was.
check_usage_error() {
  local name=$1 message=$2 before
  shift 2
  before=$(state "$BROOK_DATA_DIR")
  echo x | brook "$@" > /dev/null 2> "$work/usage.err"
  check "$name is a usage error" "2" "$?"
  check "$name says so as every error does" "$message" \
    "$(cat "$work/usage.err")"
  check "$name changes nothing" "$before" "$(state "$BROOK_DATA_DIR")"
}
check_usage_error "put -k ''" "brook: put: InvalidArgumentException: \
--partition-key is empty: a partition key is 1 to 256 Unicode characters" \
  put orders -k ''
check_usage_error "put -K ''" "brook: put: InvalidArgumentException: \
--key-delimiter is empty: give the text between each line's key and its data" \
  put orders -K ''
check_usage_error "put --partition-key-field ''" "brook: put: \
InvalidArgumentException: --partition-key-field is empty: give the JSON field \
that holds each record's partition key" put orders --partition-key-field ''
# Kinesis' ExplicitHashKey: 0|([1-9]\d{0,38}), at most 2^128-1.
hash_key_wanted="give a decimal number from 0 to 2^128-1 \
(340282366920938463463374607431768211455), without leading zeros"
check_usage_error "put --explicit-hash-key ''" "brook: put: \
InvalidArgumentException: --explicit-hash-key is empty: $hash_key_wanted" \
  put orders --explicit-hash-key ''
for key in abc -1 1e3 007 340282366920938463463374607431768211456; do
  check_usage_error "put --explicit-hash-key $key" "brook: put: \
InvalidArgumentException: --explicit-hash-key '$key' is not a hash key: \
$hash_key_wanted" put orders --explicit-hash-key "$key"
done
echo x | brook put orders -k k --explicit-hash-key \
  340282366920938463463374607431768211455 > /dev/null
check "put --explicit-hash-key 2^128-1 puts" "0" "$?"
merge_wanted="give the ids of two adjacent shards"
check_usage_error "reshard --merge-shards of one shard" "brook: reshard: \
InvalidArgumentException: --merge-shards names one shard: $merge_wanted" \
  reshard orders --merge-shards shardId-000000000000
check_usage_error "reshard --merge-shards '' ''" "brook: reshard: \
InvalidArgumentException: --merge-shards is empty: $merge_wanted" \
  reshard orders --merge-shards '' ''
check_usage_error "reshard --merge-shards ID ''" "brook: reshard: \
InvalidArgumentException: --merge-shards is empty: $merge_wanted" \
  reshard orders --merge-shards shardId-000000000000 ''
# UpdateShardCount's TargetShardCount is at least 1: 0 is no count, not a
# flag left out, even beside a merge it would otherwise leave to run.
open_pair=$(brook streams orders --output json | python3 -c '
import json, sys
shards = [s for s in json.load(sys.stdin)["Shards"]
          if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
shards.sort(key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
print(shards[0]["ShardId"], shards[1]["ShardId"])')
for count in 0 -1; do
  count_refused="brook: reshard: InvalidArgumentException: 1 validation error \
detected: Value '$count' at 'targetShardCount' failed to satisfy constraint: \
Member must have value greater than or equal to 1"
  check_usage_error "reshard --target-shard-count $count" "$count_refused" \
    reshard orders --target-shard-count "$count"
  check_usage_error "reshard --target-shard-count $count --merge-shards" \
    "$count_refused" reshard orders --target-shard-count "$count" \
    --merge-shards $open_pair
done
check_usage_error "tail --shard-id ''" "brook: tail: InvalidArgumentException: \
--shard-id is empty: give the shard to read, or leave the flag out to read \
every shard" tail orders --shard-id ''
check_usage_error "tail --shard-iterator-type NOWHERE" "brook: tail: \
InvalidArgumentException: unknown shard iterator type 'NOWHERE'" \
  tail orders --shard-iterator-type NOWHERE
check_usage_error "tail at a bad timestamp" "brook: tail: \
InvalidArgumentException: bad --timestamp 'noon': Unix seconds or RFC 3339" \
  tail orders --shard-iterator-type AT_TIMESTAMP --timestamp noon
# Kinesis: a timestamp older than the trim horizon reads from the oldest
# record, as TRIM_HORIZON does; 1970 is no bound.
check "tail at a timestamp before 1970 reads from the oldest record" \
  "$(brook tail orders)" \
  "$(brook tail orders --shard-iterator-type AT_TIMESTAMP --timestamp -5)"
# As brookd refuses a Timestamp, so that none is cast out of int64's range.
for timestamp in nan inf -inf 1e30 99999999999999999 -100000000001; do
  check_usage_error "tail at timestamp $timestamp" "brook: tail: \
InvalidArgumentException: bad --timestamp '$timestamp': Unix seconds within \
1e11 of 1970 (about 3,000 years either way), or RFC 3339" \
    tail orders --shard-iterator-type AT_TIMESTAMP --timestamp "$timestamp"
done
check_usage_error "tail at a sequence number of no shard" "brook: tail: \
InvalidArgumentException: a starting sequence number is of one shard: give \
--shard-id" tail orders --shard-iterator-type AT_SEQUENCE_NUMBER \
  --starting-sequence-number 1
check_usage_error "lag -a ''" "brook: lag: InvalidArgumentException: \
--application-name is empty: give the name the application checkpoints under" \
  lag orders -a app -a ''
for max in 0 -1; do
  check_usage_error "lag --max-count $max" "brook: lag: \
InvalidArgumentException: --max-count $max counts no record: give 1 or more" \
    lag orders -a app --max-count "$max"
done
# create checks Kinesis' bounds before it creates the data directory (or a
# stream in one that exists).
for place in data never; do
  export BROOK_DATA_DIR=$work/$place
  data_dir="a data directory"
  [[ $place == never ]] && data_dir="no data directory"
  check_usage_error "create --shard-count 0 with $data_dir" "brook: create: \
InvalidArgumentException: 1 validation error detected: Value '0' at \
'shardCount' failed to satisfy constraint: Member must have value greater \
than or equal to 1" create fresh --shard-count 0
  for bound in "1023 greater than or equal to 1024" \
               "10241 less than or equal to 10240"; do
    kib=${bound%% *}
    check_usage_error "create --max-record-size-kib $kib with $data_dir" \
      "brook: create: InvalidArgumentException: 1 validation error detected: \
Value '$kib' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member \
must have value ${bound#* }" create fresh --max-record-size-kib "$kib"
  done
  for hours in 23 8761; do
    check_usage_error "create --retention-period-hours $hours with $data_dir" \
      "brook: create: InvalidArgumentException: Minimum allowed retention \
period is 24 hours. Maximum allowed retention period is 8760 hours. \
Requested retention period ($hours hours) is out of range." \
      create fresh --retention-period-hours "$hours"
  done
done
export BROOK_DATA_DIR=$work/data
# Usage errors of reshard are printed as every error is.
usage_error="brook: reshard: InvalidArgumentException:"
brook reshard orders --split-shard shardId-000000000000 > /dev/null \
  2> "$work/reshard.err"
check "a split without its hash key is a usage error" "2" "$?"
check "a split without its hash key says so as every error does" \
  "$usage_error --split-shard and --new-starting-hash-key go together" \
  "$(cat "$work/reshard.err")"
brook reshard orders > /dev/null 2> "$work/reshard.err"
check "a reshard of no kind is a usage error that says so" "2" "$?"
check "a reshard of no kind says so as every error does" \
  "$usage_error give exactly one of --target-shard-count, --split-shard or \
--merge-shards" "$(cat "$work/reshard.err")"
# An empty shard id is a mistyped flag, not a flag left out.
for hash_key_flag in "" "--new-starting-hash-key 5"; do
  brook reshard orders --split-shard "" $hash_key_flag > /dev/null \
    2> "$work/reshard.err"
  check "a split of '' ($hash_key_flag) is a usage error that says so" "2 1" \
    "$? $(grep -c "^$usage_error --split-shard is empty: " "$work/reshard.err")"
done
for key in abc -1 1e3 340282366920938463463374607431768211456; do
  brook reshard orders --split-shard shardId-000000000000 \
    --new-starting-hash-key "$key" > /dev/null 2> "$work/reshard.err"
  check "a split at hash key '$key' is a usage error" "2 1" \
    "$? $(grep -c 'is not a hash key' "$work/reshard.err")"
done
brook reshard orders --split-shard shardId-000000000000 \
  --new-starting-hash-key "" > /dev/null 2> "$work/reshard.err"
check "a split at an empty hash key is a usage error that says so" "2 1" \
  "$? $(grep -c "^$usage_error --new-starting-hash-key is empty: give a \
decimal number" "$work/reshard.err")"
# A missing data directory is named in the user's words, not the library's
# options.
brook --data-dir "$work/none" streams > /dev/null 2> "$work/streams.err"
check "a missing data directory fails" "1" "$?"
check "a missing data directory says so" \
  "brook: opening the streams: ResourceNotFoundException: no Brook data \
directory at '$work/none': it does not exist" "$(cat "$work/streams.err")"
for command in streams create delete reshard put tail lag verify backup \
               restore; do
  brook "$command" --help > /dev/null
  check "$command --help" "0" "$?"
done

finish_checks
