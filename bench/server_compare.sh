#!/usr/bin/env bash
# Compares brookd with kinesalite (the Node.js Kinesis emulator, installed
# from npm on first use) under the same client load over loopback, in one
# run, and prints a Markdown table. The in-process Broker runs the same puts
# for reference. About 3 minutes.
#
#   bench/server_compare.sh [build-dir] > results.md
#
# Environment: DURATION_S (default 10), CLIENTS (concurrent connections,
# default 8), KINESALITE_DIR (where to install it, default
# build/kinesalite), BROOKD_PORT and KINESALITE_PORT (default 4701, 4702).
set -euo pipefail
build=${1:-build/release}
duration=${DURATION_S:-10}
clients=${CLIENTS:-8}
kinesalite_dir=${KINESALITE_DIR:-build/kinesalite}
brookd_port=${BROOKD_PORT:-4701}
kinesalite_port=${KINESALITE_PORT:-4702}
bench="$build/bench/brook_bench"
source "$(dirname "$0")/lib.sh"

if [[ ! -x "$kinesalite_dir/node_modules/.bin/kinesalite" ]]; then
  echo "installing kinesalite into $kinesalite_dir" >&2
  npm install --prefix "$kinesalite_dir" --no-audit --no-fund \
    kinesalite@3.3.3 >&2
fi

data=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

"$build/src/server/brookd" --data_dir="$data/brookd" --port="$brookd_port" \
  --limits=unlimited >"$data/brookd.log" 2>&1 &
pids+=($!)
"$kinesalite_dir/node_modules/.bin/kinesalite" --port "$kinesalite_port" \
  >"$data/kinesalite.log" 2>&1 &
pids+=($!)
for port in "$brookd_port" "$kinesalite_port"; do wait_for_port "$port"; done

load=(--shards=4 --producers="$clients" --batch=500 --duration_s="$duration")

echo "| Records | Server | Put records/s | Put MB/s | Put p50 / p99 (ms) | Get records/s | Get MB/s | Put × kinesalite |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for bytes in 100 1024; do
  # The same clients, each with one blocking put at a time.
  inproc=$(measure "${load[@]}" --record_bytes="$bytes" --reference=false \
    --disk=false --async=false)
  brookd=$(measure "${load[@]}" --record_bytes="$bytes" --consumer=classic \
    --endpoint="http://127.0.0.1:$brookd_port")
  kinesalite=$(measure "${load[@]}" --record_bytes="$bytes" \
    --consumer=classic --endpoint="http://127.0.0.1:$kinesalite_port")
  python3 - "$bytes" "$inproc" "$brookd" "$kinesalite" <<'PY'
import json, sys
size = "100 B" if sys.argv[1] == "100" else "1 KiB"
inproc, brookd, kinesalite = (json.loads(a) for a in sys.argv[2:5])
base = kinesalite["put"]["records_per_s"]
def row(name, put, latency, get):
    rate = put["records_per_s"]
    get_text = (f"{get['records_per_s']:,.0f} | {get['mb_per_s']:,.1f}"
                if get else "— | —")
    print(f"| {size} | {name} | {rate:,.0f} | {put['mb_per_s']:,.1f} | "
          f"{latency['p50_us'] / 1000:.1f} / {latency['p99_us'] / 1000:.1f} | "
          f"{get_text} | {rate / base:.1f}× |")
row("Broker in process (blocking puts, no HTTP)", inproc["brook"],
    inproc["put_latency"], None)
row("brookd, durability sync", brookd["put"], brookd["put_latency"],
    brookd["get"])
row("kinesalite 3.3.3 (in memory)", kinesalite["put"],
    kinesalite["put_latency"], kinesalite["get"])
PY
done
