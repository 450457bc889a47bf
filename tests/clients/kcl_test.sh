#!/usr/bin/env bash
# Runs the KCL application (java/src/main/java/brook/KclTest.java) against a
# brookd and a dynalite (a local DynamoDB, from js/package-lock.json) started
# here: once with polling, once with enhanced fan-out.
# Usage: kcl_test.sh BROOKD MAVEN_REPO
set -euo pipefail
brookd=$1
repo=$2
here=$(cd "$(dirname "$0")" && pwd)
[[ -d "$repo/software/amazon/kinesis" && -d "$here/js/node_modules/dynalite" ]] ||
  { echo "skipped: run tests/clients/install.sh first"; exit 77; }
work=$(mktemp -d)
source "$here/brookd.sh"
start_brookd "$brookd" "$work"
# dynalite takes no port 0; ask the kernel for a free one.
dynamo_port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node "$here/js/node_modules/dynalite/cli.js" --host 127.0.0.1 \
  --port "$dynamo_port" >"$work/dynalite.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q "listening" "$work/dynalite.out" && break
  sleep 0.1
done
dynamo="http://127.0.0.1:$dynamo_port"
cd "$here/java"
mvn -B -q -o -Dmaven.repo.local="$repo" compile \
  dependency:build-classpath -Dmdep.outputFile="$work/classpath"
status=0
for mode in polling fanout; do
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/classes:$(cat "$work/classpath")" brook.KclTest \
    "http://localhost:$port" "$dynamo" "$mode" || status=1
done
exit $status
