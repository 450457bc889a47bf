// ShardLineage: shards are handed out parents first, across splits and
// merges, whether it learns of the shards from ListShards or from the child
// shards that readers report.

#include "brook/shard_lineage.h"

#include <string>
#include <vector>

#include "broker/broker_impl.h"
#include "common/shard_ref.h"
#include "common/uint128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::Eq;
using ::testing::Optional;

const absl::uint128 kHalf = absl::MakeUint128(uint64_t{1} << 63, 0);
const absl::uint128 kQuarter = kHalf / 2;

std::string ShardId(int i) { return ShardIdOf(static_cast<uint32_t>(i)); }

class ShardLineageTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 2);
  }

  // Shards 0 [0, half) and 1 [half, max] become 2 [0, quarter), 3 [quarter,
  // half) by a split, then 3 and 1 merge into 4 [quarter, max].
  void SplitThenMerge() {
    SplitShardRequest split;
    split.stream = "s";
    split.shard_to_split = ShardId(0);
    split.new_starting_hash_key = Uint128ToDecimal(kQuarter);
    ASSERT_OK(broker().SplitShard(split));
    MergeShardsRequest merge;
    merge.stream = "s";
    merge.shard_to_merge = ShardId(3);
    merge.adjacent_shard_to_merge = ShardId(1);
    ASSERT_OK(broker().MergeShards(merge));
  }

  // The child shards a reader of `shard_id` is told at its end.
  std::vector<ChildShard> ChildrenOf(const std::string& shard_id) {
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator("s", shard_id, ShardIteratorType::kLatest);
    absl::StatusOr<GetRecordsResult> result = broker().GetRecords(request);
    EXPECT_OK(result);
    EXPECT_TRUE(result.ok() && result->next_shard_iterator.empty());
    return result.ok() ? result->child_shards : std::vector<ChildShard>();
  }
};

TEST_F(ShardLineageTest, Acquire_HandsOutParentsBeforeChildren) {
  SplitThenMerge();
  ShardLineage lineage(&broker(), "s");
  ASSERT_OK(lineage.Refresh());
  EXPECT_EQ(lineage.unfinished_count(), 5);
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(0))));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(1))));
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
  lineage.Finish(ShardId(1), ChildrenOf(ShardId(1)));
  // 4 waits for its other parent, 3, which waits for 0.
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
  lineage.Finish(ShardId(0), ChildrenOf(ShardId(0)));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(2))));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(3))));
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
  lineage.Finish(ShardId(3), ChildrenOf(ShardId(3)));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(4))));
  EXPECT_EQ(lineage.unfinished_count(), 2);  // 2 and 4 are open.
}

TEST_F(ShardLineageTest, Finish_ChildWithAParentNotYetLearnedWaitsForIt) {
  // The lineage knows only 0 and 1 when the stream is resharded.
  ShardLineage lineage(&broker(), "s");
  ASSERT_OK(lineage.Refresh());
  SplitThenMerge();
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(0))));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(1))));
  // 1's child 4 also descends from 3, which the lineage has not seen.
  lineage.Finish(ShardId(1), ChildrenOf(ShardId(1)));
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
  lineage.Finish(ShardId(0), ChildrenOf(ShardId(0)));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(2))));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(3))));
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
  lineage.Finish(ShardId(3), ChildrenOf(ShardId(3)));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(4))));
}

TEST_F(ShardLineageTest, Release_HandsTheShardOutAgain) {
  ShardLineage lineage(&broker(), "s");
  ASSERT_OK(lineage.Refresh());
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(0))));
  lineage.Release(ShardId(0));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(0))));
}

TEST_F(ShardLineageTest, Refresh_ParentsNoLongerKeptCountAsFinished) {
  SplitThenMerge();
  clock().Advance(absl::Hours(25));
  ASSERT_OK(static_cast<BrokerImpl&>(broker()).TEST_TrimNow().status());
  ShardLineage lineage(&broker(), "s");
  ASSERT_OK(lineage.Refresh());
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(2))));
  EXPECT_THAT(lineage.Acquire(), Optional(Eq(ShardId(4))));
  EXPECT_EQ(lineage.unfinished_count(), 2);
}

TEST_F(ShardLineageTest, Refresh_FailsForAMissingStream) {
  ShardLineage lineage(&broker(), "missing");
  EXPECT_THAT(lineage.Refresh(),
              testing::HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_EQ(lineage.Acquire(), absl::nullopt);
}

}  // namespace
}  // namespace brook
