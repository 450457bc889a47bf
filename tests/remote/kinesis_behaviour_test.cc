// One suite of Kinesis behaviour, run against a local Broker (Broker::Open)
// and against a remote one (Broker::Connect) talking to a brookd that the
// test starts (SubscribeToShard over h2c, over HTTP/1.1, and over TLS with
// HTTP/2 chosen by ALPN): the same assertions must hold on both, so that an
// application moves from one to the other unchanged. Expected values come
// from the Kinesis API reference.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/brookd_process.h"
#include "testing/status_matchers.h"
#include "testing/subscription_recorder.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

// A Broker of the kind the suite runs against.
class LocalTarget {
 public:
  absl::StatusOr<std::unique_ptr<Broker>> Make() {
    return Broker::Open(BrokerOptions(), dir_.path());
  }

 private:
  testing::TempDir dir_;
};

// How the remote Broker reaches the brookd: SubscribeToShard over h2c
// (the default), over HTTP/1.1, or everything over TLS (HTTP/2 by ALPN).
enum class Wire { kH2c, kHttp1, kTls };

template <Wire kWire>
class RemoteTarget {
 public:
  absl::StatusOr<std::unique_ptr<Broker>> Make() {
    if (absl::Status started = brookd_.Start(); !started.ok()) return started;
    ConnectOptions options = testing::TestConnectOptions();
    std::string endpoint = brookd_.endpoint();
    if (kWire == Wire::kHttp1) {
      options.subscribe_http_version = SubscribeHttpVersion::kHttp1_1;
    }
    if (kWire == Wire::kTls) {
      options.ca_file = BROOK_REMOTE_FIXTURES "/ca.pem";
      endpoint = absl::StrCat("https://localhost:", brookd_.port());
    }
    return Broker::Connect(options, endpoint);
  }

 private:
  static std::vector<std::string> Flags() {
    std::vector<std::string> flags = {"--durability=nosync",
                                      "--access_key_id=AKIDTEST",
                                      "--secret_access_key=secret"};
    if (kWire == Wire::kTls) {
      flags.push_back("--tls_cert=" BROOK_REMOTE_FIXTURES "/server.pem");
      flags.push_back("--tls_key=" BROOK_REMOTE_FIXTURES "/server.key");
    }
    return flags;
  }

  testing::TempDir dir_;
  testing::BrookdProcess brookd_{BROOK_BROOKD, dir_.Sub("brookd"), Flags()};
};

template <typename Target>
class KinesisBehaviourTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(broker_, target_.Make()); }
  void TearDown() override {
    if (broker_ != nullptr) {
      EXPECT_OK(broker_->Close());
    }
  }

  Broker& broker() { return *broker_; }

  void Create(const std::string& stream, int shards) {
    CreateStreamRequest request;
    request.stream_name = stream;
    request.shard_count = shards;
    request.options.limits = StreamLimits::Unlimited();
    ASSERT_OK(broker().CreateStream(request));
  }

  PutRecordResult Put(const std::string& stream, const std::string& key,
                      const std::string& data) {
    PutRecordRequest request;
    request.stream = stream;
    request.partition_key = key;
    request.data = data;
    absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
    EXPECT_OK(result);
    return result.ok() ? *result : PutRecordResult();
  }

  std::string Iterator(const std::string& stream, const std::string& shard,
                       ShardIteratorType type,
                       absl::optional<SequenceNumber> at = absl::nullopt) {
    GetShardIteratorRequest request;
    request.stream = stream;
    request.shard_id = shard;
    request.shard_iterator_type = type;
    request.starting_sequence_number = at;
    absl::StatusOr<GetShardIteratorResult> result =
        broker().GetShardIterator(request);
    EXPECT_OK(result);
    return result.ok() ? result->shard_iterator : "";
  }

  // The data of every record from `iterator` on.
  std::vector<std::string> ReadData(std::string iterator) {
    std::vector<std::string> data;
    for (int reads = 0; reads < 100 && !iterator.empty(); ++reads) {
      absl::StatusOr<GetRecordsResult> result =
          broker().GetRecords({iterator, 1000});
      EXPECT_OK(result);
      if (!result.ok() || result->records.empty()) break;
      for (const Record& record : result->records) data.push_back(record.data);
      iterator = result->next_shard_iterator;
    }
    return data;
  }

  std::vector<Shard> Shards(const std::string& stream) {
    ListShardsRequest request;
    request.stream = stream;
    absl::StatusOr<ListShardsResult> result = broker().ListShards(request);
    EXPECT_OK(result);
    return result.ok() ? result->shards : std::vector<Shard>();
  }

 private:
  Target target_;
  std::unique_ptr<Broker> broker_;
};

