#!/usr/bin/env bash
# Runs js/js_sdk_test.mjs (dependencies from js/package-lock.json, installed
# by .ci/run) against a brookd started here.
# Usage: js_sdk_test.sh BROOKD
set -euo pipefail
brookd=$1
here=$(cd "$(dirname "$0")" && pwd)
[[ -d "$here/js/node_modules" ]] || { echo "skipped: run tests/clients/install.sh first"; exit 77; }
source "$here/brookd.sh"
start_brookd "$brookd" "$(mktemp -d)"
endpoint="http://127.0.0.1:$port"
node "$here/js/js_sdk_test.mjs" "$endpoint"
