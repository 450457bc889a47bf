#!/usr/bin/env bash
# brook_bench in process: bad flags are usage errors (exit 2) that run
# nothing; a short produce run reports its disk probes' spread and the
# ratio to it; a small scale run reaches every shard and delivers to its
# subscriptions. Checks what the figures must satisfy, never how fast.
# Usage: brook_bench_tool_test.sh PATH_TO_BROOK_BENCH
set -euo pipefail

bench=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=expect_json.sh
source "$(dirname "$0")/expect_json.sh"

usage_error() {
  local status=0
  "$bench" --data_dir="$work/refused" "$@" >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] || { echo "$* exited $status, not 2" >&2; exit 1; }
  [[ ! -e "$work/refused" ]] || { echo "$* wrote data" >&2; exit 1; }
}
usage_error --disk_probe_mib=0
usage_error --disk_probe_rounds=0
usage_error --workload=scale --shards=10 --subscriptions=11
usage_error --workload=scale --subscriptions=-1
usage_error --workload=scale --consumer=fanout
usage_error --workload=scale --encryption=compare
usage_error --workload=scale --endpoint=http://127.0.0.1:1
usage_error --workload=nonsense

# Probes before, between and after: three of each kind at one round.
out=$("$bench" --data_dir="$work/produce" --duration_s=1 --shards=2 \
  --producers=1 --record_bytes=100 --disk_probe_mib=4 2>/dev/null)
expect "$out" 'd["disk"]["fdatasync"]["samples"] == 3'
expect "$out" '[s["at"] for s in d["disk"]["samples"] if s["mode"] == "fdatasync"] == ["before", "between", "after"]'
expect "$out" 'd["disk"]["fdatasync"]["min_mb_per_s"] <= d["disk"]["fdatasync"]["median_mb_per_s"] <= d["disk"]["fdatasync"]["max_mb_per_s"]'
expect "$out" 'sorted(s["mb_per_s"] for s in d["disk"]["samples"] if s["mode"] == "fdatasync")[1] == d["disk"]["fdatasync"]["median_mb_per_s"]'
expect "$out" 'abs(d["ratio_to_disk"]["fdatasync"] * d["disk"]["fdatasync"]["median_mb_per_s"] - d["brook"]["mb_per_s"]) < 1e-6 * d["brook"]["mb_per_s"]'
# O_DIRECT is either measured as often or refused with a reason.
expect "$out" '"error" in d["disk"]["direct"] or d["disk"]["direct"]["samples"] == 3'
# Without the raw reference there is no "between".
out=$("$bench" --data_dir="$work/noref" --duration_s=1 --shards=2 \
  --producers=1 --record_bytes=100 --disk_probe_mib=4 --reference=false \
  --disk_probe_rounds=2 2>/dev/null)
expect "$out" 'd["disk"]["fdatasync"]["samples"] == 4'

out=$("$bench" --data_dir="$work/scale" --workload=scale --shards=300 \
  --subscriptions=30 --duration_s=1 --producers=2 --record_bytes=100 \
  --rate=3000 --batch=10 2>/dev/null)
expect "$out" 'd["scale"]["shards_written"] == 300'
expect "$out" 'd["scale"]["produce"]["records"] > 0'
expect "$out" 'd["scale"]["gauges_subscribed"]["open_subscriptions"] == 30'
expect "$out" 'd["scale"]["end_to_end_latency"]["samples"] > 0'
expect "$out" 'd["scale"]["end_to_end_latency"]["samples"] < d["scale"]["fan_out"]["records"]'
echo "brook_bench disk probes, flags and scale: OK"
