#!/usr/bin/env bash
# What brookd costs per record, and how close it comes to the in-process
# Broker, in one run: for 100 B and 1 KiB records, the same PutRecords load
# (shards, producers, batch, durability) first straight into a Broker
# in process, then through brookd over loopback, back to back. brookd's CPU
# time (user + system, from /proc) over the endpoint run, divided by the
# records it acknowledged, gives its CPU per record; brook_bench's own CPU
# time over the in-process run, divided by its records, gives the same for
# the Broker alone (its producers only hand it prepared batches), so that
# the difference is what the server adds. Prints a Markdown table. About
# 1 minute with the defaults.
#
#   bench/server_cpu.sh [build-dir] > results.md
#
# Environment: DURATION_S (default 10), CLIENTS (producers, default 8),
# SHARDS (default 4), BATCH (default 500), ROUNDS (default 1: each size is
# measured that many times, alternating), BROOKD_PORT (default: a free port),
# DURABILITY (default sync; nosync takes the disk's sync rate out of the
# figures, where it and not the CPU bounds the run).
set -euo pipefail
build=${1:-build/release}
duration=${DURATION_S:-10}
clients=${CLIENTS:-8}
shards=${SHARDS:-4}
batch=${BATCH:-500}
rounds=${ROUNDS:-1}
durability=${DURABILITY:-sync}
bench="$build/bench/brook_bench"
source "$(dirname "$0")/lib.sh"
require_tools "$bench" "$build/src/server/brookd"
port=${BROOKD_PORT:-$(free_port)}

data=$(mktemp -d)
brookd_pid=
cleanup() {
  if [[ -n "$brookd_pid" ]]; then
    kill "$brookd_pid" 2>/dev/null || true
    wait "$brookd_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$build/src/server/brookd" --data_dir="$data/brookd" --port="$port" \
  --limits=unlimited --durability="$durability" >"$data/brookd.log" 2>&1 &
brookd_pid=$!
wait_for_port "$port" "$data"
# Not another program that held the port: brookd exits if it cannot bind.
kill -0 "$brookd_pid" 2>/dev/null ||
  { echo "brookd did not start:" >&2; tail -5 "$data/brookd.log" >&2; exit 1; }

load=(--shards="$shards" --producers="$clients" --batch="$batch"
  --duration_s="$duration" --durability="$durability")

echo "| Records | In process records/s | brookd records/s | brookd / in process | CPU per record in process (µs) | brookd CPU per record (µs) | brookd cores busy |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for _ in $(seq "$rounds"); do
  for bytes in 100 1024; do
    # The same producers, each with one blocking put at a time.
    inproc=$(measure "${load[@]}" --record_bytes="$bytes" --reference=false \
      --disk=false --async=false)
    before=$(cpu_ticks "$brookd_pid")
    brookd=$(measure "${load[@]}" --record_bytes="$bytes" \
      --endpoint="http://127.0.0.1:$port")
    after=$(cpu_ticks "$brookd_pid")
    python3 - "$bytes" "$inproc" "$brookd" "$((after - before))" \
      "$(getconf CLK_TCK)" <<'PY'
import json, sys
size = "100 B" if sys.argv[1] == "100" else "1 KiB"
inproc, brookd = json.loads(sys.argv[2]), json.loads(sys.argv[3])
cpu_s = int(sys.argv[4]) / int(sys.argv[5])
put = brookd["put"]
local = inproc["brook"]["records_per_s"]
local_cpu = inproc["cpu_seconds"] / inproc["brook"]["records"] * 1e6
remote = put["records_per_s"]
print(f"| {size} | {local:,.0f} | {remote:,.0f} | {remote / local:.0%} | "
      f"{local_cpu:.2f} | {cpu_s / put['records'] * 1e6:.2f} | "
      f"{cpu_s / put['seconds']:.2f} |")
PY
  done
done
