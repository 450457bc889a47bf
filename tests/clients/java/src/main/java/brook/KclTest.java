// A Kinesis Client Library 2 application consuming a stream from brookd,
// its lease table in a local DynamoDB (dynalite), metrics off: records put
// before and after a shard split are each processed at least once, in
// order per partition key, and every shard is checkpointed, by polling
// (GetRecords) or by enhanced fan-out (SubscribeToShard over HTTP/2).
//
// Usage: java brook.KclTest KINESIS_ENDPOINT DYNAMODB_ENDPOINT polling|fanout
package brook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.common.KinesisClientUtil;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.RetrievalConfig;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

public final class KclTest {
  private static final int KEYS = 8;
  private static final int PER_KEY = 25;  // Per phase: before and after the split.
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

  // Per key, the sequence of per-key counters in the order processed.
  private static final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
  private static final List<String> shardsEnded = new CopyOnWriteArrayList<>();
  // Per shard, the sequence number of the last record checkpointed.
  private static final Map<String, String> checkpointed = new ConcurrentHashMap<>();

  static final class Processor implements ShardRecordProcessor {
    private String shardId;

    @Override
    public void initialize(InitializationInput input) {
      shardId = input.shardId();
    }

    @Override
    public void processRecords(ProcessRecordsInput input) {
      for (KinesisClientRecord record : input.records()) {
        String text = StandardCharsets.UTF_8.decode(record.data()).toString();
        String[] parts = text.split(":");
        seen.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>())
            .add(Integer.parseInt(parts[1]));
      }
      try {
        input.checkpointer().checkpoint();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
      if (!input.records().isEmpty()) {
        checkpointed.put(shardId,
            input.records().get(input.records().size() - 1).sequenceNumber());
      }
    }

    @Override
    public void leaseLost(LeaseLostInput input) {}

    @Override
    public void shardEnded(ShardEndedInput input) {
      try {
        input.checkpointer().checkpoint();
        shardsEnded.add(shardId);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {}
  }

  private static void put(KinesisClient kinesis, String stream, int from, int to) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = from; i < to; i++) {
      for (int k = 0; k < KEYS; k++) {
        entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + k)
            .data(SdkBytes.fromUtf8String("key-" + k + ":" + i)).build());
      }
    }
    int failed = kinesis.putRecords(b -> b.streamName(stream).records(entries))
        .failedRecordCount();
    if (failed != 0) throw new AssertionError(failed + " records failed");
  }

  private static boolean allSeen() {
    if (seen.size() < KEYS) return false;
    for (List<Integer> counters : seen.values()) {
      if (!counters.containsAll(java.util.stream.IntStream.range(0, 2 * PER_KEY)
              .boxed().toList())) {
        return false;
      }
    }
    return true;
  }

  // Whether the lease table holds what the processors checkpointed: the
  // last record's sequence number of each shard that had records, and
  // SHARD_END for each shard that ended (unless its lease is already gone,
  // as the KCL deletes a finished parent's lease once its children have
  // checkpointed).
  private static boolean leasesCheckpointed(DynamoDbAsyncClient dynamo, String table) {
    Map<String, String> leases = new java.util.HashMap<>();
    for (Map<String, AttributeValue> item :
        dynamo.scan(b -> b.tableName(table).consistentRead(true)).join().items()) {
      leases.put(item.get("leaseKey").s(), item.get("checkpoint").s());
    }
    boolean ok = true;
    for (Map.Entry<String, String> entry : checkpointed.entrySet()) {
      String expected = shardsEnded.contains(entry.getKey()) ? "SHARD_END" : entry.getValue();
      String lease = leases.get(entry.getKey());
      if (!(expected.equals(lease) || (lease == null && expected.equals("SHARD_END")))) {
        System.out.println("FAIL lease of " + entry.getKey() + ": checkpoint " + lease
            + ", expected " + expected);
        ok = false;
      }
    }
    return ok;
  }

  public static void main(String[] args) throws Exception {
    URI kinesisEndpoint = URI.create(args[0]);
    URI dynamoEndpoint = URI.create(args[1]);
    boolean fanOut = args[2].equals("fanout");
    String stream = "kcl-" + args[2];
    KinesisClient kinesis = KinesisClient.builder().endpointOverride(kinesisEndpoint)
        .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
    kinesis.createStream(b -> b.streamName(stream).shardCount(2));
    put(kinesis, stream, 0, PER_KEY);

    KinesisAsyncClient kinesisAsync = KinesisClientUtil.createKinesisAsyncClient(
        KinesisAsyncClient.builder().endpointOverride(kinesisEndpoint)
            .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS));
    DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder().endpointOverride(dynamoEndpoint)
        .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
    CloudWatchAsyncClient cloudWatch = CloudWatchAsyncClient.builder()
        .region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
    ConfigsBuilder configs = new ConfigsBuilder(stream, "app-" + args[2], kinesisAsync,
        dynamo, cloudWatch, UUID.randomUUID().toString(), Processor::new);
    // From the stream's start, so that the records put before the
    // application started count too.
    RetrievalConfig retrieval = configs.retrievalConfig().initialPositionInStreamExtended(
        InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON));
    Scheduler scheduler = new Scheduler(
        configs.checkpointConfig(),
        configs.coordinatorConfig(),
        configs.leaseManagementConfig().failoverTimeMillis(2000).shardSyncIntervalMillis(1000),
        configs.lifecycleConfig(),
        configs.metricsConfig().metricsLevel(MetricsLevel.NONE),
        configs.processorConfig(),
        fanOut ? retrieval
               : retrieval.retrievalSpecificConfig(
                     new PollingConfig(stream, kinesisAsync).idleTimeBetweenReadsInMillis(200)));
    Thread worker = new Thread(scheduler);
    worker.setDaemon(true);
    worker.start();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (seen.values().stream().mapToInt(List::size).sum() < KEYS * PER_KEY / 2
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    kinesis.splitShard(b -> b.streamName(stream).shardToSplit("shardId-000000000000")
        .newStartingHashKey("85070591730234615865843651857942052864"));
    put(kinesis, stream, PER_KEY, 2 * PER_KEY);
    while (!(allSeen() && shardsEnded.contains("shardId-000000000000"))
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    boolean ok = allSeen() && shardsEnded.contains("shardId-000000000000")
        && leasesCheckpointed(dynamo, "app-" + args[2]);
    for (Map.Entry<String, List<Integer>> entry : seen.entrySet()) {
      // Per-key order: each counter is first seen after every smaller one.
      List<Integer> firsts = new ArrayList<>();
      for (int counter : entry.getValue()) {
        if (!firsts.contains(counter)) firsts.add(counter);
      }
      for (int i = 1; i < firsts.size(); i++) {
        if (firsts.get(i) < firsts.get(i - 1)) {
          ok = false;
          System.out.println("FAIL order of " + entry.getKey() + ": " + entry.getValue());
          break;
        }
      }
    }
    int processed = seen.values().stream().mapToInt(List::size).sum();
    System.out.println((ok ? "ok   " : "FAIL ") + "KCL " + args[2] + ": "
        + processed + " records processed of " + 2 * KEYS * PER_KEY
        + ", across a split; leases checkpointed for " + checkpointed.keySet()
        + ", ended: " + shardsEnded);
    System.out.println((ok ? 1 : 0) + " passed, " + (ok ? 0 : 1) + " failed");
    scheduler.shutdown();
    System.exit(ok ? 0 : 1);
  }
}
