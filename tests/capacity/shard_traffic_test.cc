// Where a hot shard is split: at the hash key that halves its traffic.

#include "capacity/shard_traffic.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

const HashKeyRange kWhole{0, absl::Uint128Max()};

// The key at `fraction` of the whole hash key space.
absl::uint128 At(double fraction) {
  return absl::MakeUint128(
      static_cast<uint64_t>(fraction * 18446744073709551616.0), 0);
}

TEST(ShardTrafficTest, SplitsWhereTheTrafficIs) {
  ShardTraffic traffic(kWhole);
  // Traffic spread evenly over [0.30, 0.32): the split lands inside it,
  // near 0.31, not at the midpoint.
  for (int i = 0; i < 200; ++i) traffic.Add(At(0.30 + 0.0001 * i), 1000);
  const absl::optional<absl::uint128> split =
      traffic.SplitPoint(traffic.Take());
  ASSERT_TRUE(split.has_value());
  EXPECT_GE(*split, At(0.30));
  EXPECT_LT(*split, At(0.32));
}

TEST(ShardTrafficTest, EvenTrafficSplitsNearTheMiddle) {
  ShardTraffic traffic(kWhole);
  for (int i = 0; i < 1000; ++i) traffic.Add(At(i / 1000.0), 10);
  const absl::optional<absl::uint128> split =
      traffic.SplitPoint(traffic.Take());
  ASSERT_TRUE(split.has_value());
  EXPECT_GE(*split, At(0.49));
  EXPECT_LE(*split, At(0.51));
}

TEST(ShardTrafficTest, TakeStartsAnewAndNoTrafficHasNoSplit) {
  ShardTraffic traffic(kWhole);
  traffic.Add(At(0.5), 10);
  EXPECT_TRUE(traffic.SplitPoint(traffic.Take()).has_value());
  EXPECT_FALSE(traffic.SplitPoint(traffic.Take()).has_value());
}

TEST(ShardTrafficTest, SplitLeavesEachChildTwoKeys) {
  // The lowest and highest keys, as SplitShard requires.
  ShardTraffic low(HashKeyRange{100, 200});
  low.Add(100, 1000);
  EXPECT_EQ(low.SplitPoint(low.Take()), absl::uint128(102));
  ShardTraffic high(HashKeyRange{100, 200});
  high.Add(200, 1000);
  const absl::optional<absl::uint128> split = high.SplitPoint(high.Take());
  ASSERT_TRUE(split.has_value());
  EXPECT_GT(*split, absl::uint128(190));
  EXPECT_LE(*split, absl::uint128(199));
  ShardTraffic tiny(HashKeyRange{100, 102});
  tiny.Add(101, 1000);
  EXPECT_FALSE(tiny.SplitPoint(tiny.Take()).has_value());
}

TEST(ShardTrafficTest, OneHotKeyIsTold) {
  ShardTraffic traffic(kWhole);
  traffic.Add(At(0.2), 10);
  traffic.Add(At(0.2), 10);
  EXPECT_FALSE(traffic.Take().several_keys);
  traffic.Add(At(0.2), 10);
  traffic.Add(At(0.7), 10);
  EXPECT_TRUE(traffic.Take().several_keys);
}

}  // namespace
}  // namespace brook
