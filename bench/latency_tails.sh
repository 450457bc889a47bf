#!/usr/bin/env bash
# Measures the two latency-tail targets of docs/benchmarks.md, "Latency
# tails": enhanced fan-out end-to-end p99 at 100,000 records/s in RUNS
# consecutive runs, then the maximum durable rate at 1 KiB (4 producers x 4
# puts of 500 in flight) and the put p99 when offered 80 % of it. Prints a
# Markdown table with the load average before each run (about 3 minutes).
#
#   bench/latency_tails.sh [build-dir] > tails.md
set -euo pipefail
build=${1:-build/release}
bench="$build/bench/brook_bench"
runs=${RUNS:-5}
source "$(dirname "$0")/lib.sh"
require_tools "$bench"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive count" >&2; exit 2; }
duration=${DURATION_S:-10}
common=(--reference=false --disk=false --duration_s="$duration")
durable=(--record_bytes=1024 --durability=sync --producers=4 --inflight=4
         --batch=500)

# Prints one table row from a run's JSON line ($3) for `name` ($1) at load
# average $2.
row() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
name, load, d = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
put = d["put_latency"]
e2e = d.get("end_to_end_latency")
e2e_text = "—" if not e2e else f"{e2e['p50_us'] / 1000:.2f} / {e2e['p99_us'] / 1000:.2f}"
stalls = d["rocksdb_write_stalls"]
print(f"| {name} | {load} | {d['brook']['records_per_s']:,.0f} | "
      f"{put['p50_us'] / 1000:.2f} / {put['p99_us'] / 1000:.2f} | {e2e_text} | "
      f"{stalls['delayed']} / {stalls['stopped']} |")
PY
}

load() { cut -d' ' -f1 /proc/loadavg; }

echo "| Run | Load | Records/s | Put p50 / p99 (ms) | End-to-end p50 / p99 (ms) | RocksDB stalls delayed / stopped |"
echo "| --- | --- | --- | --- | --- | --- |"
for i in $(seq "$runs"); do
  l=$(load)
  json=$(measure "${common[@]}" --consumer=fanout --rate=100000 --batch=100 \
    --producers=2)
  row "fan-out 100k/s, run $i" "$l" "$json"
done
l=$(load)
json=$(measure "${common[@]}" "${durable[@]}")
row "1 KiB durable, as fast as possible" "$l" "$json"
rate=$(python3 -c 'import json, sys
print(int(json.loads(sys.argv[1])["brook"]["records_per_s"] * 0.8))' "$json")
for i in 1 2 3; do
  l=$(load)
  json=$(measure "${common[@]}" "${durable[@]}" --rate="$rate")
  row "1 KiB durable at $rate records/s (80 %), run $i" "$l" "$json"
done
