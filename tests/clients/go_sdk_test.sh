#!/usr/bin/env bash
# Runs the Go SDK v2 test (go/, modules pinned by go.sum, fetched by
# .ci/run) against a brookd started here.
# Usage: go_sdk_test.sh BROOKD
set -euo pipefail
brookd=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null || { echo "skipped: no Go toolchain"; exit 77; }
source "$here/brookd.sh"
start_brookd "$brookd" "$(mktemp -d)"
endpoint="http://127.0.0.1:$port"
cd "$here/go"
go run . "$endpoint"
