#!/usr/bin/env bash
# Runs the Go SDK v2 test (go/, modules pinned by go.sum, fetched by
# .ci/run) against a brookd started here.
# Usage: go_sdk_test.sh BROOKD
set -euo pipefail
brookd=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null || { echo "skipped: no Go toolchain"; exit 77; }
work=$(mktemp -d)
"$brookd" --data_dir="$work/data" --port=0 >"$work/out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  grep -q "http://127.0.0.1:" "$work/out" && break
  sleep 0.1
done
endpoint=$(grep -o "http://127.0.0.1:[0-9]*" "$work/out" | head -1)
cd "$here/go"
go run . "$endpoint"
