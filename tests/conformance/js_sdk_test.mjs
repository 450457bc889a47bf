// brookd against the newest AWS SDK for JavaScript v3 Kinesis client (the
// version pinned in package-lock.json): every operation the SDK knows gets
// an answer that is not UnknownOperationException, and the request shapes
// of the current API (StreamARN on data operations, MaxRecordSizeInKiB,
// StreamModeDetails) work end to end, with the SDK's default (HTTP/2)
// handler.
//
// Usage: node js_sdk_test.mjs ENDPOINT, from a folder that holds this
// package's node_modules and tests/clients/js/sdk_test_harness.mjs (as
// js_sdk_test.sh sets it up).
import * as sdk from "@aws-sdk/client-kinesis";
import assert from "node:assert/strict";

import { clientOptions, harness } from "./sdk_test_harness.mjs";

const endpoint = process.argv[2];
const client = new sdk.KinesisClient(clientOptions(endpoint));
const { test, errorName, finish } = harness(client);

const commands = Object.keys(sdk)
  .filter((name) => name.endsWith("Command") && name !== "Command" &&
                    name !== "$Command")
  .sort();

await test(`the SDK has the ${commands.length} operations of the current API`,
           () => assert.ok(commands.length >= 45, commands.join(", ")));

for (const name of commands) {
  await test(`${name.replace(/Command$/, "")} answers`, async () => {
    const answer = await errorName(new sdk[name]({}));
    assert.notEqual(answer, "UnknownOperationException");
  });
}

const stream = `js-${process.pid}`;
await test("CreateStream with MaxRecordSizeInKiB and StreamModeDetails",
           async () => {
  await client.send(new sdk.CreateStreamCommand({
    StreamName: stream, ShardCount: 1, MaxRecordSizeInKiB: 2048,
    StreamModeDetails: { StreamMode: "PROVISIONED" },
  }));
  const summary = await client.send(
      new sdk.DescribeStreamSummaryCommand({ StreamName: stream }));
  const description = summary.StreamDescriptionSummary;
  assert.equal(description.MaxRecordSizeInKiB, 2048);
  assert.ok(description.StreamCreationTimestamp instanceof Date);
  assert.ok(Math.abs(description.StreamCreationTimestamp - Date.now()) <
            60000);
});

await test("StreamARN on the data operations", async () => {
  const { StreamDescriptionSummary: { StreamARN } } = await client.send(
      new sdk.DescribeStreamSummaryCommand({ StreamName: stream }));
  const put = await client.send(new sdk.PutRecordCommand({
    StreamARN, PartitionKey: "k", Data: new TextEncoder().encode("hello"),
  }));
  await client.send(new sdk.PutRecordsCommand({
    StreamARN,
    Records: [{ PartitionKey: "k", Data: new TextEncoder().encode("world") }],
  }));
  const { Shards } = await client.send(new sdk.ListShardsCommand({ StreamARN }));
  const { ShardIterator } = await client.send(new sdk.GetShardIteratorCommand({
    StreamARN, ShardId: Shards[0].ShardId, ShardIteratorType: "TRIM_HORIZON",
  }));
  const got = await client.send(
      new sdk.GetRecordsCommand({ StreamARN, ShardIterator }));
  assert.equal(got.Records.length, 2);
  assert.equal(got.Records[0].SequenceNumber, put.SequenceNumber);
  assert.equal(new TextDecoder().decode(got.Records[0].Data), "hello");
  assert.ok(got.Records[0].ApproximateArrivalTimestamp instanceof Date);
  assert.equal(got.MillisBehindLatest, 0);
});

await test("ON_DEMAND streams start with 4 shards and switch modes", async () => {
  const name = `${stream}-od`;
  await client.send(new sdk.CreateStreamCommand({
    StreamName: name, StreamModeDetails: { StreamMode: "ON_DEMAND" },
  }));
  const { StreamDescriptionSummary: summary } = await client.send(
      new sdk.DescribeStreamSummaryCommand({ StreamName: name }));
  assert.equal(summary.StreamModeDetails.StreamMode, "ON_DEMAND");
  assert.equal(summary.OpenShardCount, 4);
  await client.send(new sdk.UpdateStreamModeCommand({
    StreamARN: summary.StreamARN,
    StreamModeDetails: { StreamMode: "PROVISIONED" },
  }));
  const after = await client.send(
      new sdk.DescribeStreamSummaryCommand({ StreamName: name }));
  assert.equal(after.StreamDescriptionSummary.StreamModeDetails.StreamMode,
               "PROVISIONED");
  await client.send(new sdk.DeleteStreamCommand({ StreamName: name }));
});

await test("model violations are ValidationExceptions", async () => {
  assert.equal(await errorName(new sdk.CreateStreamCommand({
    StreamName: `${stream}-zero`, ShardCount: 0,
  })), "ValidationException");
});

await client.send(new sdk.DeleteStreamCommand({ StreamName: stream }));
finish();
