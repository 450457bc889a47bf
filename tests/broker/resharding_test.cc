// Resharding through the Broker: SplitShard, MergeShards, UpdateShardCount,
// the lineage they leave, and how readers and writers follow it.

#include <string>
#include <thread>
#include <vector>

#include "broker/broker_impl.h"
#include "common/uint128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const absl::uint128 kHalf = absl::MakeUint128(uint64_t{1} << 63, 0);

std::string ShardId(int i) { return ShardIdOf(static_cast<uint32_t>(i)); }

class ReshardingTest : public testing::BrokerTest {
 protected:
  void SetUp() override { Open(); }

  absl::Status Split(const std::string& shard_id, absl::uint128 key,
                     const std::string& stream = "s") {
    SplitShardRequest request;
    request.stream = stream;
    request.shard_to_split = shard_id;
    request.new_starting_hash_key = Uint128ToDecimal(key);
    return broker().SplitShard(request);
  }

  absl::Status Merge(const std::string& shard_id, const std::string& adjacent,
                     const std::string& stream = "s") {
    MergeShardsRequest request;
    request.stream = stream;
    request.shard_to_merge = shard_id;
    request.adjacent_shard_to_merge = adjacent;
    return broker().MergeShards(request);
  }

  absl::StatusOr<UpdateShardCountResult> Scale(int target) {
    UpdateShardCountRequest request;
    request.stream = "s";
    request.target_shard_count = target;
    return broker().UpdateShardCount(request);
  }

  // Puts `data` with an explicit hash key, and returns the shard it went to.
  std::string PutAt(absl::uint128 hash_key, const std::string& data) {
    PutRecordRequest request;
    request.stream = "s";
    request.partition_key = "k";
    request.explicit_hash_key = Uint128ToDecimal(hash_key);
    request.data = data;
    absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
    EXPECT_OK(result);
    return result.ok() ? result->shard_id : "";
  }

  std::vector<Shard> List(ShardFilter filter = ShardFilter()) {
    ListShardsRequest request;
    request.stream = "s";
    request.shard_filter = filter;
    absl::StatusOr<ListShardsResult> result = broker().ListShards(request);
    EXPECT_OK(result);
    return result.ok() ? result->shards : std::vector<Shard>();
  }

  static std::vector<std::string> Ids(const std::vector<Shard>& shards) {
    std::vector<std::string> ids;
    for (const Shard& shard : shards) ids.push_back(shard.shard_id);
    return ids;
  }

  // Reads the shard from TRIM_HORIZON to its end; returns the records and
  // the child shards of the last call (which must have no next iterator).
  std::vector<Record> ReadToEnd(const std::string& shard_id,
                                std::vector<ChildShard>* children) {
    std::string iterator =
        Iterator("s", shard_id, ShardIteratorType::kTrimHorizon);
    std::vector<Record> records;
    for (int calls = 0; calls < 100; ++calls) {
      GetRecordsRequest request;
      request.shard_iterator = iterator;
      request.limit = 2;
      absl::StatusOr<GetRecordsResult> result = broker().GetRecords(request);
      EXPECT_OK(result);
      if (!result.ok()) break;
      for (Record& record : result->records) records.push_back(record);
      if (result->next_shard_iterator.empty()) {
        *children = result->child_shards;
        return records;
      }
      EXPECT_THAT(result->child_shards, IsEmpty());
      iterator = result->next_shard_iterator;
    }
    ADD_FAILURE() << shard_id << " never ended";
    return records;
  }

  StreamStatus Status() {
    absl::StatusOr<StreamDescriptionSummary> summary =
        broker().DescribeStreamSummary({"s"});
    EXPECT_OK(summary);
    return summary.ok() ? summary->stream_status : StreamStatus::kDeleting;
  }
};

