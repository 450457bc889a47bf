#!/usr/bin/env bash
# The brook tool against an endpoint: a brookd started here that requires
# signed requests. The commands of stream_checks.sh unchanged, lag from a
# checkpoint kept by brookd, tail --follow across a split, the endpoint
# taken from the AWS variables, and the failures: data-directory commands,
# two targets at once, bad credentials, an unreachable endpoint and one
# that does not speak Kinesis.
# Usage: brook_cli_endpoint_test.sh PATH_TO_BROOK PATH_TO_BROOKD
set -uo pipefail
brook_bin=$1
here=$(dirname "$0")
source "$here/../clients/brookd.sh"
source "$here/checks.sh"
source "$here/stream_checks.sh"

# Only what this test sets: no profile files, no inherited endpoint.
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KINESIS BROOK_DATA_DIR AWS_PROFILE \
      AWS_SESSION_TOKEN AWS_MAX_ATTEMPTS AWS_DEFAULT_REGION
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export AWS_ACCESS_KEY_ID=AKIDBROOKCLI AWS_SECRET_ACCESS_KEY=cli-secret
export AWS_REGION=eu-west-1
start_brookd "$2" "$(mktemp -d)" --access_key_id="$AWS_ACCESS_KEY_ID" \
  --secret_access_key="$AWS_SECRET_ACCESS_KEY"
url=http://127.0.0.1:$port
work=$work_dir
brook() { "$brook_bin" --endpoint-url "$url" "$@"; }

stream_checks

# A checkpoint kept by brookd (Brook's own target, signed as the tool signs).
brook create lagged || exit 1
seqs=$(printf 'a\nb\nc\n' | brook put lagged -k k --print-sequence-numbers)
python3 - "$url" "$(echo "$seqs" | head -1 | cut -f1)" \
  "$(echo "$seqs" | head -1 | cut -f2)" <<'PY' || exit 1
import json, sys, urllib.request
import botocore.auth, botocore.awsrequest, botocore.credentials
url, shard, sequence = sys.argv[1:]
body = json.dumps({"StreamName": "lagged", "ApplicationName": "app",
                   "ShardId": shard, "SequenceNumber": sequence})
request = botocore.awsrequest.AWSRequest(
    method="POST", url=url + "/", data=body,
    headers={"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": "Brook_20261201.PutCheckpoint"})
botocore.auth.SigV4Auth(
    botocore.credentials.Credentials("AKIDBROOKCLI", "cli-secret"),
    "kinesis", "eu-west-1").add_auth(request)
urllib.request.urlopen(urllib.request.Request(
    url + "/", data=body.encode(), headers=dict(request.headers)))
PY
check "lag counts the records after brookd's checkpoint" "2 $(echo "$seqs" |
  head -1 | cut -f2)" "$(brook lag lagged -a app --output json | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print(r["records_behind"], r["checkpoint"])')"

# tail --follow: records put later, and those of children opened by a split.
wait_for_line() {  # wait_for_line FILE LINE: up to 20 s
  for _ in $(seq 200); do
    grep -qx "$2" "$1" && return 0
    sleep 0.1
  done
  return 1
}
brook create followed || exit 1
brook tail followed --follow -f '%s\n' > "$work/follow.out" \
  2> "$work/follow.err" &
follower=$!
pids+=("$follower")
echo before | brook put followed -k k || exit 1
wait_for_line "$work/follow.out" before
check "tail --follow prints a record put later" "0" "$?"
brook reshard followed --target-shard-count 2 > /dev/null || exit 1
echo after | brook put followed -k k || exit 1
wait_for_line "$work/follow.out" after
check "tail --follow reads the children of a split" "0" "$?"
kill "$follower"

# The endpoint from the environment, as the AWS CLI takes it.
check "AWS_ENDPOINT_URL names the endpoint" "orders" \
  "$(AWS_ENDPOINT_URL=$url "$brook_bin" streams | awk '$1 == "orders" {print $1}')"
check "AWS_ENDPOINT_URL_KINESIS comes before AWS_ENDPOINT_URL" "orders" \
  "$(AWS_ENDPOINT_URL_KINESIS=$url AWS_ENDPOINT_URL=http://127.0.0.1:1 \
     "$brook_bin" streams | awk '$1 == "orders" {print $1}')"
check "global options may follow the subcommand" "orders" \
  "$("$brook_bin" streams --endpoint-url "$url" | awk '$1 == "orders" {print $1}')"

expect_failure() {  # expect_failure NAME EXIT_CODE STDERR_TEXT COMMAND...
  local name=$1 code=$2 text=$3
  shift 3
  "$@" > /dev/null 2> "$work/stderr"
  check "$name: exit code" "$code" "$?"
  check "$name: says so" "yes" \
    "$(grep -q -- "$text" "$work/stderr" && echo yes || cat "$work/stderr")"
}
expect_failure "verify against an endpoint" 2 "works on a data directory" \
  brook verify "$work/data"
expect_failure "backup against an endpoint" 2 "works on a data directory" \
  brook backup "$work/copy"
expect_failure "backup with AWS_ENDPOINT_URL" 2 "works on a data directory" \
  env AWS_ENDPOINT_URL="$url" "$brook_bin" backup "$work/copy"
expect_failure "restore against an endpoint" 2 "works on a data directory" \
  brook restore "$work/data" "$work/copy"
check "nothing was copied" "no" "$([[ -e $work/copy ]] && echo yes || echo no)"
expect_failure "--data-dir and --endpoint-url together" 2 "give one" \
  brook --data-dir "$work/data" streams
expect_failure "BROOK_DATA_DIR and AWS_ENDPOINT_URL together" 2 \
  "are both set" env BROOK_DATA_DIR="$work/data" AWS_ENDPOINT_URL="$url" \
  "$brook_bin" streams
expect_failure "neither a data directory nor an endpoint" 2 \
  "give --data-dir DIR or --endpoint-url URL" "$brook_bin" streams
expect_failure "a wrong secret key" 1 "InvalidSignatureException" \
  env AWS_SECRET_ACCESS_KEY=wrong "$brook_bin" --endpoint-url "$url" streams
expect_failure "an unknown access key" 1 "UnrecognizedClientException" \
  env AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$brook_bin" --endpoint-url "$url" streams
expect_failure "no credentials" 2 "no AWS credentials" \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$brook_bin" \
  --endpoint-url "$url" streams
expect_failure "a malformed endpoint" 2 "InvalidArgumentException" \
  "$brook_bin" --endpoint-url ftp://127.0.0.1 streams
# Port 1 on loopback: nothing listens there.
expect_failure "an unreachable endpoint" 1 "InternalFailure" \
  env AWS_MAX_ATTEMPTS=1 "$brook_bin" --endpoint-url http://127.0.0.1:1 streams
# A web server that is not Kinesis.
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work" \
  > "$work/web.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  web_port=$(grep -o 'port [0-9]*' "$work/web.out" | cut -d' ' -f2)
  [[ -n "$web_port" ]] && break
  sleep 0.1
done
expect_failure "an endpoint that is not Kinesis" 1 "InternalFailure" \
  env AWS_MAX_ATTEMPTS=1 "$brook_bin" \
  --endpoint-url "http://127.0.0.1:$web_port" streams

finish_checks
