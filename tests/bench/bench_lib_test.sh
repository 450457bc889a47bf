#!/usr/bin/env bash
# bench/lib.sh: run_tool passes a tool's output on, reports its failure,
# and leaves no temporary file behind, whether the tool succeeds, fails or
# is interrupted.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/../cli/checks.sh"
source "$(dirname "$0")/../../bench/lib.sh"
export TMPDIR=$work/tmp
mkdir "$TMPDIR"
leftovers() { find "$TMPDIR" -type f | wc -l; }

check "run_tool prints the tool's output" '{"x":1}' \
  "$(run_tool bash -c 'echo "{\"x\":1}"; echo noise >&2')"
check "a tool that succeeds leaves no file" "0" "$(leftovers)"

failed=$(run_tool bash -c 'echo why >&2; exit 3' 2>&1)
check "run_tool stops on failure" "1" "$?"
check "run_tool shows the failure's last lines" "why" \
  "$(echo "$failed" | tail -1)"
check "a tool that fails leaves no file" "0" "$(leftovers)"

# Interrupted as Ctrl-C or kill interrupts a script: the whole process
# group, while the tool runs.
for signal in INT TERM; do
  set -m
  (run_tool bash -c 'echo started >&2; sleep 30') > /dev/null 2>&1 &
  group=$!
  set +m
  for _ in $(seq 100); do
    [[ -n $(find "$TMPDIR" -type f -size +0) ]] && break
    sleep 0.05
  done
  check "the tool's error output is kept while it runs ($signal)" "1" \
    "$(leftovers)"
  kill -"$signal" -- -"$group"
  wait "$group" 2> /dev/null
  # The group's first process may end before the ones it started.
  for _ in $(seq 100); do
    kill -0 -- -"$group" 2> /dev/null || break
    sleep 0.05
  done
  check "an interrupted run leaves no file ($signal)" "0" "$(leftovers)"
done

finish_checks
