// brookd against the AWS SDK for JavaScript v3 Kinesis client with its
// default client: NodeHttp2Handler, which speaks HTTP/2 for every
// operation (h2c with prior knowledge over http://), one connection per
// request. Nothing is configured but the endpoint, region and credentials.
//
// Usage: node js_sdk_test.mjs ENDPOINT
import * as sdk from "@aws-sdk/client-kinesis";
import assert from "node:assert/strict";

import { clientOptions, harness } from "./sdk_test_harness.mjs";

const endpoint = process.argv[2];
const client = new sdk.KinesisClient(clientOptions(endpoint));
const { test, errorName, finish } = harness(client);

const send = (Command, input) => client.send(new Command(input));
const text = (bytes) => new TextDecoder().decode(bytes);
const bytes = (s) => new TextEncoder().encode(s);
const stream = `js-${process.pid}`;
let arn;

await test("CreateStream, DescribeStream(Summary), ListStreams", async () => {
  await send(sdk.CreateStreamCommand, { StreamName: stream, ShardCount: 2 });
  const { StreamDescriptionSummary: summary } =
      await send(sdk.DescribeStreamSummaryCommand, { StreamName: stream });
  arn = summary.StreamARN;
  assert.equal(summary.StreamStatus, "ACTIVE");
  assert.ok(Math.abs(summary.StreamCreationTimestamp - Date.now()) < 600000);
  const { StreamDescription } =
      await send(sdk.DescribeStreamCommand, { StreamName: stream });
  assert.equal(StreamDescription.Shards.length, 2);
  const { StreamNames } = await send(sdk.ListStreamsCommand, {});
  assert.ok(StreamNames.includes(stream));
});

await test("PutRecord, PutRecords, ListShards, GetShardIterator, GetRecords",
           async () => {
  const put = await send(sdk.PutRecordCommand, {
    StreamName: stream, PartitionKey: "k", ExplicitHashKey: "0",
    Data: new Uint8Array([0, 1, 2, 255]),
  });
  const batch = await send(sdk.PutRecordsCommand, {
    StreamName: stream,
    Records: [...Array(10).keys()].map((i) => ({
      PartitionKey: `k${i}`, ExplicitHashKey: "0", Data: bytes(`batch-${i}`),
    })),
  });
  assert.equal(batch.FailedRecordCount, 0);
  const { Shards } = await send(sdk.ListShardsCommand, { StreamName: stream });
  assert.equal(Shards.length, 2);
  for (const [type, extra] of [["TRIM_HORIZON", {}],
                               ["AT_TIMESTAMP",
                                { Timestamp: new Date(Date.now() - 60000) }],
                               ["AT_SEQUENCE_NUMBER",
                                { StartingSequenceNumber: put.SequenceNumber }]]) {
    const { ShardIterator } = await send(sdk.GetShardIteratorCommand, {
      StreamName: stream, ShardId: put.ShardId, ShardIteratorType: type,
      ...extra,
    });
    const got = await send(sdk.GetRecordsCommand, { ShardIterator });
    assert.equal(got.Records.length, 11, type);
    assert.deepEqual([...got.Records[0].Data], [0, 1, 2, 255]);
    assert.equal(text(got.Records[10].Data), "batch-9");
    assert.ok(got.Records[0].ApproximateArrivalTimestamp instanceof Date);
  }
});

await test("tags, retention, split, merge, UpdateShardCount", async () => {
  await send(sdk.AddTagsToStreamCommand, { StreamName: stream,
                                           Tags: { team: "brook" } });
  const { Tags } = await send(sdk.ListTagsForStreamCommand,
                              { StreamName: stream });
  assert.deepEqual(Tags, [{ Key: "team", Value: "brook" }]);
  await send(sdk.RemoveTagsFromStreamCommand, { StreamName: stream,
                                                TagKeys: ["team"] });
  await send(sdk.IncreaseStreamRetentionPeriodCommand,
             { StreamName: stream, RetentionPeriodHours: 48 });
  await send(sdk.DecreaseStreamRetentionPeriodCommand,
             { StreamName: stream, RetentionPeriodHours: 24 });
  await send(sdk.SplitShardCommand, {
    StreamName: stream, ShardToSplit: "shardId-000000000001",
    NewStartingHashKey: "255211775190703847597530955573826158592",
  });
  await send(sdk.MergeShardsCommand, {
    StreamName: stream, ShardToMerge: "shardId-000000000002",
    AdjacentShardToMerge: "shardId-000000000003",
  });
  const { Shards } = await send(sdk.ListShardsCommand, { StreamName: stream });
  assert.equal(Shards.length, 5);
  // On a stream of its own: it closes every open shard, and the
  // subscription below reads shard 0 of the first stream.
  const other = `${stream}-scaled`;
  await send(sdk.CreateStreamCommand, { StreamName: other, ShardCount: 1 });
  const scaled = await send(sdk.UpdateShardCountCommand, {
    StreamName: other, TargetShardCount: 2, ScalingType: "UNIFORM_SCALING",
  });
  assert.equal(scaled.TargetShardCount, 2);
  await send(sdk.DeleteStreamCommand, { StreamName: other });
});

await test("error names", async () => {
  assert.equal(await errorName(new sdk.DescribeStreamSummaryCommand({
    StreamName: `${stream}-absent` })), "ResourceNotFoundException");
  assert.equal(await errorName(new sdk.CreateStreamCommand({
    StreamName: stream, ShardCount: 1 })), "ResourceInUseException");
  assert.equal(await errorName(new sdk.GetShardIteratorCommand({
    StreamName: stream, ShardId: "shardId-000000000000",
    ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "x" })),
    "ValidationException");  // The model's pattern for sequence numbers.
});

await test("SubscribeToShard receives records", async () => {
  const { Consumer } = await send(sdk.RegisterStreamConsumerCommand,
                                  { StreamARN: arn, ConsumerName: "c" });
  const { Consumers } = await send(sdk.ListStreamConsumersCommand,
                                   { StreamARN: arn });
  assert.equal(Consumers.length, 1);
  const described = await send(sdk.DescribeStreamConsumerCommand,
                               { ConsumerARN: Consumer.ConsumerARN });
  assert.equal(described.ConsumerDescription.ConsumerName, "c");
  const { EventStream } = await send(sdk.SubscribeToShardCommand, {
    ConsumerARN: Consumer.ConsumerARN, ShardId: "shardId-000000000000",
    StartingPosition: { Type: "TRIM_HORIZON" },
  });
  await send(sdk.PutRecordCommand, {
    StreamName: stream, PartitionKey: "k", ExplicitHashKey: "0",
    Data: bytes("pushed"),
  });
  const seen = [];
  for await (const event of EventStream) {
    for (const record of event.SubscribeToShardEvent?.Records ?? []) {
      seen.push(text(record.Data));
    }
    if (seen.includes("pushed")) break;
  }
  assert.equal(seen.length, 12);
  assert.equal(seen[1], "batch-0");
  await send(sdk.DeregisterStreamConsumerCommand,
             { ConsumerARN: Consumer.ConsumerARN });
});

await test("DeleteStream", async () => {
  await send(sdk.DeleteStreamCommand, { StreamName: stream });
  assert.equal(await errorName(new sdk.DescribeStreamSummaryCommand({
    StreamName: stream })), "ResourceNotFoundException");
});

finish();
