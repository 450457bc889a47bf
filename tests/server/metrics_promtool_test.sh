#!/usr/bin/env bash
# brookd's GET /metrics after some traffic passes Prometheus' own linter
# (`promtool check metrics`, from Debian's prometheus package) and carries
# the families docs/operations.md lists. Without promtool the test is
# skipped (exit 77), except in CI, where its absence is a failure.
# Usage: metrics_promtool_test.sh PATH_TO_BROOK PATH_TO_BROOKD
set -uo pipefail
brook_bin=$1
here=$(dirname "$0")
promtool=$(command -v promtool)
if [[ -z "$promtool" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: promtool is missing (setup.sh installs Debian's prometheus)"
    exit 1
  fi
  echo "SKIP: promtool is not installed (Debian package prometheus)"
  exit 77
fi
source "$here/../clients/brookd.sh"
source "$here/../cli/checks.sh"

unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KINESIS BROOK_DATA_DIR AWS_PROFILE
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export AWS_ACCESS_KEY_ID=AKIDMETRICS AWS_SECRET_ACCESS_KEY=metrics-secret
export AWS_REGION=us-east-1 AWS_PAGER=""
start_brookd "$2" "$(mktemp -d)" --access_key_id="$AWS_ACCESS_KEY_ID" \
  --secret_access_key="$AWS_SECRET_ACCESS_KEY" --metrics_token=scrape
url=http://127.0.0.1:$port
brook() { "$brook_bin" --endpoint-url "$url" "$@"; }

# Traffic: puts, reads, a split, shard-level metrics enabled, an error.
brook create events --shard-count 2 || exit 1
seq 50 | brook put events || exit 1
brook tail events > /dev/null || exit 1
brook reshard events --target-shard-count 4 > /dev/null || exit 1
/usr/bin/aws --endpoint-url "$url" kinesis enable-enhanced-monitoring \
  --stream-name events --shard-level-metrics ALL > /dev/null || exit 1
brook streams missing > /dev/null 2>&1

curl -sf -H "Authorization: Bearer scrape" "$url/metrics" > "$work_dir/metrics"
check "GET /metrics answers" "0" "$?"
lint=$("$promtool" check metrics < "$work_dir/metrics" 2>&1)
check "promtool check metrics exits 0" "0" "$?"
check "promtool finds nothing to say" "" "$lint"

has() {  # has NAME REGEX: a sample line of /metrics matches REGEX
  check "$1" "yes" \
    "$(grep -qE "$2" "$work_dir/metrics" && echo yes || echo no)"
}
has "requests are counted by operation" \
  '^brook_api_requests_total\{operation="PutRecords"\} [1-9]'
has "errors are counted by error name" \
  '^brook_api_errors_total\{operation="DescribeStreamSummary",error="ResourceNotFoundException"\} 1$'
has "latency is a histogram in seconds" \
  '^brook_api_request_duration_seconds_bucket\{operation="PutRecords",le="\+Inf"\} [1-9]'
has "connections are counted" '^brook_open_connections [0-9]+$'
has "shard-level metrics are counters in _total" \
  '^brook_shard_incoming_records_total\{stream="events",shard="shardId-000000000000"\} [1-9]'
has "iterator age is in seconds" \
  '^brook_shard_iterator_age_seconds\{stream="events",'
has "bytes stored per stream" '^brook_stream_stored_bytes\{stream="events"\} '
has "queued write bytes" '^brook_queued_write_bytes [0-9]+$'
has "tail-cache bytes" '^brook_tail_cache_bytes [1-9][0-9]*$'
has "write stalls" '^brook_rocksdb_write_stalls_total\{condition="stopped"\} 0$'
has "pending compaction bytes" '^brook_rocksdb_pending_compaction_bytes [0-9]+$'
has "the write state" '^brook_write_state\{state="accepting"\} 1$'
has "process memory" '^process_resident_memory_bytes [1-9][0-9]*$'
has "subscriptions" '^brook_open_subscriptions 0$'

finish_checks
