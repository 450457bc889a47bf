#!/usr/bin/env bash
# brook_bench's in-process produce workload: paced producers do not run
# ahead of --rate, a fan-out consumer reports end-to-end latency, and the
# disk figures see each durable record reach RocksDB's log (and no log at
# all with --durability=nowal, whose records stay in the memtable over so
# short a run).
# Usage: brook_bench_produce_test.sh PATH_TO_BROOK_BENCH
set -euo pipefail

bench=$1

# shellcheck source=expect_json.sh
source "$(dirname "$0")/expect_json.sh"

run=(--duration_s=1 --producers=2 --shards=2 --record_bytes=1024 --batch=10
     --rate=2000 --reference=false --disk=false)

out=$("$bench" "${run[@]}" --consumer=fanout 2>/dev/null)
# 2,000 records in the second, plus at most the puts in flight at its end.
expect "$out" '0 < d["brook"]["records"] <= 2000 + 2 * 4 * 10'
expect "$out" 'd["end_to_end_latency"]["samples"] > 0'
expect "$out" 'd["rocksdb_write_stalls"]["stopped"] >= 0'
expect "$out" 'd["disk_writes"]["per_record_byte"] >= 0.9'

# One put a second for one second: one put, counted once in the records and
# once in the latency (not a second put due as the run ends).
out=$("$bench" --duration_s=1 --producers=1 --shards=1 --batch=1 --rate=1 \
      --reference=false --disk=false 2>/dev/null)
expect "$out" 'd["brook"]["records"] == 1'
expect "$out" 'd["put_latency"]["samples"] == 1'
# Paced and synchronous: every put counted is a latency sample.
out=$("$bench" --duration_s=1 --producers=2 --shards=2 --batch=1 --rate=40 \
      --async=false --reference=false --disk=false 2>/dev/null)
expect "$out" 'd["brook"]["records"] == d["put_latency"]["samples"] <= 40'

out=$("$bench" "${run[@]}" --durability=nowal 2>/dev/null)
expect "$out" 'd["disk_writes"]["per_record_byte"] < 0.5'
echo "brook_bench in process: OK"
