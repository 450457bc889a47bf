// On-demand streams through the Broker, on the manual clock: Kinesis'
// capacity-mode rules (CreateStream with ON_DEMAND, UpdateStreamMode and
// its limits, what DescribeStreamSummary and DescribeLimits report), the
// stream-level write limit, and the scaling controller growing and
// shrinking a stream under a ramp while consumers keep every key's order.

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "brook/shard_lineage.h"
#include "common/uint128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::Each;
using ::testing::Eq;

constexpr int64_t kMiB = int64_t{1} << 20;
// Every record of these tests is 64 KiB, partition key included.
constexpr int64_t kRecordBytes = 64 * 1024;

// The hash key at `fraction` of the hash key space.
absl::uint128 At(double fraction) {
  return absl::MakeUint128(
      static_cast<uint64_t>(fraction * 18446744073709551616.0), 0);
}

// A record of kRecordBytes whose data starts "key|seq|".
PutRecordsRequestEntry RecordOf(const std::string& key, int seq,
                                const std::string& explicit_hash_key = "") {
  std::string data = absl::StrCat(key, "|", seq, "|");
  data.resize(kRecordBytes - key.size(), '.');
  return {key, std::move(data), explicit_hash_key};
}

class OnDemandTest : public testing::BrokerTest {
 protected:
  void CreateOnDemand(const std::string& name) {
    CreateStreamRequest request;
    request.stream_name = name;
    request.stream_mode = StreamMode::kOnDemand;
    // Kinesis' per-shard write limits; reads unlimited, so that reading
    // everything back needs no waiting on the manual clock.
    request.options.limits.read_bytes_per_second = StreamLimits::kUnlimited;
    request.options.limits.read_calls_per_second = StreamLimits::kUnlimited;
    request.options.limits.shard_iterator_calls_per_second =
        StreamLimits::kUnlimited;
    ASSERT_OK(broker().CreateStream(request));
  }

  StreamDescriptionSummary Summary(const std::string& stream) {
    absl::StatusOr<StreamDescriptionSummary> summary =
        broker().DescribeStreamSummary({stream});
    EXPECT_OK(summary);
    return summary.ok() ? *summary : StreamDescriptionSummary();
  }

  absl::Status SwitchTo(const std::string& stream, StreamMode mode) {
    return broker().UpdateStreamMode({stream, mode});
  }

  // Every shard, in shard-id order.
  std::vector<Shard> AllShards(const std::string& stream) {
    absl::StatusOr<ListShardsResult> result = broker().ListShards({stream});
    EXPECT_OK(result);
    return result.ok() ? result->shards : std::vector<Shard>();
  }

  // The open shards, by starting hash key.
  std::vector<Shard> OpenShards(const std::string& stream) {
    std::vector<Shard> open;
    for (Shard& shard : AllShards(stream)) {
      if (!shard.sequence_number_range.ending_sequence_number.has_value()) {
        open.push_back(std::move(shard));
      }
    }
    std::sort(open.begin(), open.end(), [](const Shard& a, const Shard& b) {
      return a.hash_key_range.starting_hash_key <
             b.hash_key_range.starting_hash_key;
    });
    return open;
  }

  // Puts `records` in requests of at most 150 (under 10 MiB); returns how
  // many were refused.
  int PutAll(const std::string& stream,
             std::vector<PutRecordsRequestEntry> records) {
    int refused = 0;
    for (size_t first = 0; first < records.size(); first += 150) {
      PutRecordsRequest request;
      request.stream = stream;
      const size_t end = std::min(records.size(), first + 150);
      request.records.assign(records.begin() + first, records.begin() + end);
      absl::StatusOr<PutRecordsResult> result = broker().PutRecords(request);
      EXPECT_OK(result);
      if (!result.ok()) return static_cast<int>(records.size());
      for (const PutRecordsResultEntry& entry : result->records) {
        if (entry.status.ok()) continue;
        EXPECT_THAT(
            entry.status,
            HasErrorName(ErrorName::kProvisionedThroughputExceededException));
        ++refused;
      }
    }
    return refused;
  }

