// Throughput limits through the public API, on the injected clock.

#include <atomic>
#include <thread>
#include <vector>

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::SizeIs;

constexpr char kShard[] = "shardId-000000000000";
constexpr int64_t kMiB = int64_t{1} << 20;
constexpr char kAccount[] = "111122223333";
// The throttling message names the shard, the stream and the account
// (PutRecordsResultEntry.ErrorMessage in the Kinesis API reference; the
// wording is that of the PutRecords example there).
constexpr char kRateExceeded[] =
    "Rate exceeded for shard shardId-000000000000 in stream s under account "
    "111122223333.";

class LimitsTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    options().account_id = kAccount;
    Open();
    CreateStream("s", 1, StreamLimits());
  }

  absl::StatusOr<PutRecordResult> TryPut(const std::string& data,
                                         const std::string& key = "k") {
    PutRecordRequest request;
    request.stream = "s";
    request.partition_key = key;
    request.data = data;
    return broker().PutRecord(request);
  }

  absl::StatusOr<GetRecordsResult> TryGet(const std::string& iterator) {
    GetRecordsRequest request;
    request.shard_iterator = iterator;
    return broker().GetRecords(request);
  }

  ShardMetrics Metrics() {
    absl::StatusOr<GetShardMetricsResult> result =
        broker().GetShardMetrics({"s"});
    EXPECT_OK(result);
    return result.ok() ? result->shards.at(0) : ShardMetrics();
  }
};

// Kinesis allows 5 GetShardIterator calls per second per shard.
TEST_F(LimitsTest, ShardIterator_TheFifthCallLandsTheSixthFails) {
  GetShardIteratorRequest request;
  request.stream = "s";
  request.shard_id = "shardId-000000000000";
  for (int i = 0; i < 5; ++i) ASSERT_OK(broker().GetShardIterator(request));
  EXPECT_THAT(broker().GetShardIterator(request),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  clock().Advance(absl::Milliseconds(200));
  EXPECT_OK(broker().GetShardIterator(request));

  CreateStream("free", 1, StreamLimits::Unlimited());
  request.stream = "free";
  for (int i = 0; i < 100; ++i) ASSERT_OK(broker().GetShardIterator(request));
}

TEST_F(LimitsTest, Write_TheThousandthRecordLandsTheNextFails) {
  for (int i = 0; i < 1000; ++i) ASSERT_OK(TryPut("")) << i;
  EXPECT_THAT(TryPut(""),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  clock().Advance(absl::Milliseconds(1));
  EXPECT_OK(TryPut(""));
  EXPECT_THAT(TryPut(""),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  clock().Advance(absl::Seconds(1));
  for (int i = 0; i < 1000; ++i) ASSERT_OK(TryPut("")) << i;
}

TEST_F(LimitsTest, Write_OneMiBThenOneMoreByteFails) {
  // The partition key counts: "k" plus 1 MiB - 1 bytes of data is 1 MiB.
  ASSERT_OK(TryPut(std::string(kMiB - 1, 'x')));
  EXPECT_THAT(TryPut(""),  // One byte: the key.
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  // 1 MiB/s refills one byte in under a microsecond.
  clock().Advance(absl::Microseconds(1));
  EXPECT_OK(TryPut(""));
}

TEST_F(LimitsTest, Write_ThrottledRecordsSpendNoSequenceNumber) {
  StreamLimits limits;
  limits.write_records_per_second = 1;
  ASSERT_OK(broker().UpdateStreamLimits({"s", limits}));
  clock().Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(PutRecordResult first, TryPut("first"));
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(
        TryPut("refused"),
        HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  }
  clock().Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(PutRecordResult second, TryPut("second"));
  EXPECT_EQ(CounterOf(second.sequence_number),
            CounterOf(first.sequence_number) + 1);
  ASSERT_OK(broker().UpdateStreamLimits({"s", StreamLimits::Unlimited()}));
  EXPECT_EQ(DataOf(ReadShard("s", kShard)),
            (std::vector<std::string>{"first", "second"}));
}

TEST_F(LimitsTest, PutRecords_OnlyTheRecordsOverTheLimitFail) {
  for (int i = 0; i < 998; ++i) ASSERT_OK(TryPut(""));
  PutRecordsRequest request;
  request.stream = "s";
  for (int i = 0; i < 5; ++i) {
    request.records.push_back({"k", "batch-" + std::to_string(i), ""});
  }
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result, broker().PutRecords(request));
  EXPECT_EQ(result.failed_record_count, 3);
  EXPECT_OK(result.records[0].status);
  EXPECT_OK(result.records[1].status);
  for (int i = 2; i < 5; ++i) {
    EXPECT_THAT(
        result.records[i].status,
        HasErrorName(ErrorName::kProvisionedThroughputExceededException));
    EXPECT_EQ(result.records[i].status.message(), kRateExceeded);
  }
  EXPECT_EQ(Metrics().write_provisioned_throughput_exceeded, 3);
}

TEST_F(LimitsTest, Write_RacingThreadsNeverExceedTheLimit) {
  // The clock stands still: exactly one second of budget is available.
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < 8; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        absl::StatusOr<PutRecordResult> result =
            TryPut("x", "key-" + std::to_string(t));
        if (result.ok()) {
          ++accepted;
        } else {
          EXPECT_THAT(
              result,
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
          ++refused;
        }
      }
    });
  }
  for (std::thread& producer : producers) producer.join();
  EXPECT_EQ(accepted.load(), 1000);
  EXPECT_EQ(refused.load(), 1000);
  EXPECT_EQ(Metrics().incoming_records, 1000);
}

