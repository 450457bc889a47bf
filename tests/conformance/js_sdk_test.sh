#!/usr/bin/env bash
# Runs js_sdk_test.mjs against a brookd started here.
# Usage: js_sdk_test.sh BROOKD CONFORMANCE_DIR
set -euo pipefail
brookd=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
data_dir=$(mktemp -d)
out=$(mktemp)
"$brookd" --data_dir="$data_dir/data" --port=0 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data_dir" "$out"' EXIT
for _ in $(seq 100); do
  grep -q "http://127.0.0.1:" "$out" && break
  sleep 0.1
done
endpoint=$(grep -o "http://127.0.0.1:[0-9]*" "$out")
# Node resolves the SDK from the script's own folder; the harness it shares
# with the client test goes along.
cp "$here/js_sdk_test.mjs" "$here/../clients/js/sdk_test_harness.mjs" "$dir/"
node "$dir/js_sdk_test.mjs" "$endpoint"