  // `count` records with explicit hash keys spread evenly over
  // [from, to) of the hash key space.
  static std::vector<PutRecordsRequestEntry> Spread(double from, double to,
                                                    int count) {
    std::vector<PutRecordsRequestEntry> records;
    for (int i = 0; i < count; ++i) {
      records.push_back(RecordOf(
          "spread", i, Uint128ToDecimal(At(from + (to - from) * i / count))));
    }
    return records;
  }

  void Check() { ASSERT_OK(impl().TEST_CheckCapacityNow()); }

  // One second passes, then the controller checks.
  void NextSecond() {
    clock().Advance(absl::Seconds(1));
    Check();
  }
};

TEST_F(OnDemandTest, CreateStream_OnDemandStartsWithFourShardsAndSaysSo) {
  Open();
  CreateOnDemand("s");
  const StreamDescriptionSummary summary = Summary("s");
  EXPECT_EQ(summary.stream_mode, StreamMode::kOnDemand);
  EXPECT_EQ(summary.open_shard_count, 4);
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream({"s"}));
  EXPECT_EQ(description.stream_mode, StreamMode::kOnDemand);
  ASSERT_OK_AND_ASSIGN(ListStreamsResult streams, broker().ListStreams({}));
  ASSERT_EQ(streams.stream_summaries.size(), 1u);
  EXPECT_EQ(streams.stream_summaries[0].stream_mode, StreamMode::kOnDemand);
  CreateStream("provisioned", 2);
  EXPECT_EQ(Summary("provisioned").stream_mode, StreamMode::kProvisioned);
  ASSERT_OK_AND_ASSIGN(DescribeLimitsResult limits, broker().DescribeLimits());
  EXPECT_EQ(limits.on_demand_stream_count, 1);
  EXPECT_EQ(limits.on_demand_stream_count_limit, 50);
  EXPECT_EQ(limits.open_shard_count, 6);
  // The mode survives a restart.
  Reopen();
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kOnDemand);
}

