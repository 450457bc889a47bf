#!/usr/bin/env bash
# The remote Broker and the StreamMirror against the tool's own HTTP client,
# all against one brookd over loopback, in one run; prints a Markdown table.
#   1. brook_bench --endpoint --client=raw: pre-serialized PutRecords, one
#      connection per producer (the baseline);
#   2. --client=broker: the same producers and batches through one
#      brook::Broker::Connect (JSON encoding, SigV4 signing, decoding);
#   3. --workload=mirror: a StreamMirror forwarding a local stream of the
#      same record size.
#
#   bench/remote_compare.sh [build-dir] > results.md
#
# Environment: DURATION_S (default 10), PRODUCERS (default 4), RECORD_BYTES
# (default 1024), MIRROR_RECORDS (default 200000), BROOKD_PORT (4711).
set -euo pipefail
build=${1:-build/release}
duration=${DURATION_S:-10}
producers=${PRODUCERS:-4}
record_bytes=${RECORD_BYTES:-1024}
mirror_records=${MIRROR_RECORDS:-200000}
port=${BROOKD_PORT:-4711}
bench="$build/bench/brook_bench"

data=$(mktemp -d)
"$build/src/server/brookd" --data_dir="$data/brookd" --port="$port" \
  --limits=unlimited >"$data/brookd.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
source "$(dirname "$0")/lib.sh"
wait_for_port "$port"

measure() {
  "$bench" --endpoint="http://127.0.0.1:$port" --shards=4 \
    --record_bytes="$record_bytes" "$@" 2>"$data/bench.err" ||
    { tail -5 "$data/bench.err" >&2; exit 1; }
}
field() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])$2))" "$1"; }

raw=$(measure --client=raw --producers="$producers" --batch=500 \
  --duration_s="$duration")
broker=$(measure --client=broker --producers="$producers" --batch=500 \
  --duration_s="$duration")
mirror=$(measure --workload=mirror --mirror_records="$mirror_records")

raw_rps=$(field "$raw" "['put']['records_per_s']")
broker_rps=$(field "$broker" "['put']['records_per_s']")
mirror_rps=$(field "$mirror" "['put']['records_per_s']")
echo "| client | records/s | MB/s | vs raw |"
echo "| --- | ---: | ---: | ---: |"
for row in "raw:$raw" "broker:$broker" "mirror:$mirror"; do
  name=${row%%:*}
  json=${row#*:}
  rps=$(field "$json" "['put']['records_per_s']")
  mbs=$(python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['put']['mb_per_s'],1))" "$json")
  echo "| $name | $rps | $mbs | $(python3 -c "print(f'{$rps/$raw_rps:.2f}')") |"
done
echo
echo "$record_bytes-byte records, $producers producers of 500-record PutRecords,"
echo "4 shards; brookd with its default (sync) durability, unlimited streams."