TEST_F(ReshardingTest, SplitShard_ParentEndsWithItsChildren) {
  CreateStream("s", 1);
  EXPECT_EQ(PutAt(1, "low-before"), ShardId(0));
  EXPECT_EQ(PutAt(kHalf, "high-before"), ShardId(0));
  ASSERT_OK(Split(ShardId(0), kHalf));
  EXPECT_EQ(PutAt(1, "low-after"), ShardId(1));
  EXPECT_EQ(PutAt(kHalf, "high-after"), ShardId(2));

  const std::vector<Shard> shards = List();
  ASSERT_THAT(Ids(shards), ElementsAre(ShardId(0), ShardId(1), ShardId(2)));
  const SequenceNumber parent_end =
      *shards[0].sequence_number_range.ending_sequence_number;
  for (int child : {1, 2}) {
    EXPECT_EQ(shards[child].parent_shard_id, ShardId(0));
    EXPECT_TRUE(shards[child].adjacent_parent_shard_id.empty());
    EXPECT_FALSE(
        shards[child].sequence_number_range.ending_sequence_number.has_value());
    EXPECT_GT(shards[child].sequence_number_range.starting_sequence_number,
              parent_end);
  }
  EXPECT_EQ(shards[1].hash_key_range.ending_hash_key, kHalf - 1);
  EXPECT_EQ(shards[2].hash_key_range.starting_hash_key, kHalf);

  std::vector<ChildShard> children;
  const std::vector<Record> parent = ReadToEnd(ShardId(0), &children);
  EXPECT_THAT(DataOf(parent), ElementsAre("low-before", "high-before"));
  EXPECT_LE(parent.back().sequence_number, parent_end);
  ASSERT_THAT(children, SizeIs(2));
  EXPECT_EQ(children[0].shard_id, ShardId(1));
  EXPECT_THAT(children[0].parent_shards, ElementsAre(ShardId(0)));
  EXPECT_EQ(children[1].hash_key_range.starting_hash_key, kHalf);
  EXPECT_THAT(DataOf(ReadShard("s", ShardId(2))), ElementsAre("high-after"));
  EXPECT_GT(ReadShard("s", ShardId(1))[0].sequence_number, parent_end);

  // LATEST on a closed shard is already at its end.
  GetRecordsRequest request;
  request.shard_iterator =
      Iterator("s", ShardId(0), ShardIteratorType::kLatest);
  ASSERT_OK_AND_ASSIGN(GetRecordsResult latest, broker().GetRecords(request));
  EXPECT_THAT(latest.records, IsEmpty());
  EXPECT_TRUE(latest.next_shard_iterator.empty());
  EXPECT_THAT(latest.child_shards, SizeIs(2));
}

TEST_F(ReshardingTest, SplitShard_ImmediatelyAfterCreateKeepsRangesOrdered) {
  CreateStream("s", 1);
  ASSERT_OK(Split(ShardId(0), kHalf));
  ASSERT_OK(Split(ShardId(1), kHalf / 2));
  for (const Shard& shard : List()) {
    const SequenceNumberRange& range = shard.sequence_number_range;
    if (range.ending_sequence_number.has_value()) {
      EXPECT_LE(range.starting_sequence_number, *range.ending_sequence_number)
          << shard.shard_id;
    }
  }
}

TEST_F(ReshardingTest, MergeShards_ChildHasBothParents) {
  CreateStream("s", 2);
  PutAt(1, "a");
  PutAt(kHalf, "b");
  // Kinesis takes the lower shard first.
  EXPECT_THAT(Merge(ShardId(1), ShardId(0)),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK(Merge(ShardId(0), ShardId(1)));
  EXPECT_EQ(PutAt(1, "c"), ShardId(2));
  EXPECT_EQ(PutAt(kHalf, "d"), ShardId(2));
  const std::vector<Shard> shards = List();
  ASSERT_THAT(shards, SizeIs(3));
  EXPECT_EQ(shards[2].parent_shard_id, ShardId(0));
  EXPECT_EQ(shards[2].adjacent_parent_shard_id, ShardId(1));
  EXPECT_EQ(shards[2].hash_key_range.starting_hash_key, 0);
  EXPECT_EQ(shards[2].hash_key_range.ending_hash_key, absl::Uint128Max());
  for (int parent : {0, 1}) {
    std::vector<ChildShard> children;
    ReadToEnd(ShardId(parent), &children);
    ASSERT_THAT(children, SizeIs(1));
    EXPECT_THAT(children[0].parent_shards, ElementsAre(ShardId(0), ShardId(1)));
  }
  EXPECT_THAT(DataOf(ReadShard("s", ShardId(2))), ElementsAre("c", "d"));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.open_shard_count, 1);
}

