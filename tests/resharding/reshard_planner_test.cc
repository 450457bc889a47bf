#include "resharding/reshard_planner.h"

#include <algorithm>
#include <vector>

#include "catalog/stream_state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "routing/hash_key.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

constexpr int64_t kNowMs = 1700000000000;
constexpr int64_t kHourMs = 3600 * 1000;

StreamMeta Stream(int shards) {
  StreamMeta meta = NewStreamMeta(7, "s", shards, /*starting_counter=*/10);
  meta.creation_ms = kNowMs - kHourMs;
  return meta;
}

std::vector<const ShardMeta*> OpenShards(const StreamMeta& meta) {
  std::vector<const ShardMeta*> open;
  for (const ShardMeta& shard : meta.shards) {
    if (shard.open()) open.push_back(&shard);
  }
  std::sort(open.begin(), open.end(),
            [](const ShardMeta* a, const ShardMeta* b) {
              return a->hash_key_range.starting_hash_key <
                     b->hash_key_range.starting_hash_key;
            });
  return open;
}

// The open shards cover the whole hash key space, in order, without gaps.
void ExpectCoversSpace(const StreamMeta& meta) {
  absl::uint128 next = 0;
  const std::vector<const ShardMeta*> open = OpenShards(meta);
  for (size_t i = 0; i < open.size(); ++i) {
    EXPECT_EQ(open[i]->hash_key_range.starting_hash_key, next);
    if (i + 1 == open.size()) {
      EXPECT_EQ(open[i]->hash_key_range.ending_hash_key, absl::Uint128Max());
    } else {
      next = open[i]->hash_key_range.ending_hash_key + 1;
    }
  }
}

// Every child starts above every counter of its parents.
void ExpectChildrenAboveParents(const StreamMeta& meta) {
  for (const ShardMeta& shard : meta.shards) {
    for (const auto& parent :
         {shard.parent_index, shard.adjacent_parent_index}) {
      if (!parent.has_value()) continue;
      const ShardMeta& p = meta.shards[*parent];
      ASSERT_TRUE(p.ending_counter.has_value());
      EXPECT_LT(*p.ending_counter, shard.starting_counter);
      EXPECT_LE(p.starting_counter, *p.ending_counter);
    }
  }
}

TEST(ReshardPlannerTest, Split_ClosesParentAndOpensTwoChildren) {
  ReshardPlanner planner(Stream(1));
  const absl::uint128 key = absl::MakeUint128(1, 0);
  ASSERT_OK(planner.Split(0, key));
  EXPECT_EQ(planner.open_shard_delta(), 1);
  EXPECT_EQ(planner.counters_needed(), 1u);
  const StreamMeta after = std::move(planner).Finish(100, kNowMs);
  ASSERT_EQ(after.shards.size(), 3u);
  EXPECT_EQ(after.shards[0].ending_counter, 99u);
  EXPECT_EQ(after.shards[0].closed_ms, kNowMs);
  EXPECT_EQ(after.shards[1].parent_index, 0u);
  EXPECT_EQ(after.shards[2].parent_index, 0u);
  EXPECT_FALSE(after.shards[1].adjacent_parent_index.has_value());
  EXPECT_EQ(after.shards[1].hash_key_range.ending_hash_key, key - 1);
  EXPECT_EQ(after.shards[2].hash_key_range.starting_hash_key, key);
  EXPECT_EQ(after.shards[1].starting_counter, 100u);
  ExpectCoversSpace(after);
  ExpectChildrenAboveParents(after);
}

