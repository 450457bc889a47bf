#!/usr/bin/env bash
# Runs the remote Broker's foreign-peer suite against each Kinesis server
# installed under tests/remote/peers (npm ci there; .ci/run does it).
# Usage: foreign_peers_test.sh PATH/TO/foreign_peer_test
# Exits 77 (skipped) when the servers are not installed.
set -euo pipefail
test_binary=$1
peers=$(cd "$(dirname "$0")/peers" && pwd)
kinesalite=$peers/node_modules/.bin/kinesalite
if [[ ! -x $kinesalite ]]; then
  echo "kinesalite is not installed: run 'npm ci' in $peers"
  exit 77
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$kinesalite" --port "$port" --createStreamMs 50 --deleteStreamMs 50 \
  --updateStreamMs 50 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "Listening" "$log" && break
  sleep 0.1
done
echo "== kinesalite on port $port"
BROOK_PEER_ENDPOINT="http://127.0.0.1:$port" "$test_binary"