TEST_F(LimitsTest, Read_FiveCallsPassTheSixthFails) {
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  for (int i = 0; i < 5; ++i) ASSERT_OK(TryGet(iterator)) << i;
  const absl::StatusOr<GetRecordsResult> throttled = TryGet(iterator);
  EXPECT_THAT(throttled,
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  EXPECT_EQ(throttled.status().message(), kRateExceeded);
  EXPECT_EQ(Metrics().read_provisioned_throughput_exceeded, 1);
  clock().Advance(absl::Milliseconds(200));
  EXPECT_OK(TryGet(iterator));
}

TEST_F(LimitsTest, Read_ALargeReadIsPaidBackBeforeTheNextCall) {
  ASSERT_OK(broker().UpdateStreamLimits({"s", StreamLimits::Unlimited()}));
  for (int i = 0; i < 5; ++i) ASSERT_OK(TryPut(std::string(kMiB - 1, 'x')));
  ASSERT_OK(broker().UpdateStreamLimits({"s", StreamLimits()}));
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  ASSERT_OK_AND_ASSIGN(GetRecordsResult page, TryGet(iterator));
  ASSERT_THAT(page.records, SizeIs(5));  // 5 MiB: 3 MiB of debt.
  clock().Advance(absl::Milliseconds(1500));
  EXPECT_THAT(TryGet(page.next_shard_iterator),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  clock().Advance(absl::Milliseconds(1));
  ASSERT_OK_AND_ASSIGN(page, TryGet(page.next_shard_iterator));
  EXPECT_THAT(page.records, SizeIs(0));
  const ShardMetrics metrics = Metrics();
  EXPECT_EQ(metrics.outgoing_records, 5);
  EXPECT_EQ(metrics.outgoing_bytes, 5 * kMiB);
  EXPECT_EQ(metrics.incoming_bytes, 5 * kMiB);
}

TEST_F(LimitsTest, Read_ThrottledCallDoesNotMoveTheIterator) {
  Put("s", "k", "only");
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  const std::string latest = Iterator("s", kShard, ShardIteratorType::kLatest);
  for (int i = 0; i < 5; ++i) ASSERT_OK(TryGet(latest));
  EXPECT_THAT(TryGet(iterator),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  clock().Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(GetRecordsResult page, TryGet(iterator));
  EXPECT_EQ(DataOf(page.records), (std::vector<std::string>{"only"}));
}

TEST_F(LimitsTest, Limits_ArePerShard) {
  CreateStream("wide", 2, StreamLimits());
  PutRecordRequest request;
  request.stream = "wide";
  request.data = "";
  // Hash keys pick the shard: 0 is shard 0, 2^127 is shard 1.
  request.explicit_hash_key = "0";
  request.partition_key = "k";
  for (int i = 0; i < 1000; ++i) ASSERT_OK(broker().PutRecord(request));
  EXPECT_THAT(broker().PutRecord(request),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  request.explicit_hash_key = "170141183460469231731687303715884105728";
  EXPECT_OK(broker().PutRecord(request));
}

TEST_F(LimitsTest, UpdateStreamLimits_PersistsAndValidates) {
  StreamLimits limits;
  limits.write_records_per_second = 3;
  limits.read_calls_per_second = StreamLimits::kUnlimited;
  ASSERT_OK(broker().UpdateStreamLimits({"s", limits}));
  Reopen();
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.limits, limits);
  for (int i = 0; i < 3; ++i) ASSERT_OK(TryPut(""));
  EXPECT_THAT(TryPut(""),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));

  StreamLimits bad;
  bad.write_bytes_per_second = -1;
  EXPECT_THAT(broker().UpdateStreamLimits({"s", bad}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  bad = StreamLimits();
  bad.read_calls_per_second = StreamLimits::kMaxFinite + 1;
  EXPECT_THAT(broker().UpdateStreamLimits({"s", bad}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().UpdateStreamLimits({"missing", limits}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK_AND_ASSIGN(summary, broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.limits, limits);
}

TEST_F(LimitsTest, CreateStream_TakesLimitsAndRejectsBadOnes) {
  CreateStreamRequest request;
  request.stream_name = "free";
  request.options.limits = StreamLimits::Unlimited();
  ASSERT_OK(broker().CreateStream(request));
  PutRecordRequest put;
  put.stream = "free";
  put.partition_key = "k";
  for (int i = 0; i < 3000; ++i) ASSERT_OK(broker().PutRecord(put));

  request.stream_name = "bad";
  request.options.limits.write_records_per_second = -5;
  EXPECT_THAT(broker().CreateStream(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().DescribeStreamSummary({"bad"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(LimitsTest, Metrics_CountTrafficAndIteratorAge) {
  Put("s", "ab", "1234");
  clock().Advance(absl::Seconds(3));
  Put("s", "ab", "5678");
  ASSERT_OK_AND_ASSIGN(GetRecordsResult page, [&] {
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
    request.limit = 1;
    return broker().GetRecords(request);
  }());
  ShardMetrics metrics = Metrics();
  EXPECT_EQ(metrics.shard_id, kShard);
  EXPECT_EQ(metrics.incoming_records, 2);
  EXPECT_EQ(metrics.incoming_bytes, 12);
  EXPECT_EQ(metrics.outgoing_records, 1);
  EXPECT_EQ(metrics.outgoing_bytes, 6);
  // The record read is 3 s behind the newest one.
  EXPECT_EQ(metrics.iterator_age_milliseconds, 3000);
  EXPECT_THAT(broker().GetShardMetrics({"missing"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

}  // namespace
}  // namespace brook
