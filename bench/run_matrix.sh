#!/usr/bin/env bash
# Runs the standard brook_bench matrix (about 6 minutes on 2 cores) and
# prints a Markdown table. Each row's ratio compares Brook with raw RocksDB
# (one key per record) measured in the same run. The disk columns are the
# median and range of that row's disk probes (before Brook, between Brook
# and raw RocksDB, after), buffered with fdatasync and with O_DIRECT; a
# durable produce row divides Brook's MB/s by each median.
#
#   bench/run_matrix.sh [build directory, default build/release] > results.md
set -euo pipefail
build=${1:-build/release}
bench="$build/bench/brook_bench"
source "$(dirname "$0")/lib.sh"
require_tools "$bench"
duration=${DURATION_S:-10}
# Extra flags for every row, e.g. BENCH_FLAGS=--disk_probe_rounds=2.
extra=${BENCH_FLAGS:-}

rows=(
  "produce 1 KiB, sync|--record_bytes=1024 --durability=sync"
  "produce 1 KiB, nosync|--record_bytes=1024 --durability=nosync"
  "produce 100 B, sync|--record_bytes=100 --durability=sync"
  "produce 100 B, nosync|--record_bytes=100 --durability=nosync"
  "produce 1 KiB, PutRecord, blocking|--record_bytes=1024 --batch=1 --async=false --reference=false"
  "drain 512 MiB of 1 KiB|--workload=drain --drain_mib=512"
  "fan-out at 1,000 records/s|--consumer=fanout --rate=1000 --batch=1 --producers=1 --reference=false"
  "fan-out at 50,000 records/s|--consumer=fanout --rate=50000 --batch=50 --producers=2 --reference=false"
  "fan-out at 100,000 records/s|--consumer=fanout --rate=100000 --batch=100 --producers=2 --reference=false"
)

echo "| Workload | Brook records/s | Brook MB/s | Raw records/s | Ratio | Put p99 (ms) | End-to-end p50 / p99 (ms) | Disk fdatasync MB/s, median (min–max) | Disk O_DIRECT MB/s, median (min–max) | Brook ÷ disk median (fdatasync / O_DIRECT) | Peak RSS (MB) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for row in "${rows[@]}"; do
  name=${row%%|*}
  flags=${row#*|}
  # shellcheck disable=SC2086
  json=$(measure --duration_s="$duration" $flags $extra)
  python3 - "$name" "$json" <<'PY'
import json, sys
name, d = sys.argv[1], json.loads(sys.argv[2])
def get(*path, scale=1.0, digits=0):
    v = d
    for p in path:
        if not isinstance(v, dict) or p not in v:
            return "—"
        v = v[p]
    return f"{v * scale:,.{digits}f}"
e2e = d.get("end_to_end_latency")
e2e_text = "—" if not e2e else f"{e2e['p50_us'] / 1000:.2f} / {e2e['p99_us'] / 1000:.2f}"
def disk(mode):
    s = d.get("disk", {}).get(mode, {})
    if "median_mb_per_s" not in s:
        return "—"
    return (f"{s['median_mb_per_s']:,.0f} ({s['min_mb_per_s']:,.0f}–"
            f"{s['max_mb_per_s']:,.0f})")
ratio = d.get("ratio_to_disk", {})
durable = (d["config"]["durability"] == "sync" and d["config"]["rate"] == 0
           and d["config"]["batch"] > 1
           and "fdatasync" in ratio)
ratio_text = "—" if not durable else "{:.2f} / {}".format(
    ratio["fdatasync"],
    f"{ratio['direct']:.2f}" if "direct" in ratio else "—")
print(f"| {name} | {get('brook', 'records_per_s')} | {get('brook', 'mb_per_s')} | "
      f"{get('raw_rocksdb', 'records_per_s')} | {get('ratio_to_raw', digits=2)} | "
      f"{get('put_latency', 'p99_us', scale=0.001, digits=2)} | {e2e_text} | "
      f"{disk('fdatasync')} | {disk('direct')} | {ratio_text} | "
      f"{get('peak_rss_mb')} |")
PY
done
