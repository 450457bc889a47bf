# Helpers the benchmark scripts share; sourced, not run.

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the script unless every argument is an executable file.
require_tools() {
  local tool
  for tool in "$@"; do
    [[ -x "$tool" ]] || { echo "missing $tool: build it first" >&2; exit 2; }
  done
}

# Waits until something accepts connections on 127.0.0.1:$1, for up to 10 s;
# else stops the script, with the last lines of the logs in directory $2 if
# given.
wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  if [[ -n "${2:-}" ]]; then tail -n 5 "$2"/*.log >&2; fi
  exit 1
}

# Runs a command and prints its output (a JSON line); if it fails, prints
# its last error lines and stops the script. Its error output waits in a
# temporary file, removed however it ends, interrupted too: the function
# runs in a subshell, so that its traps leave the script's own alone.
run_tool() (
  err=$(mktemp)
  trap 'rm -f "$err"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! out=$("$@" 2>"$err"); then
    echo "$* failed:" >&2
    tail -5 "$err" >&2
    exit 1
  fi
  echo "$out"
)

# Runs "$bench" (brook_bench) with the arguments, as run_tool does.
measure() { run_tool "$bench" "$@"; }

# The user plus system CPU time of process $1 so far, in clock ticks
# (fields 14 and 15 of its stat; the name before them may hold spaces).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
