# Sourced by bench/peer_compare.sh and tests/bench/peer_bench_test.sh:
# starts redis-server and nats-server with the comparison's durability
# settings on free loopback ports, under the directory `work` (which the
# caller sets first), and at exit stops every process whose id is in `pids`
# and removes `work`.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


# Every write goes to the append-only file, fsynced before its reply. Sets
# redis_port and redis_pid.
start_redis() {
  redis_port=$(free_port)
  mkdir -p "$work/redis"
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work/redis" \
    --appendonly yes --appendfsync always --save "" --daemonize no \
    --logfile "$work/redis.log" &
  redis_pid=$!
  pids+=("$redis_pid")
  wait_for_port "$redis_port" "$work"
}

# JetStream with file storage. nats-server 2.9 has no per-write sync
# setting (`sync_interval` arrived in 2.10): an ack means the message is
# written to the stream's block file, which the server fsyncs on its own
# schedule. Sets nats_port and nats_pid.
start_nats() {
  nats_port=$(free_port)
  cat >"$work/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
jetstream { store_dir: "$work/nats" }
CONF
  nats-server -c "$work/nats.conf" -l "$work/nats.log" &
  nats_pid=$!
  pids+=("$nats_pid")
  wait_for_port "$nats_port" "$work"
}
