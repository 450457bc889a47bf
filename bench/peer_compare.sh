#!/usr/bin/env bash
# Compares Brook with what a user would otherwise pick for a durable local
# stream, under the same produce load in one run, and prints a Markdown
# table: Brook in process, brookd over loopback (HTTP/1.1 with JSON and
# HTTP/2 with CBOR), Redis Streams (XADD, AOF with appendfsync always),
# NATS JetStream (file storage) and kinesalite.
# Every system gets the same records (100 B or 1 KiB of data plus a
# partition key) from 4 producers keeping 4 batches of 500 in flight each
# (the HTTP servers: 16 clients with one PutRecords of 500 each). The
# servers run on temporary directories and free loopback ports and are
# stopped on exit. About 3 minutes.
#
#   bench/peer_compare.sh [build-dir] > results.md
#
# Each server's CPU time over a measurement (from /proc) is divided by the
# records it acknowledged (brook_bench's HTTP load reports those of the
# timed window only, which overstates brookd's and kinesalite's CPU per
# record by the few batches still in flight at its end).
#
# Environment: DURATION_S (default 10), KINESALITE_DIR (where to install
# it, default build/kinesalite).
set -euo pipefail
build=${1:-build/release}
duration=${DURATION_S:-10}
kinesalite_dir=${KINESALITE_DIR:-build/kinesalite}
bench="$build/bench/brook_bench"
peer_bench="$build/bench/peer_bench"
for server in redis-server nats-server; do
  command -v "$server" >/dev/null ||
    { echo "missing $server: run setup.sh" >&2; exit 2; }
done
if [[ ! -x "$kinesalite_dir/node_modules/.bin/kinesalite" ]]; then
  echo "installing kinesalite into $kinesalite_dir" >&2
  npm install --prefix "$kinesalite_dir" --no-audit --no-fund \
    kinesalite@3.3.3 >&2
fi

source "$(dirname "$0")/lib.sh"
require_tools "$bench" "$peer_bench" "$build/src/server/brookd"
work=$(mktemp -d)
source "$(dirname "$0")/peer_servers.sh"

brookd_port=$(free_port)
"$build/src/server/brookd" --data_dir="$work/brookd" --port="$brookd_port" \
  --limits=unlimited --durability=sync >"$work/brookd.log" 2>&1 &
pids+=($!)
brookd_pid=$!
wait_for_port "$brookd_port" "$work"

start_redis
start_nats

kinesalite_port=$(free_port)
"$kinesalite_dir/node_modules/.bin/kinesalite" --port "$kinesalite_port" \
  >"$work/kinesalite.log" 2>&1 &
pids+=($!)
kinesalite_pid=$!
wait_for_port "$kinesalite_port" "$work"

ticks_per_s=$(getconf CLK_TCK)

# measure_server PID COMMAND...: run_tool's JSON line with the CPU seconds
# the server PID spent meanwhile added as "server_cpu_s".
measure_server() {
  local pid=$1 before out
  shift
  before=$(cpu_ticks "$pid")
  out=$(run_tool "$@")
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d["server_cpu_s"] = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])
print(json.dumps(d))' "$out" "$before" "$(cpu_ticks "$pid")" "$ticks_per_s"
}

load=(--shards=4 --batch=500 --duration_s="$duration")
peer_load=("${load[@]}" --producers=4 --inflight=4)
# The HTTP load generator keeps one request in flight per client.
http_load=("${load[@]}" --producers=16)

echo "Load before: $(uptime)" >&2
echo "| Records | System | Acknowledged means | Put records/s | Put MB/s | Put p50 / p99 (ms) | Server CPU µs/record | Brook in process ÷ this |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for bytes in 100 1024; do
  inproc=$(run_tool "$bench" "${peer_load[@]}" --record_bytes="$bytes" \
    --async=true --durability=sync --reference=false --disk=false)
  brookd=$(measure_server "$brookd_pid" "$bench" "${http_load[@]}" \
    --record_bytes="$bytes" --endpoint="http://127.0.0.1:$brookd_port")
  brookd_cbor=$(measure_server "$brookd_pid" "$bench" "${http_load[@]}" \
    --record_bytes="$bytes" --endpoint="http://127.0.0.1:$brookd_port" \
    --protocol=h2c --encoding=cbor)
  redis=$(measure_server "$redis_pid" "$peer_bench" "${peer_load[@]}" \
    --record_bytes="$bytes" --peer=redis --port="$redis_port")
  nats=$(measure_server "$nats_pid" "$peer_bench" "${peer_load[@]}" \
    --record_bytes="$bytes" --peer=nats --port="$nats_port")
  kinesalite=$(measure_server "$kinesalite_pid" "$bench" "${http_load[@]}" \
    --record_bytes="$bytes" --endpoint="http://127.0.0.1:$kinesalite_port")
  python3 - "$bytes" "$inproc" "$brookd" "$brookd_cbor" "$redis" "$nats" \
    "$kinesalite" "$(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-)" \
    "$(nats-server --version | grep -o '[0-9][0-9.]*')" <<'PY'
import json, sys
size = "100 B" if sys.argv[1] == "100" else "1 KiB"
inproc, brookd, brookd_cbor, redis, nats, kinesalite = (
    json.loads(a) for a in sys.argv[2:8])
redis_version, nats_version = sys.argv[8:10]
base = inproc["brook"]["records_per_s"]
def row(name, promise, put, latency, cpu_per_record=None):
    rate = put["records_per_s"]
    cpu = (f"{cpu_per_record * 1e6:.1f}" if cpu_per_record is not None
           else "— (one process)")
    print(f"| {size} | {name} | {promise} | {rate:,.0f} | "
          f"{put['mb_per_s']:,.1f} | {latency['p50_us'] / 1000:.1f} / "
          f"{latency['p99_us'] / 1000:.1f} | {cpu} | {base / rate:.2f}× |")
def server_row(name, promise, d):
    records = d.get("records_acknowledged", d["put"]["records"])
    row(name, promise, d["put"], d["put_latency"],
        d["server_cpu_s"] / records)
synced = "fsynced (durability sync)"
row("Brook, in process", synced, inproc["brook"], inproc["put_latency"])
server_row("brookd, HTTP/1.1 + JSON", synced, brookd)
server_row("brookd, HTTP/2 + CBOR", synced, brookd_cbor)
server_row(f"Redis {redis_version} Streams", "fsynced (appendfsync always)",
           redis)
server_row(f"NATS {nats_version} JetStream",
           "written, not fsynced (2.9 has no per-ack sync)", nats)
server_row("kinesalite 3.3.3", "in memory", kinesalite)
PY
done
echo "Load after: $(uptime)" >&2
