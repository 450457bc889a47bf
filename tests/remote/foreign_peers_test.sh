#!/usr/bin/env bash
# Runs the remote Broker's foreign-peer suite against each Kinesis server
# installed under tests/remote/peers (npm ci there; .ci/run does it):
# kinesalite, and kinesis-mock (published on npm as kinesis-local, a
# Scala.js build that runs on node).
# Usage: foreign_peers_test.sh PATH/TO/foreign_peer_test
# Exits 77 (skipped) when the servers are not installed.
set -euo pipefail
test_binary=$1
peers=$(cd "$(dirname "$0")/peers" && pwd)
kinesalite=$peers/node_modules/.bin/kinesalite
kinesis_mock=$peers/node_modules/kinesis-local
if [[ ! -x $kinesalite || ! -f $kinesis_mock/main.js ]]; then
  echo "kinesalite or kinesis-local is not installed: run 'npm ci' in $peers"
  exit 77
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on port $1 (at most 30 s).
wait_for_port() {
  for _ in $(seq 300); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing listens on port $1"
  return 1
}

log=$(mktemp)
server=
stop_server() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
trap 'stop_server; rm -f "$log"' EXIT

port=$(free_port)
"$kinesalite" --port "$port" --createStreamMs 50 --deleteStreamMs 50 \
  --updateStreamMs 50 >"$log" 2>&1 &
server=$!
wait_for_port "$port" || { cat "$log"; exit 1; }
echo "== kinesalite on port $port"
BROOK_PEER_NAME=kinesalite BROOK_PEER_ENDPOINT="http://127.0.0.1:$port" \
  "$test_binary"
stop_server

port=$(free_port)
tls_port=$(free_port)
(cd "$kinesis_mock" &&
  KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$tls_port \
  KINESIS_MOCK_CERT_PATH="$kinesis_mock/server.json" LOG_LEVEL=WARN \
  CREATE_STREAM_DURATION=50ms DELETE_STREAM_DURATION=50ms \
  SPLIT_SHARD_DURATION=50ms MERGE_SHARDS_DURATION=50ms \
  REGISTER_STREAM_CONSUMER_DURATION=50ms \
  DEREGISTER_STREAM_CONSUMER_DURATION=50ms \
  exec node main.js) >"$log" 2>&1 &
server=$!
wait_for_port "$port" || { cat "$log"; exit 1; }
echo "== kinesis-mock on port $port"
BROOK_PEER_NAME=kinesis-mock BROOK_PEER_ENDPOINT="http://127.0.0.1:$port" \
  "$test_binary" ||
  { cat "$log"; exit 1; }