TEST_F(ReshardingTest, Reshards_RejectBadRequestsAndChangeNothing) {
  CreateStream("s", 3);
  ASSERT_OK(Split(ShardId(2), absl::Uint128Max() - 5));  // 3 closes: 3, 4.
  EXPECT_THAT(Split(ShardId(0), 1, "missing"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Split(ShardId(9), 1),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Split("bad id!", 1),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Split(ShardId(2), absl::Uint128Max() - 1),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Split(ShardId(0), 0),
              HasErrorName(ErrorName::kInvalidArgumentException));
  SplitShardRequest bad_key;
  bad_key.stream = "s";
  bad_key.shard_to_split = ShardId(0);
  // Not the model's decimal pattern, then above 2^128 - 1.
  for (const char* key : {"", "-1", "12a"}) {
    bad_key.new_starting_hash_key = key;
    EXPECT_THAT(broker().SplitShard(bad_key),
                HasErrorName(ErrorName::kValidationException))
        << key;
  }
  bad_key.new_starting_hash_key = "340282366920938463463374607431768211456";
  EXPECT_THAT(broker().SplitShard(bad_key),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Merge(ShardId(0), ShardId(3)),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Merge(ShardId(1), ShardId(1)),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Merge(ShardId(2), ShardId(3)),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Merge(ShardId(1), ShardId(7)),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Scale(0), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Scale(9), HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(Scale(1), HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(List(), SizeIs(5));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.open_shard_count, 4);
  EXPECT_EQ(summary.stream_status, StreamStatus::kActive);
}

TEST_F(ReshardingTest, Reshards_RespectTheBrokerShardLimit) {
  options().max_shards = 3;
  Reopen();
  CreateStream("s", 2);
  ASSERT_OK(Split(ShardId(0), 100));
  EXPECT_THAT(Split(ShardId(1), kHalf + 2),
              HasErrorName(ErrorName::kLimitExceededException));
  // A merge frees a shard for a split.
  ASSERT_OK(Merge(ShardId(2), ShardId(3)));
  ASSERT_OK(Split(ShardId(1), kHalf + 2));
  EXPECT_THAT(Scale(4), HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(List(ShardFilter{ShardFilterType::kAtLatest}), SizeIs(3));
}

TEST_F(ReshardingTest, UpdateShardCount_ScalesToEvenRanges) {
  CreateStream("s", 4);
  ASSERT_OK_AND_ASSIGN(UpdateShardCountResult result, Scale(8));
  EXPECT_EQ(result.current_shard_count, 4);
  EXPECT_EQ(result.target_shard_count, 8);
  EXPECT_EQ(result.stream_name, "s");
  EXPECT_THAT(List(ShardFilter{ShardFilterType::kAtLatest}), SizeIs(8));
  ASSERT_OK(Scale(4).status());
  ASSERT_OK(Scale(3).status());
  const std::vector<Shard> open = List(ShardFilter{ShardFilterType::kAtLatest});
  ASSERT_THAT(open, SizeIs(3));
  EXPECT_EQ(open[0].hash_key_range.starting_hash_key, 0);
  EXPECT_EQ(open[2].hash_key_range.ending_hash_key, absl::Uint128Max());
  // 4 + 8 (splits) + 4 (merges) + 4 + 3 (4 -> 3: two splits, three merges).
  const std::vector<Shard> all = List();
  EXPECT_THAT(all, SizeIs(4 + 8 + 4 + 4 + 3));
  // Every closed shard, the ones opened and closed within one step too,
  // reads to an end that names its children.
  for (const Shard& shard : all) {
    if (!shard.sequence_number_range.ending_sequence_number.has_value()) {
      continue;
    }
    std::vector<ChildShard> children;
    ReadToEnd(shard.shard_id, &children);
    EXPECT_THAT(children, Not(IsEmpty())) << shard.shard_id;
  }
}

TEST_F(ReshardingTest, UpdateShardCount_AllowsTenScalingsPerDayAcrossRestarts) {
  CreateStream("s", 1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(Scale(2).status());
    ASSERT_OK(Scale(1).status());
    clock().Advance(absl::Minutes(1));
  }
  Reopen();
  EXPECT_THAT(Scale(2), HasErrorName(ErrorName::kLimitExceededException));
  clock().Advance(absl::Hours(24));
  EXPECT_OK(Scale(2).status());
}

TEST_F(ReshardingTest, Reshard_StreamIsUpdatingAndRefusesASecondReshard) {
  CreateStream("s", 2);
  absl::Status second;
  StreamStatus during = StreamStatus::kActive;
  static_cast<BrokerImpl&>(broker()).TEST_SetReshardHook([&] {
    // Another thread, as a concurrent caller would be.
    std::thread other([&] {
      during = Status();
      second = Merge(ShardId(0), ShardId(1));
    });
    other.join();
  });
  ASSERT_OK(Split(ShardId(0), 5));
  EXPECT_EQ(during, StreamStatus::kUpdating);
  EXPECT_THAT(second, HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_EQ(Status(), StreamStatus::kActive);
  EXPECT_THAT(List(), SizeIs(4));
}

TEST_F(ReshardingTest, Reopen_KeepsLineageAndEnds) {
  CreateStream("s", 1);
  PutAt(7, "old");
  ASSERT_OK(Split(ShardId(0), kHalf));
  PutAt(7, "new");
  Reopen();
  std::vector<ChildShard> children;
  EXPECT_THAT(DataOf(ReadToEnd(ShardId(0), &children)), ElementsAre("old"));
  EXPECT_THAT(children, SizeIs(2));
  EXPECT_EQ(PutAt(8, "newer"), ShardId(1));
  EXPECT_THAT(DataOf(ReadShard("s", ShardId(1))), ElementsAre("new", "newer"));
  EXPECT_THAT(List(ShardFilter{ShardFilterType::kAtLatest}), SizeIs(2));
}

TEST_F(ReshardingTest, ListShards_FiltersFollowTheLineage) {
  CreateStream("s", 1);
  const absl::Time created = clock().Now();
  clock().Advance(absl::Hours(1));
  ASSERT_OK(Split(ShardId(0), kHalf));
  const absl::Time split = clock().Now();
  clock().Advance(absl::Hours(1));

  EXPECT_THAT(Ids(List()), ElementsAre(ShardId(0), ShardId(1), ShardId(2)));
  EXPECT_THAT(Ids(List({ShardFilterType::kAtLatest})),
              ElementsAre(ShardId(1), ShardId(2)));
  EXPECT_THAT(Ids(List({ShardFilterType::kAtTrimHorizon})),
              ElementsAre(ShardId(0)));
  EXPECT_THAT(Ids(List({ShardFilterType::kAfterShardId, ShardId(0)})),
              ElementsAre(ShardId(1), ShardId(2)));
  EXPECT_THAT(Ids(List({ShardFilterType::kAtTimestamp, "",
                        created + absl::Minutes(1)})),
              ElementsAre(ShardId(0)));
  // Before the stream existed means its first shards.
  EXPECT_THAT(
      Ids(List({ShardFilterType::kAtTimestamp, "", created - absl::Hours(5)})),
      ElementsAre(ShardId(0)));
  // At the split itself, both sides of it.
  EXPECT_THAT(Ids(List({ShardFilterType::kAtTimestamp, "", split})),
              ElementsAre(ShardId(0), ShardId(1), ShardId(2)));
  EXPECT_THAT(Ids(List({ShardFilterType::kFromTimestamp, "",
                        split + absl::Minutes(1)})),
              ElementsAre(ShardId(1), ShardId(2)));
  EXPECT_THAT(Ids(List({ShardFilterType::kFromTimestamp, "", created})),
              ElementsAre(ShardId(0), ShardId(1), ShardId(2)));

  // Two days on, the trim horizon is past the split.
  clock().Advance(absl::Hours(48));
  EXPECT_THAT(Ids(List({ShardFilterType::kAtTrimHorizon})),
              ElementsAre(ShardId(1), ShardId(2)));
}

TEST_F(ReshardingTest, ListShards_RejectsIncompleteFiltersAndMixedTokens) {
  CreateStream("s", 3);
  ListShardsRequest request;
  request.stream = "s";
  request.shard_filter = ShardFilter{ShardFilterType::kAfterShardId};
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.shard_filter = ShardFilter{ShardFilterType::kAtTimestamp};
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.shard_filter = ShardFilter{ShardFilterType::kFromTimestamp};
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.shard_filter = ShardFilter{ShardFilterType::kAtLatest, ShardId(0)};
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));

  // A token carries its filter; it cannot be combined with another.
  ASSERT_OK(Split(ShardId(1), kHalf + 1));
  request.shard_filter = ShardFilter{ShardFilterType::kAtLatest};
  request.max_results = 2;
  ASSERT_OK_AND_ASSIGN(ListShardsResult page, broker().ListShards(request));
  EXPECT_THAT(Ids(page.shards), ElementsAre(ShardId(0), ShardId(2)));
  ListShardsRequest next;
  next.next_token = page.next_token;
  next.shard_filter = ShardFilter{ShardFilterType::kAtLatest};
  EXPECT_THAT(broker().ListShards(next),
              HasErrorName(ErrorName::kInvalidArgumentException));
  next.shard_filter.reset();
  ASSERT_OK_AND_ASSIGN(page, broker().ListShards(next));
  EXPECT_THAT(Ids(page.shards), ElementsAre(ShardId(3), ShardId(4)));
  EXPECT_TRUE(page.next_token.empty());
}

TEST_F(ReshardingTest, Retention_ClosedParentExpiresWhileChildrenLiveOn) {
  CreateStream("s", 1);
  PutAt(1, "parent");
  ASSERT_OK(Split(ShardId(0), kHalf));
  clock().Advance(absl::Hours(23));
  PutAt(1, "child");
  clock().Advance(absl::Minutes(59));
  const std::string parent_iterator =
      Iterator("s", ShardId(0), ShardIteratorType::kTrimHorizon);
  clock().Advance(absl::Minutes(2));  // The parent closed 24h01m ago.
  ASSERT_OK(static_cast<BrokerImpl&>(broker()).TEST_TrimNow().status());

  EXPECT_THAT(Ids(List()), ElementsAre(ShardId(1), ShardId(2)));
  DescribeStreamRequest describe;
  describe.stream = "s";
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream(describe));
  EXPECT_THAT(Ids(description.shards), ElementsAre(ShardId(1), ShardId(2)));
  GetShardIteratorRequest request;
  request.stream = "s";
  request.shard_id = ShardId(0);
  EXPECT_THAT(broker().GetShardIterator(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
  // An iterator taken before finds the shard's end, and its children.
  GetRecordsRequest get;
  get.shard_iterator = parent_iterator;
  ASSERT_OK_AND_ASSIGN(GetRecordsResult end, broker().GetRecords(get));
  EXPECT_THAT(end.records, IsEmpty());
  EXPECT_TRUE(end.next_shard_iterator.empty());
  EXPECT_THAT(end.child_shards, SizeIs(2));
  EXPECT_THAT(DataOf(ReadShard("s", ShardId(1))), ElementsAre("child"));

  // The lineage still names the expired parent.
  EXPECT_EQ(List()[0].parent_shard_id, ShardId(0));
}

}  // namespace
}  // namespace brook
