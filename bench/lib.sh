# Helpers the benchmark scripts share; sourced, not run.

# Waits until something accepts connections on 127.0.0.1:$1, for up to 10 s.
wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
}

# Runs "$bench" (brook_bench) with the arguments and prints its JSON line;
# if it fails, prints its error and stops the script. Its stderr goes to
# "$data/bench.err".
measure() {
  local out
  if ! out=$("$bench" "$@" 2>"$data/bench.err"); then
    echo "brook_bench $* failed:" >&2
    tail -5 "$data/bench.err" >&2
    exit 1
  fi
  echo "$out"
}
