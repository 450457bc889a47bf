#!/usr/bin/env bash
# The AWS CLI (Debian's awscli, installed by setup.sh), unchanged, against a
# brookd started here: a few commands and one error name.
# Usage: aws_cli_test.sh PATH_TO_BROOKD
set -euo pipefail

brookd=$1
aws=/usr/bin/aws
data_dir=$(mktemp -d)
log=$(mktemp)
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data_dir" "$log"
}
"$brookd" --data_dir="$data_dir" --port=0 >"$log" &
server=$!
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q "serving" "$log" && break
  sleep 0.05
done
port=$(grep -o '127\.0\.0\.1:[0-9]*' "$log" | cut -d: -f2)

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
kinesis() { "$aws" --endpoint-url "http://127.0.0.1:$port" kinesis "$@"; }

kinesis create-stream --stream-name cli --shard-count 1
kinesis list-streams | grep -q '"cli"'
kinesis put-record --stream-name cli --partition-key k --data aGVsbG8= \
  | grep -q '"ShardId": "shardId-000000000000"'
iterator=$(kinesis get-shard-iterator --stream-name cli \
  --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON \
  --query ShardIterator --output text)
kinesis get-records --shard-iterator "$iterator" | grep -q '"Data": "aGVsbG8="'
# The CLI sends back the creation time it printed in whole epoch seconds;
# Kinesis finds the stream with it.
created=$(kinesis describe-stream-summary --stream-name cli \
  --query StreamDescriptionSummary.StreamCreationTimestamp --output text)
kinesis list-shards --stream-name cli --stream-creation-timestamp "$created" \
  | grep -q '"ShardId": "shardId-000000000000"'
if kinesis describe-stream --stream-name missing 2>"$log.err"; then
  echo "describing a missing stream succeeded" >&2
  exit 1
fi
grep -q ResourceNotFoundException "$log.err"
rm -f "$log.err"
echo "AWS CLI against brookd: OK"
