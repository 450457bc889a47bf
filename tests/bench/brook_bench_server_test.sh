#!/usr/bin/env bash
# brook_bench's server mode against brookd started here: every acknowledged
# record is read back, throttled puts are counted as refused (not as
# errors) and throttled reads retried, and a bad or unreachable endpoint
# fails with its exit code.
# Usage: brook_bench_server_test.sh PATH_TO_BROOKD PATH_TO_BROOK_BENCH
set -euo pipefail

brookd=$1
bench=$2
work=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts brookd with extra flags and sets `port` to where it listens (not
# in a subshell, so that cleanup knows every server).
start_brookd() {
  local name=$1
  shift
  "$brookd" --data_dir="$work/$name" --port=0 "$@" >"$work/$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    grep -q "serving" "$work/$name.log" && break
    sleep 0.05
  done
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/$name.log" | cut -d: -f2)
}

# shellcheck source=expect_json.sh
source "$(dirname "$0")/expect_json.sh"

load=(--duration_s=1 --producers=2 --shards=2 --record_bytes=100
      --batch=100 --consumer=classic)

start_brookd unlimited --limits=unlimited
unlimited_port=$port
out=$("$bench" "${load[@]}" --endpoint="http://127.0.0.1:$port" 2>/dev/null)
expect "$out" 'd["put"]["records"] > 0 and d["records_refused"] == 0'
expect "$out" 'd["get"]["records"] == d["put"]["records"]'

# Kinesis' limits: 1,000 records/s per shard refuses most of the load.
start_brookd limited
out=$("$bench" "${load[@]}" --endpoint="http://127.0.0.1:$port" 2>/dev/null)
expect "$out" 'd["records_refused"] > 0'
expect "$out" 'd["get"]["records"] == d["put"]["records"]'

status=0
"$bench" --endpoint=nonsense 2>/dev/null || status=$?
[[ $status -eq 2 ]] || { echo "a bad endpoint exited $status, not 2" >&2; exit 1; }
# The first brookd's port, once it has stopped, refuses connections.
kill "${servers[0]}"
wait "${servers[0]}" || true
status=0
"$bench" "${load[@]}" --endpoint="http://127.0.0.1:$unlimited_port" \
  2>/dev/null || status=$?
[[ $status -eq 1 ]] || { echo "no server exited $status, not 1" >&2; exit 1; }
echo "brook_bench against brookd: OK"
