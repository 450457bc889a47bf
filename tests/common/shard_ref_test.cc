#include "common/shard_ref.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(ShardIdTest, FormatsAndParsesKinesisIds) {
  EXPECT_EQ(ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdOf(1234), "shardId-000000001234");
  EXPECT_EQ(ShardIdOf(UINT32_MAX), "shardId-004294967295");
  EXPECT_EQ(ParseShardId("shardId-000000001234"), 1234u);
  for (const char* bad : {"", "shardId-", "shardId-00000000001",
                          "shardId-0000000000001", "shardid-000000000001",
                          "shardId-00000000000x", "shardId-999999999999"}) {
    EXPECT_FALSE(ParseShardId(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace brook
