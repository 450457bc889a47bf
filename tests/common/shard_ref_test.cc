#include "common/shard_ref.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(ShardIdTest, FormatsAndParsesKinesisIds) {
  EXPECT_EQ(ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdOf(1234), "shardId-000000001234");
  EXPECT_EQ(ShardIdOf(UINT32_MAX), "shardId-004294967295");
  EXPECT_EQ(ParseShardId("shardId-000000001234"), 1234u);
  // Kinesis reads short and padded forms as the canonical id.
  for (const char* same : {"shardId-1", "1", "shardId-00000000001",
                           "shardId-0000000000001", "0001"}) {
    EXPECT_EQ(ParseShardId(same), 1u) << same;
    EXPECT_EQ(CanonicalShardId(same), "shardId-000000000001") << same;
  }
  for (const char* bad :
       {"", "shardId-", "shardid-000000000001", "shardId-00000000000x",
        "shardId-999999999999", "shardId--1", "1 "}) {
    EXPECT_FALSE(ParseShardId(bad).has_value()) << bad;
  }
  EXPECT_EQ(CanonicalShardId("shard-x"), "shard-x");
}

}  // namespace
}  // namespace brook
