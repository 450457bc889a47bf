#!/usr/bin/env bash
# peer_bench against a redis-server and a nats-server started here: every
# acknowledged record is counted back from the server, and an unreachable
# server or a bad flag fails with its exit code. Skipped (exit 77) where
# the servers are not installed.
# Usage: peer_bench_test.sh PATH_TO_PEER_BENCH
set -euo pipefail

bench=$1
for server in redis-server nats-server; do
  if ! command -v "$server" >/dev/null; then
    echo "SKIPPED: $server is not installed (setup.sh installs it)"
    exit 77
  fi
done
work=$(mktemp -d)
source "$(dirname "$0")/../../bench/peer_servers.sh"
source "$(dirname "$0")/expect_json.sh"

start_redis
start_nats

load=(--duration_s=1 --producers=2 --shards=2 --record_bytes=100 --batch=50
      --inflight=2)
for peer in redis nats; do
  port_var=${peer}_port
  out=$("$bench" "${load[@]}" --peer="$peer" --port="${!port_var}" \
    2>"$work/bench.err") || {
    echo "peer_bench --peer=$peer failed:" >&2
    grep -v '^\[' "$work/bench.err" >&2
    exit 1
  }
  expect "$out" 'd["put"]["records"] >= 200'
  expect "$out" 'd["records_acknowledged"] >= d["put"]["records"]'
  expect "$out" 'd["records_stored"] == d["records_acknowledged"]'
  expect "$out" 'd["put_latency"]["samples"] * 50 == d["records_acknowledged"]'
done

status=0
"$bench" --peer=kafka --port=1 2>/dev/null || status=$?
[[ $status -eq 2 ]] || { echo "a bad --peer exited $status, not 2" >&2; exit 1; }
# Once stopped, the servers' ports refuse connections.
for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" || true; done
pids=()
for peer in redis nats; do
  port_var=${peer}_port
  status=0
  "$bench" "${load[@]}" --peer="$peer" --port="${!port_var}" 2>/dev/null ||
    status=$?
  [[ $status -eq 1 ]] ||
    { echo "$peer without a server exited $status, not 1" >&2; exit 1; }
done
echo "peer_bench against redis-server and nats-server: OK"
