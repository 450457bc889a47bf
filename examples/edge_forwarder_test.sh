#!/usr/bin/env bash
# Runs examples/edge_forwarder against a brookd started for it, then checks
# with the remote Broker's own view (brookd's GET /metrics) that every
# reading arrived (boto3 turns on the stream's IncomingRecords metric).
# Usage: edge_forwarder_test.sh BROOKD EDGE_FORWARDER WORK_DIR
set -euo pipefail
brookd=$1
forwarder=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
log="$work/brookd.log"
"$brookd" --data_dir="$work/cloud" --port=0 --durability=nosync \
  --access_key_id=AKIDEDGE --secret_access_key=edge-secret \
  --metrics_token=edge-metrics >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "serving" "$log" && break
  sleep 0.1
done
endpoint=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)
AWS_ACCESS_KEY_ID=AKIDEDGE AWS_SECRET_ACCESS_KEY=edge-secret \
  AWS_REGION=us-east-1 "$forwarder" "$work/edge" "$endpoint" 2000
incoming=$(AWS_ACCESS_KEY_ID=AKIDEDGE AWS_SECRET_ACCESS_KEY=edge-secret \
  python3 - "$endpoint" <<'PY'
import sys, urllib.request
import boto3
# /metrics shows the shard-level metrics a stream enabled, as Kinesis
# publishes only those; the counters run either way.
boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1") \
    .enable_enhanced_monitoring(StreamName="telemetry",
                                ShardLevelMetrics=["IncomingRecords"])
total = 0
request = urllib.request.Request(
    sys.argv[1] + "/metrics", headers={"Authorization": "Bearer edge-metrics"})
for line in urllib.request.urlopen(request).read().decode().splitlines():
    if line.startswith("brook_shard_incoming_records_total{stream=\"telemetry\""):
        total += int(line.split()[-1])
print(total)
PY
)
echo "brookd received $incoming readings"
test "$incoming" -ge 2000
