// brookd against the AWS SDK for Java v2 with its default clients: CBOR
// bodies, the sync client over HTTP/1.1 and the async client (Netty) over
// HTTP/2, h2c with prior knowledge over http:// and HTTP/2 without ALPN
// over https://. Nothing is configured but the endpoint, region and
// credentials (and, over https, the JVM's trust store).
//
// Usage: java brook.JavaSdkTest HTTP_ENDPOINT HTTPS_ENDPOINT
package brook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.model.Record;

public final class JavaSdkTest {
  private static int passed = 0;
  private static int failed = 0;

  interface Body {
    void run() throws Exception;
  }

  private static void test(String name, Body body) {
    try {
      body.run();
      passed++;
      System.out.println("ok   " + name);
    } catch (Throwable error) {
      failed++;
      System.out.println("FAIL " + name + ": " + error);
      error.printStackTrace(System.out);
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) throw new AssertionError(what);
  }

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

  private static Throwable cause(Throwable error) {
    return error instanceof CompletionException ? error.getCause() : error;
  }

  // Create, put, put-batch, iterators, get and errors through `sync`.
  private static void dataPath(String label, KinesisClient sync, String stream) {
    test(label + ": create and describe", () -> {
      sync.createStream(b -> b.streamName(stream).shardCount(2));
      StreamDescriptionSummary summary =
          sync.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary();
      check(summary.streamStatus() == StreamStatus.ACTIVE, "ACTIVE");
      check(summary.openShardCount() == 2, "2 shards");
      check(summary.streamCreationTimestamp().isAfter(Instant.now().minusSeconds(600))
              && summary.streamCreationTimestamp().isBefore(Instant.now().plusSeconds(600)),
          "creation timestamp now, not off by 1000: " + summary.streamCreationTimestamp());
    });
    Instant before = Instant.now().minusSeconds(1);
    test(label + ": put, put-batch, iterators and get", () -> {
      PutRecordResponse one = sync.putRecord(b -> b.streamName(stream)
          .partitionKey("k").explicitHashKey("0")
          .data(SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 255})));
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + i).explicitHashKey("0")
            .data(SdkBytes.fromString("batch-" + i, StandardCharsets.UTF_8)).build());
      }
      PutRecordsResponse batch = sync.putRecords(b -> b.streamName(stream).records(entries));
      check(batch.failedRecordCount() == 0, "no failed record");
      String shard = one.shardId();
      for (ShardIteratorType type :
          new ShardIteratorType[] {ShardIteratorType.TRIM_HORIZON, ShardIteratorType.AT_TIMESTAMP}) {
        String iterator = sync.getShardIterator(b -> b.streamName(stream).shardId(shard)
            .shardIteratorType(type).timestamp(type == ShardIteratorType.AT_TIMESTAMP ? before : null))
            .shardIterator();
        GetRecordsResponse got = sync.getRecords(b -> b.shardIterator(iterator));
        check(got.records().size() == 11, type + ": 11 records, got " + got.records().size());
        Record first = got.records().get(0);
        check(first.data().asByteArray().length == 4 && first.data().asByteArray()[3] == (byte) 255,
            "blob bytes round-trip");
        check(first.sequenceNumber().equals(one.sequenceNumber()), "sequence number");
        check(Math.abs(first.approximateArrivalTimestamp().toEpochMilli()
                  - System.currentTimeMillis()) < 600_000,
            "arrival timestamp: " + first.approximateArrivalTimestamp());
        check(got.records().get(10).data().asUtf8String().equals("batch-9"), "order");
      }
    });
    test(label + ": errors by name", () -> {
      try {
        sync.describeStreamSummary(b -> b.streamName(stream + "-absent"));
        throw new AssertionError("no error");
      } catch (ResourceNotFoundException expected) {
        check(expected.statusCode() == 400, "400");
      }
      try {
        sync.createStream(b -> b.streamName(stream).shardCount(1));
        throw new AssertionError("no error");
      } catch (ResourceInUseException expected) {
      }
      try {
        sync.getShardIterator(b -> b.streamName(stream).shardId("shardId-000000000000")
            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber("x"));
        throw new AssertionError("no error");
      } catch (ValidationException expected) {  // The model's pattern.
      }
    });
  }

  private static void asyncPath(String label, KinesisAsyncClient client, String stream) {
    test(label + ": create, put, get and errors", () -> {
      client.createStream(b -> b.streamName(stream).shardCount(1)).get(30, TimeUnit.SECONDS);
      PutRecordResponse put = client.putRecord(b -> b.streamName(stream).partitionKey("k")
          .data(SdkBytes.fromUtf8String("async"))).get(30, TimeUnit.SECONDS);
      String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(put.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get(30, TimeUnit.SECONDS).shardIterator();
      GetRecordsResponse got =
          client.getRecords(b -> b.shardIterator(iterator)).get(30, TimeUnit.SECONDS);
      check(got.records().size() == 1 && got.records().get(0).data().asUtf8String().equals("async"),
          "the record");
      try {
        client.describeStreamSummary(b -> b.streamName(stream + "-absent")).get(30, TimeUnit.SECONDS);
        throw new AssertionError("no error");
      } catch (Exception error) {
        check(cause(error.getCause() == null ? error : error.getCause())
                instanceof ResourceNotFoundException, "ResourceNotFoundException: " + error);
      }
    });
    test(label + ": SubscribeToShard receives records", () -> {
      String arn = client.describeStreamSummary(b -> b.streamName(stream)).get(30, TimeUnit.SECONDS)
          .streamDescriptionSummary().streamARN();
      Consumer consumer = client.registerStreamConsumer(b -> b.streamARN(arn).consumerName("c"))
          .get(30, TimeUnit.SECONDS).consumer();
      List<String> received = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> seen = new CompletableFuture<>();
      SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
          .onError(seen::completeExceptionally)
          .subscriber(SubscribeToShardResponseHandler.Visitor.builder()
              .onSubscribeToShardEvent(event -> {
                for (Record record : event.records()) received.add(record.data().asUtf8String());
                if (received.size() >= 2) seen.complete(null);
              })
              .build())
          .build();
      CompletableFuture<Void> subscription = client.subscribeToShard(b -> b
          .consumerARN(consumer.consumerARN()).shardId("shardId-000000000000")
          .startingPosition(p -> p.type(ShardIteratorType.TRIM_HORIZON)), handler);
      client.putRecord(b -> b.streamName(stream).partitionKey("k")
          .data(SdkBytes.fromUtf8String("pushed"))).get(30, TimeUnit.SECONDS);
      seen.get(30, TimeUnit.SECONDS);
      check(received.get(0).equals("async") && received.get(1).equals("pushed"),
          "records in order: " + received);
      subscription.cancel(true);
    });
  }

  public static void main(String[] args) throws Exception {
    URI http = URI.create(args[0]);
    URI https = URI.create(args[1]);
    try (KinesisClient sync = KinesisClient.builder().endpointOverride(http)
             .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build()) {
      dataPath("sync over HTTP/1.1", sync, "java-sync");
    }
    try (KinesisClient sync = KinesisClient.builder().endpointOverride(https)
             .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build()) {
      dataPath("sync over TLS", sync, "java-sync-tls");
    }
    try (KinesisAsyncClient client = KinesisAsyncClient.builder().endpointOverride(http)
             .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build()) {
      asyncPath("async over h2c", client, "java-async");
    }
    try (KinesisAsyncClient client = KinesisAsyncClient.builder().endpointOverride(https)
             .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build()) {
      asyncPath("async over TLS without ALPN", client, "java-async-tls");
    }
    System.out.println(passed + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}
