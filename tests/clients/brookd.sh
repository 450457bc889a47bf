# Sourced by the client tests: start_brookd BROOKD WORK [FLAG...] starts a
# brookd on a fresh data directory in WORK and an ephemeral port, waits
# until it serves, and sets `port`; it is killed, and WORK removed, when the
# test exits. Register other processes to kill in `pids`.
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work_dir"
}
start_brookd() {
  local brookd=$1
  work_dir=$2
  shift 2
  trap stop_all EXIT
  "$brookd" --data_dir="$work_dir/data" --port=0 "$@" >"$work_dir/brookd.out" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q "brookd: serving" "$work_dir/brookd.out" && break
    sleep 0.1
  done
  port=$(grep -o "http://127.0.0.1:[0-9]*" "$work_dir/brookd.out" | head -1 |
    cut -d: -f3)
  [[ -n "$port" ]] || { echo "brookd did not start"; exit 1; }
}
