#!/usr/bin/env bash
# PutRecords throughput through brookd by transport and body encoding, from
# concurrent clients over loopback, in one run: HTTP/1.1 with JSON (boto3,
# the AWS CLI, Go), HTTP/2 (h2c) with JSON (the JavaScript SDK v3), HTTP/1.1
# with CBOR (the Java SDK's sync client) and HTTP/2 with CBOR (the Java
# SDK's async client, the KCL), at 100 B and 1 KiB records. The four are
# interleaved, ROUNDS times, so that drift on a shared machine falls on all
# of them; the table gives each one's median and its ratio to HTTP/1.1
# with JSON. About 2 minutes.
#
#   bench/protocol_compare.sh [build-dir] > results.md
#
# Environment: DURATION_S (per run, default 5), ROUNDS (default 3), CLIENTS
# (connections, default 4), BROOKD_PORT (default 4711).
set -euo pipefail
build=${1:-build/release}
duration=${DURATION_S:-5}
rounds=${ROUNDS:-3}
clients=${CLIENTS:-4}
port=${BROOKD_PORT:-4711}
bench="$build/bench/brook_bench"

data=$(mktemp -d)
"$build/src/server/brookd" --data_dir="$data/brookd" --port="$port" \
  --limits=unlimited --durability=sync >"$data/brookd.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  grep -q "serving" "$data/brookd.log" && break
  sleep 0.1
done

combos=("http1 json" "h2c json" "http1 cbor" "h2c cbor")
for bytes in 100 1024; do
  for round in $(seq "$rounds"); do
    for combo in "${combos[@]}"; do
      read -r protocol encoding <<<"$combo"
      "$bench" --endpoint="http://127.0.0.1:$port" --protocol="$protocol" \
        --encoding="$encoding" --record_bytes="$bytes" \
        --producers="$clients" --shards=4 --batch=500 \
        --duration_s="$duration" 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(sys.argv[1], sys.argv[2], sys.argv[3], d["put"]["records_per_s"])' \
          "$bytes" "$protocol" "$encoding" >>"$data/results"
    done
  done
done

python3 - "$data/results" "$rounds" "$clients" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    size, protocol, encoding, rate = line.split()
    runs.setdefault((int(size), protocol, encoding), []).append(float(rate))
print(f"PutRecords of 500 records from {sys.argv[3]} clients, durability "
      f"sync, median of {sys.argv[2]} interleaved runs.\n")
print("| record | transport | body | records/s | vs HTTP/1.1 JSON |")
print("|---|---|---|---|---|")
for size in (100, 1024):
    base = statistics.median(runs[(size, "http1", "json")])
    for protocol, encoding in (("http1", "json"), ("h2c", "json"),
                               ("http1", "cbor"), ("h2c", "cbor")):
        rate = statistics.median(runs[(size, protocol, encoding)])
        name = "HTTP/1.1" if protocol == "http1" else "HTTP/2 (h2c)"
        print(f"| {size} B | {name} | {encoding.upper()} | {rate:,.0f} | "
              f"{rate / base:.2f} |")
PY