using Targets =
    ::testing::Types<LocalTarget, RemoteTarget<Wire::kH2c>,
                     RemoteTarget<Wire::kHttp1>, RemoteTarget<Wire::kTls>>;
class TargetNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, LocalTarget>) return "Local";
    if (std::is_same_v<T, RemoteTarget<Wire::kHttp1>>) return "RemoteHttp1";
    if (std::is_same_v<T, RemoteTarget<Wire::kTls>>) return "RemoteTls";
    return "Remote";
  }
};
TYPED_TEST_SUITE(KinesisBehaviourTest, Targets, TargetNames);

TYPED_TEST(KinesisBehaviourTest, CreateStream_IsActiveWithItsShards) {
  this->Create("orders", 3);
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  EXPECT_EQ(summary.stream_name, "orders");
  EXPECT_EQ(summary.stream_status, StreamStatus::kActive);
  EXPECT_EQ(summary.open_shard_count, 3);
  EXPECT_EQ(summary.retention_period_hours, 24);
  EXPECT_EQ(summary.limits, StreamLimits::Unlimited());
  EXPECT_THAT(summary.stream_arn, ::testing::EndsWith(":stream/orders"));
  const std::vector<Shard> shards = this->Shards("orders");
  ASSERT_THAT(shards, SizeIs(3));
  EXPECT_EQ(shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(shards[0].hash_key_range.starting_hash_key, 0);
  EXPECT_EQ(shards[2].hash_key_range.ending_hash_key, ~absl::uint128(0));
}

TYPED_TEST(KinesisBehaviourTest, CreateStream_SecondTimeIsResourceInUse) {
  this->Create("orders", 1);
  CreateStreamRequest again;
  again.stream_name = "orders";
  EXPECT_THAT(this->broker().CreateStream(again),
              HasErrorName(ErrorName::kResourceInUseException));
}

TYPED_TEST(KinesisBehaviourTest, UnknownStream_IsResourceNotFound) {
  EXPECT_THAT(this->broker().DescribeStreamSummary({"missing"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  PutRecordRequest put;
  put.stream = "missing";
  put.partition_key = "k";
  put.data = "d";
  EXPECT_THAT(this->broker().PutRecord(put),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TYPED_TEST(KinesisBehaviourTest, PutRecord_ReadBackInOrderWithKeys) {
  this->Create("orders", 1);
  const PutRecordResult first = this->Put("orders", "a", "one");
  const PutRecordResult second =
      this->Put("orders", "b", std::string("\0\xff", 2));
  EXPECT_EQ(first.shard_id, "shardId-000000000000");
  EXPECT_LT(first.sequence_number, second.sequence_number);
  ASSERT_OK_AND_ASSIGN(GetRecordsResult read,
                       this->broker().GetRecords(
                           {this->Iterator("orders", first.shard_id,
                                           ShardIteratorType::kTrimHorizon),
                            10}));
  ASSERT_THAT(read.records, SizeIs(2));
  EXPECT_EQ(read.records[0].data, "one");
  EXPECT_EQ(read.records[0].partition_key, "a");
  EXPECT_EQ(read.records[0].sequence_number, first.sequence_number);
  EXPECT_EQ(read.records[1].data, std::string("\0\xff", 2));
  EXPECT_FALSE(read.next_shard_iterator.empty());
  EXPECT_EQ(read.millis_behind_latest, 0);
}

TYPED_TEST(KinesisBehaviourTest, PutRecords_AnswersEachRecordInOrder) {
  this->Create("orders", 2);
  PutRecordsRequest request;
  request.stream = "orders";
  for (int i = 0; i < 20; ++i) {
    request.records.push_back({absl::StrCat("key-", i), absl::StrCat(i), ""});
  }
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result,
                       this->broker().PutRecords(request));
  EXPECT_EQ(result.failed_record_count, 0);
  ASSERT_THAT(result.records, SizeIs(20));
  for (const PutRecordsResultEntry& entry : result.records) {
    EXPECT_OK(entry.status);
    EXPECT_THAT(entry.shard_id, ::testing::StartsWith("shardId-"));
  }
}

TYPED_TEST(KinesisBehaviourTest, ExplicitHashKey_PicksTheShardOwningIt) {
  this->Create("orders", 2);
  PutRecordRequest put;
  put.stream = "orders";
  put.partition_key = "any";
  put.data = "x";
  put.explicit_hash_key = "340282366920938463463374607431768211455";
  ASSERT_OK_AND_ASSIGN(PutRecordResult result, this->broker().PutRecord(put));
  EXPECT_EQ(result.shard_id, "shardId-000000000001");
  put.explicit_hash_key = "0";
  ASSERT_OK_AND_ASSIGN(result, this->broker().PutRecord(put));
  EXPECT_EQ(result.shard_id, "shardId-000000000000");
}

TYPED_TEST(KinesisBehaviourTest, IteratorTypes_StartWhereKinesisSays) {
  this->Create("orders", 1);
  const PutRecordResult r10 = this->Put("orders", "k", "10");
  const PutRecordResult r20 = this->Put("orders", "k", "20");
  this->Put("orders", "k", "30");
  const std::string shard = r10.shard_id;
  EXPECT_THAT(this->ReadData(this->Iterator(
                  "orders", shard, ShardIteratorType::kAtSequenceNumber,
                  r20.sequence_number)),
              ElementsAre("20", "30"));
  EXPECT_THAT(this->ReadData(this->Iterator(
                  "orders", shard, ShardIteratorType::kAfterSequenceNumber,
                  r20.sequence_number)),
              ElementsAre("30"));
  const std::string latest =
      this->Iterator("orders", shard, ShardIteratorType::kLatest);
  EXPECT_THAT(this->ReadData(latest), IsEmpty());
  this->Put("orders", "k", "40");
  EXPECT_THAT(this->ReadData(latest), ElementsAre("40"));
}

TYPED_TEST(KinesisBehaviourTest, GetShardIterator_AtSequenceNumberNeedsOne) {
  this->Create("orders", 1);
  GetShardIteratorRequest request;
  request.stream = "orders";
  request.shard_id = "shardId-000000000000";
  request.shard_iterator_type = ShardIteratorType::kAtSequenceNumber;
  EXPECT_THAT(this->broker().GetShardIterator(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.shard_id = "shardId-000000000009";
  request.shard_iterator_type = ShardIteratorType::kTrimHorizon;
  EXPECT_THAT(this->broker().GetShardIterator(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TYPED_TEST(KinesisBehaviourTest, GetRecords_RejectsAForgedIterator) {
  this->Create("orders", 1);
  EXPECT_THAT(this->broker().GetRecords({"bm90IGFuIGl0ZXJhdG9y", 10}),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TYPED_TEST(KinesisBehaviourTest, SplitShard_ClosesTheParentAndNamesChildren) {
  this->Create("orders", 1);
  const PutRecordResult before = this->Put("orders", "k", "before");
  SplitShardRequest split;
  split.stream = "orders";
  split.shard_to_split = before.shard_id;
  split.new_starting_hash_key = "170141183460469231731687303715884105728";
  ASSERT_OK(this->broker().SplitShard(split));
  const std::vector<Shard> shards = this->Shards("orders");
  ASSERT_THAT(shards, SizeIs(3));
  EXPECT_TRUE(
      shards[0].sequence_number_range.ending_sequence_number.has_value());
  EXPECT_EQ(shards[1].parent_shard_id, before.shard_id);
  EXPECT_EQ(shards[2].parent_shard_id, before.shard_id);
  EXPECT_EQ(shards[2].hash_key_range.starting_hash_key, absl::uint128(1)
                                                            << 127);
  // The parent reads to its end: no next iterator, the children instead.
  ASSERT_OK_AND_ASSIGN(GetRecordsResult read,
                       this->broker().GetRecords(
                           {this->Iterator("orders", before.shard_id,
                                           ShardIteratorType::kTrimHorizon),
                            100}));
  ASSERT_THAT(read.records, SizeIs(1));
  if (!read.next_shard_iterator.empty()) {
    ASSERT_OK_AND_ASSIGN(
        read, this->broker().GetRecords({read.next_shard_iterator, 100}));
  }
  EXPECT_TRUE(read.next_shard_iterator.empty());
  ASSERT_THAT(read.child_shards, SizeIs(2));
  EXPECT_THAT(read.child_shards[0].parent_shards, ElementsAre(before.shard_id));
  // Puts now go to a child, above every parent sequence number.
  const PutRecordResult after = this->Put("orders", "k", "after");
  EXPECT_NE(after.shard_id, before.shard_id);
  EXPECT_GT(after.sequence_number, before.sequence_number);
}

TYPED_TEST(KinesisBehaviourTest, MergeShards_OneChildWithTwoParents) {
  this->Create("orders", 2);
  MergeShardsRequest merge;
  merge.stream = "orders";
  merge.shard_to_merge = "shardId-000000000000";
  merge.adjacent_shard_to_merge = "shardId-000000000001";
  ASSERT_OK(this->broker().MergeShards(merge));
  const std::vector<Shard> shards = this->Shards("orders");
  ASSERT_THAT(shards, SizeIs(3));
  EXPECT_EQ(shards[2].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(shards[2].adjacent_parent_shard_id, "shardId-000000000001");
  merge.shard_to_merge = "shardId-000000000000";
  merge.adjacent_shard_to_merge = "shardId-000000000002";
  EXPECT_THAT(this->broker().MergeShards(merge),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TYPED_TEST(KinesisBehaviourTest, Tags_AddListRemove) {
  this->Create("orders", 1);
  ASSERT_OK(this->broker().AddTagsToStream(
      {"orders", {{"team", "payments"}, {"env", "test"}}}));
  ASSERT_OK_AND_ASSIGN(ListTagsForStreamResult tags,
                       this->broker().ListTagsForStream({"orders", "", 50}));
  ASSERT_THAT(tags.tags, SizeIs(2));
  EXPECT_EQ(tags.tags[0].key, "env");
  EXPECT_EQ(tags.tags[1].value, "payments");
  ASSERT_OK(this->broker().RemoveTagsFromStream({"orders", {"env"}}));
  ASSERT_OK_AND_ASSIGN(tags,
                       this->broker().ListTagsForStream({"orders", "", 50}));
  EXPECT_THAT(tags.tags, SizeIs(1));
}

TYPED_TEST(KinesisBehaviourTest, EnhancedMonitoring_EnableThenDisable) {
  this->Create("orders", 1);
  ASSERT_OK_AND_ASSIGN(EnhancedMonitoringResult enabled,
                       this->broker().EnableEnhancedMonitoring(
                           {"orders", {"IncomingBytes", "IncomingRecords"}}));
  EXPECT_EQ(enabled.stream_name, "orders");
  EXPECT_THAT(enabled.current_shard_level_metrics, IsEmpty());
  EXPECT_THAT(enabled.desired_shard_level_metrics,
              UnorderedElementsAre("IncomingBytes", "IncomingRecords"));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  EXPECT_THAT(summary.shard_level_metrics,
              UnorderedElementsAre("IncomingBytes", "IncomingRecords"));
  ASSERT_OK_AND_ASSIGN(
      EnhancedMonitoringResult disabled,
      this->broker().DisableEnhancedMonitoring({"orders", {"IncomingBytes"}}));
  EXPECT_THAT(disabled.desired_shard_level_metrics,
              ElementsAre("IncomingRecords"));
  // The model's enum: a name Kinesis does not have.
  EXPECT_THAT(this->broker().EnableEnhancedMonitoring({"orders", {"Latency"}}),
              HasErrorName(ErrorName::kValidationException));
}

TYPED_TEST(KinesisBehaviourTest, MaxRecordSize_UpdateWithinTheModelsRange) {
  this->Create("orders", 1);
  ASSERT_OK(this->broker().UpdateMaxRecordSize({"orders", 2048}));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  EXPECT_EQ(summary.max_record_size_kib, 2048);
  // MaxRecordSizeInKiB is 1,024 to 10,240 in the Kinesis model.
  EXPECT_THAT(this->broker().UpdateMaxRecordSize({"orders", 512}),
              HasErrorName(ErrorName::kValidationException));
}

TYPED_TEST(KinesisBehaviourTest, ResourcePolicy_PutGetDelete) {
  this->Create("orders", 1);
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  ASSERT_OK(this->broker().PutResourcePolicy({summary.stream_arn, policy}));
  ASSERT_OK_AND_ASSIGN(std::string kept,
                       this->broker().GetResourcePolicy(summary.stream_arn));
  EXPECT_EQ(kept, policy);
  ASSERT_OK(this->broker().DeleteResourcePolicy(summary.stream_arn));
  ASSERT_OK_AND_ASSIGN(kept,
                       this->broker().GetResourcePolicy(summary.stream_arn));
  EXPECT_EQ(kept, "{}");
}

TYPED_TEST(KinesisBehaviourTest, DescribeLimits_CountsOpenShards) {
  this->Create("orders", 3);
  ASSERT_OK_AND_ASSIGN(DescribeLimitsResult limits,
                       this->broker().DescribeLimits());
  EXPECT_EQ(limits.open_shard_count, 3);
  EXPECT_GE(limits.shard_limit, 3);
}

TYPED_TEST(KinesisBehaviourTest, ListAndDelete_Streams) {
  this->Create("b-stream", 1);
  this->Create("a-stream", 1);
  ASSERT_OK_AND_ASSIGN(ListStreamsResult list,
                       this->broker().ListStreams(ListStreamsRequest()));
  EXPECT_THAT(list.stream_names, ElementsAre("a-stream", "b-stream"));
  ASSERT_OK(this->broker().DeleteStream({"a-stream", false}));
  EXPECT_THAT(this->broker().DescribeStreamSummary({"a-stream"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(this->broker().DeleteStream({"a-stream", false}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TYPED_TEST(KinesisBehaviourTest, Retention_IncreaseOnlyUpwards) {
  this->Create("orders", 1);
  ASSERT_OK(this->broker().IncreaseStreamRetentionPeriod({"orders", 48}));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  EXPECT_EQ(summary.retention_period_hours, 48);
  EXPECT_THAT(this->broker().IncreaseStreamRetentionPeriod({"orders", 24}),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TYPED_TEST(KinesisBehaviourTest, Limits_UpdateAndThrottle) {
  this->Create("orders", 1);
  UpdateStreamLimitsRequest update;
  update.stream = "orders";
  update.limits.write_records_per_second = 1;
  ASSERT_OK(this->broker().UpdateStreamLimits(update));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  EXPECT_EQ(summary.limits.write_records_per_second, 1);
  PutRecordsRequest burst;
  burst.stream = "orders";
  for (int i = 0; i < 20; ++i) burst.records.push_back({"k", "x", ""});
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result,
                       this->broker().PutRecords(burst));
  EXPECT_GT(result.failed_record_count, 0);
  EXPECT_THAT(result.records.back().status,
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  ASSERT_OK_AND_ASSIGN(GetShardMetricsResult metrics,
                       this->broker().GetShardMetrics({"orders"}));
  ASSERT_THAT(metrics.shards, SizeIs(1));
  EXPECT_EQ(metrics.shards[0].incoming_records,
            20 - result.failed_record_count);
  EXPECT_EQ(metrics.shards[0].write_provisioned_throughput_exceeded,
            result.failed_record_count);
}

// The Broker's own figures read the same through either Broker: a remote
// one asks brookd under Brook's target.
TYPED_TEST(KinesisBehaviourTest, BrokerMetrics_ListEveryStreamAndTheTailCache) {
  this->Create("orders", 1);
  this->Create("audit", 1);
  this->Put("orders", "k", std::string(1000, 'x'));
  ASSERT_OK_AND_ASSIGN(BrokerMetrics metrics,
                       this->broker().GetBrokerMetrics());
  ASSERT_THAT(metrics.streams, SizeIs(2));
  EXPECT_EQ(metrics.streams[0].stream, "audit");
  EXPECT_EQ(metrics.streams[1].stream, "orders");
  EXPECT_GT(metrics.tail_cache_bytes, 1000);
  EXPECT_EQ(metrics.open_subscriptions, 0);
  EXPECT_THAT(metrics.consumer_lag, ::testing::IsEmpty());
}

TYPED_TEST(KinesisBehaviourTest, Checkpoints_PutAndGet) {
  this->Create("orders", 1);
  const PutRecordResult put = this->Put("orders", "k", "x");
  PutCheckpointRequest checkpoint;
  checkpoint.stream = "orders";
  checkpoint.application_name = "app";
  checkpoint.shard_id = put.shard_id;
  checkpoint.sequence_number = put.sequence_number;
  ASSERT_OK(this->broker().PutCheckpoint(checkpoint));
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult got,
                       this->broker().GetCheckpoints({"orders", "app"}));
  ASSERT_THAT(got.checkpoints, SizeIs(1));
  EXPECT_EQ(got.checkpoints[0].sequence_number, put.sequence_number);
  checkpoint.shard_end = true;
  EXPECT_THAT(this->broker().PutCheckpoint(checkpoint),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TYPED_TEST(KinesisBehaviourTest, Checkpoints_OfARemoteStreamAndDelete) {
  // Kept for a stream this Broker does not serve, then deleted; brookd
  // takes the endpoint over its own target like the rest.
  PutCheckpointRequest checkpoint;
  checkpoint.remote_endpoint = "https://kinesis.eu-west-1.amazonaws.com:443";
  checkpoint.stream = "arn:aws:kinesis:eu-west-1:123456789012:stream/far";
  checkpoint.application_name = "app";
  checkpoint.shard_id = "shardId-000000000003";
  ASSERT_OK_AND_ASSIGN(checkpoint.sequence_number,
                       SequenceNumber::Parse("4959033827149025660855969253836"
                                             "1571095921575989136588898"));
  ASSERT_OK(this->broker().PutCheckpoint(checkpoint));
  const GetCheckpointsRequest names{checkpoint.stream, "app",
                                    checkpoint.remote_endpoint};
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult got,
                       this->broker().GetCheckpoints(names));
  ASSERT_THAT(got.checkpoints, SizeIs(1));
  EXPECT_EQ(got.checkpoints[0].shard_id, "shardId-000000000003");
  EXPECT_EQ(got.checkpoints[0].sequence_number, checkpoint.sequence_number);
  ASSERT_OK(this->broker().DeleteCheckpoints(names));
  ASSERT_OK_AND_ASSIGN(got, this->broker().GetCheckpoints(names));
  EXPECT_THAT(got.checkpoints, IsEmpty());
  checkpoint.remote_endpoint = "ftp://far";
  EXPECT_THAT(this->broker().PutCheckpoint(checkpoint),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TYPED_TEST(KinesisBehaviourTest, FanOut_RegisterSubscribeDeregister) {
  this->Create("orders", 1);
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  ASSERT_OK_AND_ASSIGN(Consumer consumer, this->broker().RegisterStreamConsumer(
                                              {summary.stream_arn, "reader"}));
  EXPECT_EQ(consumer.consumer_name, "reader");
  EXPECT_EQ(consumer.consumer_status, ConsumerStatus::kActive);
  EXPECT_THAT(
      this->broker().RegisterStreamConsumer({summary.stream_arn, "reader"}),
      HasErrorName(ErrorName::kResourceInUseException));
  ASSERT_OK_AND_ASSIGN(
      ListStreamConsumersResult consumers,
      this->broker().ListStreamConsumers(
          ListStreamConsumersRequest{.stream = summary.stream_arn}));
  EXPECT_THAT(consumers.consumers, SizeIs(1));

  this->Put("orders", "k", "pushed-1");
  testing::SubscriptionRecorder recorder;
  SubscribeToShardRequest subscribe;
  subscribe.consumer_arn = consumer.consumer_arn;
  subscribe.shard_id = "shardId-000000000000";
  subscribe.starting_position.type = ShardIteratorType::kTrimHorizon;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       this->broker().SubscribeToShard(subscribe, &recorder));
  this->Put("orders", "k", "pushed-2");
  EXPECT_THAT(recorder.WaitForRecords(2), ElementsAre("pushed-1", "pushed-2"));
  subscription.reset();

  ConsumerRef ref;
  ref.consumer_arn = consumer.consumer_arn;
  ASSERT_OK(this->broker().DeregisterStreamConsumer(ref));
  EXPECT_THAT(this->broker().DescribeStreamConsumer(ref),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

// A handler that pauses holds up only its own subscription, and Resume()
// lets it go on where it stopped (over HTTP/2, the paused stream's window
// is not given back; the other stream has its own).
TYPED_TEST(KinesisBehaviourTest, FanOut_APausedHandlerHoldsUpOnlyItself) {
  this->Create("orders", 1);
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       this->broker().DescribeStreamSummary({"orders"}));
  SubscribeToShardRequest subscribe;
  subscribe.shard_id = "shardId-000000000000";
  subscribe.starting_position.type = ShardIteratorType::kTrimHorizon;
  this->Put("orders", "k", "r1");
  testing::SubscriptionRecorder slow(/*pause_after=*/1);
  testing::SubscriptionRecorder fast;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  for (auto [name, recorder] : {std::pair{"slow", &slow}, {"fast", &fast}}) {
    ASSERT_OK_AND_ASSIGN(
        Consumer consumer,
        this->broker().RegisterStreamConsumer({summary.stream_arn, name}));
    subscribe.consumer_arn = consumer.consumer_arn;
    ASSERT_OK_AND_ASSIGN(subscriptions.emplace_back(),
                         this->broker().SubscribeToShard(subscribe, recorder));
  }
  ASSERT_THAT(slow.WaitForRecords(1), ElementsAre("r1"));
  this->Put("orders", "k", "r2");
  this->Put("orders", "k", "r3");
  EXPECT_THAT(fast.WaitForRecords(3), ElementsAre("r1", "r2", "r3"));
  EXPECT_EQ(slow.events(), 1);
  subscriptions[0]->Resume();
  EXPECT_THAT(slow.WaitForRecords(3), ElementsAre("r1", "r2", "r3"));
}

}  // namespace
}  // namespace brook