TEST_F(OnDemandTest, OnDemandStreamCount_IsLimited) {
  options().on_demand.max_streams = 1;
  Open();
  CreateOnDemand("a");
  CreateStreamRequest second;
  second.stream_name = "b";
  second.stream_mode = StreamMode::kOnDemand;
  EXPECT_THAT(broker().CreateStream(second),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(broker().DescribeStreamSummary({"b"}).status(),
              HasErrorName(ErrorName::kResourceNotFoundException));
  CreateStream("c", 1);
  EXPECT_THAT(SwitchTo("c", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_EQ(Summary("c").stream_mode, StreamMode::kProvisioned);
}

TEST_F(OnDemandTest, OnDemandStream_RefusesManualResharding) {
  Open();
  CreateOnDemand("s");
  const std::vector<Shard> before = AllShards("s");
  SplitShardRequest split{"s", before[0].shard_id, Uint128ToDecimal(At(0.1))};
  EXPECT_THAT(broker().SplitShard(split),
              HasErrorName(ErrorName::kInvalidArgumentException));
  MergeShardsRequest merge{"s", before[0].shard_id, before[1].shard_id};
  EXPECT_THAT(broker().MergeShards(merge),
              HasErrorName(ErrorName::kInvalidArgumentException));
  UpdateShardCountRequest scale;
  scale.stream = "s";
  scale.target_shard_count = 8;
  EXPECT_THAT(broker().UpdateShardCount(scale).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_EQ(AllShards("s").size(), before.size());
}

TEST_F(OnDemandTest, UpdateStreamMode_TwiceADayKeepingTheShards) {
  Open();
  CreateStream("s", 2);
  ASSERT_OK(SwitchTo("s", StreamMode::kOnDemand));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kOnDemand);
  EXPECT_EQ(Summary("s").open_shard_count, 2);
  // Already in that mode: refused, and not counted as a switch.
  EXPECT_THAT(SwitchTo("s", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kInvalidArgumentException));
  clock().Advance(absl::Hours(1));
  ASSERT_OK(SwitchTo("s", StreamMode::kProvisioned));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kProvisioned);
  // A third switch within 24 hours of the first: refused, also after a
  // restart.
  EXPECT_THAT(SwitchTo("s", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kLimitExceededException));
  Reopen();
  clock().Advance(absl::Hours(22));
  EXPECT_THAT(SwitchTo("s", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kProvisioned);
  // 24 hours after the first switch, one more is allowed.
  clock().Advance(absl::Hours(1) + absl::Seconds(1));
  ASSERT_OK(SwitchTo("s", StreamMode::kOnDemand));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kOnDemand);
}

TEST_F(OnDemandTest, UpdateStreamMode_WrongInputChangesNothing) {
  Open();
  CreateStream("s", 1);
  EXPECT_THAT(SwitchTo("missing", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(SwitchTo("arn:aws:kinesis:us-east-1:000000000000:stream/missing",
                       StreamMode::kOnDemand),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(SwitchTo("", StreamMode::kOnDemand),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(SwitchTo(std::string(200, 'x'), StreamMode::kOnDemand),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kProvisioned);
  // None of them counted: two switches still pass.
  ASSERT_OK(SwitchTo("s", StreamMode::kOnDemand));
  ASSERT_OK(SwitchTo("s", StreamMode::kProvisioned));
}

TEST_F(OnDemandTest, UpdateStreamMode_RefusedWhileTheStreamReshards) {
  Open();
  CreateStream("s", 2);
  absl::Status during;
  impl().TEST_SetReshardHook([&] {
    // Another thread, as a concurrent caller would be.
    std::thread other([&] { during = SwitchTo("s", StreamMode::kOnDemand); });
    other.join();
  });
  UpdateShardCountRequest scale;
  scale.stream = "s";
  scale.target_shard_count = 4;
  ASSERT_OK(broker().UpdateShardCount(scale).status());
  EXPECT_THAT(during, HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kProvisioned);
}

TEST_F(OnDemandTest, Writes_LimitedPerStreamNotPerShard) {
  Open();
  CreateOnDemand("s");
  // 2 MiB to one shard in an instant: twice its 1 MiB/s, within the
  // stream's starting 4 MiB/s.
  EXPECT_EQ(PutAll("s", Spread(0.0, 0.2, 32)), 0);
  // The stream's 4 MiB of this second: 32 more pass, the 33rd does not.
  EXPECT_EQ(PutAll("s", Spread(0.5, 0.7, 33)), 1);
  clock().Advance(absl::Seconds(1));
  EXPECT_EQ(PutAll("s", Spread(0.5, 0.7, 64)), 0);

  // Provisioned again: each shard takes its 1 MiB/s.
  clock().Advance(absl::Seconds(1));
  ASSERT_OK(SwitchTo("s", StreamMode::kProvisioned));
  EXPECT_EQ(PutAll("s", Spread(0.0, 0.2, 32)), 16);
}

TEST_F(OnDemandTest, HotKeyRange_IsSplitWhereItsTrafficIs) {
  Open();
  CreateOnDemand("s");
  Check();
  // 3 MiB/s, all of it on [0.30, 0.32) of the hash key space, inside shard
  // 1 ([0.25, 0.5)).
  EXPECT_EQ(PutAll("s", Spread(0.30, 0.32, 48)), 0);
  NextSecond();
  const std::vector<Shard> open = OpenShards("s");
  ASSERT_EQ(open.size(), 5u);
  const Shard& upper_child = open[2];
  EXPECT_EQ(upper_child.parent_shard_id, "shardId-000000000001");
  EXPECT_GT(upper_child.hash_key_range.starting_hash_key, At(0.30));
  EXPECT_LT(upper_child.hash_key_range.starting_hash_key, At(0.32));
}

TEST_F(OnDemandTest, OneHotPartitionKey_IsNotSplitInVain) {
  Open();
  CreateOnDemand("s");
  Check();
  std::vector<PutRecordsRequestEntry> records;
  for (int i = 0; i < 40; ++i) records.push_back(RecordOf("one-key", i));
  EXPECT_EQ(PutAll("s", records), 0);
  NextSecond();
  EXPECT_EQ(OpenShards("s").size(), 4u);
}

TEST_F(OnDemandTest, FailingDiskDuringAControllerReshard_StopsCleanly) {
  std::shared_ptr<testing::FaultFileSystem> fs = UseFaultFileSystem(0);
  Open();
  CreateOnDemand("s");
  Check();
  ASSERT_EQ(PutAll("s", Spread(0.0, 0.2, 32)), 0);
  clock().Advance(absl::Seconds(1));
  fs->Inject(testing::Fault{testing::FaultOp::kSync,
                            testing::FaultError::kIoError, ".log"});
  EXPECT_THAT(impl().TEST_CheckCapacityNow(),
              HasErrorName(ErrorName::kInternalFailure));
  // Nothing applied; writes stop, reads go on.
  EXPECT_EQ(AllShards("s").size(), 4u);
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStopped);
  EXPECT_EQ(ReadShard("s", "shardId-000000000000").size(), 32u);
  PutRecordsRequest after;
  after.stream = "s";
  after.records = Spread(0.6, 0.7, 1);
  EXPECT_THAT(broker().PutRecords(after).status(),
              HasErrorName(ErrorName::kInternalFailure));

  // Reopened, the stream is as before or wholly resharded (the failed
  // write's outcome is unknown, as a put's), and keeps every record.
  fs->ClearFaults();
  Reopen();
  const std::vector<Shard> open = OpenShards("s");
  ASSERT_GE(open.size(), 4u);
  EXPECT_EQ(open.front().hash_key_range.starting_hash_key, 0);
  EXPECT_EQ(open.back().hash_key_range.ending_hash_key, absl::Uint128Max());
  for (size_t i = 1; i < open.size(); ++i) {
    EXPECT_EQ(open[i].hash_key_range.starting_hash_key,
              open[i - 1].hash_key_range.ending_hash_key + 1);
  }
  EXPECT_EQ(ReadShard("s", "shardId-000000000000").size(), 32u);
  EXPECT_EQ(Summary("s").stream_mode, StreamMode::kOnDemand);
}

// The ramp: 1 MiB/s doubling to 16 and then 20 MiB/s, and back to
// 1 MiB/s, over 64 partition keys.
class OnDemandRampTest : public OnDemandTest {
 protected:
  static constexpr int kKeys = 64;

  void SetUp() override {
    // Kinesis' rules on a shorter time scale, so the ramp stays small.
    options().on_demand.scale_up_delay = absl::Seconds(3);
    options().on_demand.peak_window = absl::Hours(1);
    options().on_demand.merge_quiet_period = absl::Seconds(5);
    options().on_demand.merge_utilization = 0.2;
    Open();
    CreateOnDemand("s");
    Check();
  }

  // Puts `mib` MiB in this second, round robin over the keys; returns how
  // many records were refused.
  int PutSecond(int mib) {
    std::vector<PutRecordsRequestEntry> records;
    for (int i = 0; i < mib * kMiB / kRecordBytes; ++i) {
      const int key = next_record_++ % kKeys;
      records.push_back(RecordOf(absl::StrCat("user-", key), seq_[key]++));
    }
    return PutAll("s", std::move(records));
  }

  // Bytes each shard has taken so far, by shard id.
  std::map<std::string, int64_t> IncomingBytes() {
    absl::StatusOr<GetShardMetricsResult> metrics =
        broker().GetShardMetrics({"s"});
    EXPECT_OK(metrics);
    std::map<std::string, int64_t> bytes;
    if (!metrics.ok()) return bytes;
    for (const ShardMetrics& shard : metrics->shards) {
      bytes[shard.shard_id] = shard.incoming_bytes;
    }
    return bytes;
  }

  // Reads the whole stream as a consumer that follows the lineage does,
  // checking that each key's records come exactly once and in put order.
  void ReadEverythingInKeyOrder() {
    ShardLineage lineage(&broker(), "s");
    ASSERT_OK(lineage.Refresh());
    std::map<std::string, int> next;
    int shards_read = 0;
    while (absl::optional<std::string> shard_id = lineage.Acquire()) {
      std::string iterator =
          Iterator("s", *shard_id, ShardIteratorType::kTrimHorizon);
      for (;;) {
        GetRecordsRequest request;
        request.shard_iterator = iterator;
        ASSERT_OK_AND_ASSIGN(GetRecordsResult result,
                             broker().GetRecords(request));
        for (const Record& record : result.records) {
          std::vector<std::string> parts =
              absl::StrSplit(record.data.substr(0, 32), '|');
          ASSERT_GE(parts.size(), 2u);
          int seq = -1;
          ASSERT_TRUE(absl::SimpleAtoi(parts[1], &seq));
          ASSERT_EQ(seq, next[record.partition_key]++)
              << record.partition_key << " out of order in " << *shard_id;
        }
        if (result.next_shard_iterator.empty()) {
          lineage.Finish(*shard_id, result.child_shards);
          break;
        }
        if (result.records.empty()) break;  // An open shard's end.
        iterator = result.next_shard_iterator;
      }
      ++shards_read;
    }
    EXPECT_EQ(shards_read, static_cast<int>(AllShards("s").size()));
    for (int key = 0; key < kKeys; ++key) {
      EXPECT_EQ(next[absl::StrCat("user-", key)], seq_[key]) << key;
    }
  }

  int next_record_ = 0;
  int seq_[kKeys] = {};
};

TEST_F(OnDemandRampTest, GrowsAndShrinksRefusingNothingAndKeepingKeyOrder) {
  int refused = 0;
  // Each rate for 5 s: long enough for its peak to count (3 s), so that
  // every step is at most twice a peak the stream has scaled to.
  for (int mib : {1, 2, 4, 8, 16, 20}) {
    for (int second = 0; second < 5; ++second) {
      refused += PutSecond(mib);
      NextSecond();
    }
  }
  const int peak_shards = Summary("s").open_shard_count;
  // The last second at 20 MiB/s: no shard above its 1 MiB/s.
  const std::map<std::string, int64_t> before = IncomingBytes();
  refused += PutSecond(20);
  for (const auto& [shard_id, bytes] : IncomingBytes()) {
    EXPECT_LE(bytes - before.at(shard_id), kMiB) << shard_id;
  }
  NextSecond();
  EXPECT_EQ(refused, 0);
  EXPECT_GE(peak_shards, 20);

  for (int second = 0; second < 45; ++second) {
    refused += PutSecond(1);
    NextSecond();
  }
  EXPECT_EQ(refused, 0);
  const int final_shards = Summary("s").open_shard_count;
  EXPECT_LE(final_shards, peak_shards / 2);
  EXPECT_GE(final_shards, 4);

  ReadEverythingInKeyOrder();
}

TEST_F(OnDemandRampTest, TrafficThatMoreThanDoublesAtOnceIsThrottled) {
  for (int second = 0; second < 5; ++second) {
    EXPECT_EQ(PutSecond(2), 0);
    NextSecond();
  }
  // 2 MiB/s was the peak: twice that passes, 10 MiB/s does not all pass.
  EXPECT_EQ(PutSecond(4), 0);
  NextSecond();
  EXPECT_GT(PutSecond(10), 0);
}

}  // namespace
}  // namespace brook