TEST(ReshardPlannerTest, Split_RejectsKeysOutsideTheShard) {
  ReshardPlanner planner(Stream(2));
  const HashKeyRange second = SplitHashKeySpaceEvenly(2)[1];
  // The starting key would leave one child empty.
  EXPECT_THAT(planner.Split(1, second.starting_hash_key),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(planner.Split(0, second.starting_hash_key),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(planner.Split(1, 0),
              HasErrorName(ErrorName::kInvalidArgumentException));
  // The last key leaves a one-key child, which is allowed.
  EXPECT_OK(planner.Split(1, absl::Uint128Max()));
}

TEST(ReshardPlannerTest, Split_RejectsMissingAndClosedShards) {
  ReshardPlanner planner(Stream(1));
  EXPECT_THAT(planner.Split(1, 5),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK(planner.Split(0, 5));
  EXPECT_THAT(planner.Split(0, 6),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TEST(ReshardPlannerTest, Merge_JoinsAdjacentShardsEitherWay) {
  for (const auto& [a, b] : {std::pair<uint32_t, uint32_t>{0, 1}, {1, 0}}) {
    ReshardPlanner planner(Stream(2));
    ASSERT_OK(planner.Merge(a, b));
    EXPECT_EQ(planner.open_shard_delta(), -1);
    const StreamMeta after = std::move(planner).Finish(50, kNowMs);
    ASSERT_EQ(after.shards.size(), 3u);
    EXPECT_EQ(after.shards[2].parent_index, a);
    EXPECT_EQ(after.shards[2].adjacent_parent_index, b);
    EXPECT_EQ(after.shards[2].hash_key_range.starting_hash_key, 0);
    EXPECT_EQ(after.shards[2].hash_key_range.ending_hash_key,
              absl::Uint128Max());
    ExpectChildrenAboveParents(after);
  }
}

TEST(ReshardPlannerTest, Merge_RejectsBadPairs) {
  ReshardPlanner planner(Stream(3));
  EXPECT_THAT(planner.Merge(0, 2),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(planner.Merge(1, 1),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(planner.Merge(1, 9),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK(planner.Merge(0, 1));
  EXPECT_THAT(planner.Merge(1, 2),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TEST(ReshardPlannerTest, ScaleUniformly_ReachesEvenRangesThroughGenerations) {
  for (const auto& [from, to] : std::vector<std::pair<int, int>>{
           {4, 8}, {8, 4}, {4, 3}, {3, 5}, {5, 3}, {1, 2}, {7, 7}, {6, 11}}) {
    ReshardPlanner planner(Stream(from));
    ASSERT_OK(planner.ScaleUniformly(to, kNowMs)) << from << "->" << to;
    EXPECT_EQ(planner.open_shard_delta(), to - from);
    const StreamMeta after = std::move(planner).Finish(1000, kNowMs);
    const std::vector<const ShardMeta*> open = OpenShards(after);
    const std::vector<HashKeyRange> even = SplitHashKeySpaceEvenly(to);
    ASSERT_EQ(open.size(), even.size()) << from << "->" << to;
    for (size_t i = 0; i < even.size(); ++i) {
      EXPECT_EQ(open[i]->hash_key_range.starting_hash_key,
                even[i].starting_hash_key);
      EXPECT_EQ(open[i]->hash_key_range.ending_hash_key,
                even[i].ending_hash_key);
    }
    ExpectChildrenAboveParents(after);
    EXPECT_THAT(after.scaling_ms, ::testing::ElementsAre(kNowMs));
  }
}

TEST(ReshardPlannerTest, ScaleUniformly_EnforcesKinesisBounds) {
  EXPECT_THAT(ReshardPlanner(Stream(4)).ScaleUniformly(9, kNowMs),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(ReshardPlanner(Stream(5)).ScaleUniformly(2, kNowMs),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_OK(ReshardPlanner(Stream(5)).ScaleUniformly(3, kNowMs));
  EXPECT_OK(ReshardPlanner(Stream(4)).ScaleUniformly(8, kNowMs));
  EXPECT_THAT(ReshardPlanner(Stream(6000)).ScaleUniformly(10001, kNowMs),
              HasErrorName(ErrorName::kLimitExceededException));
}

TEST(ReshardPlannerTest, ScaleUniformly_AllowsTenScalingsPerDay) {
  StreamMeta meta = Stream(2);
  for (int i = 0; i < 10; ++i) {
    meta.scaling_ms.push_back(kNowMs - 23 * kHourMs + i);
  }
  EXPECT_THAT(ReshardPlanner(meta).ScaleUniformly(2, kNowMs),
              HasErrorName(ErrorName::kLimitExceededException));
  // An hour later the oldest has left the 24-hour window, and is forgotten.
  ReshardPlanner later(meta);
  ASSERT_OK(later.ScaleUniformly(2, kNowMs + kHourMs));
  const StreamMeta after = std::move(later).Finish(1, kNowMs + kHourMs);
  ASSERT_EQ(after.scaling_ms.size(), 10u);
  EXPECT_EQ(after.scaling_ms.front(), meta.scaling_ms[1]);
  EXPECT_EQ(after.scaling_ms.back(), kNowMs + kHourMs);
}

}  // namespace
}  // namespace brook
