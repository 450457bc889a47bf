#include "routing/hash_key.h"

#include "common/uint128.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

absl::uint128 Decimal(const char* text) { return *ParseDecimalUint128(text); }

TEST(HashKeyTest, PartitionKeyHash_MatchesMd5Vectors) {
  // RFC 1321 test suite.
  EXPECT_EQ(PartitionKeyHash(""),
            absl::MakeUint128(0xd41d8cd98f00b204, 0xe9800998ecf8427e));
  EXPECT_EQ(PartitionKeyHash("abc"),
            absl::MakeUint128(0x900150983cd24fb0, 0xd6963f7d28e17f72));
  EXPECT_EQ(PartitionKeyHash("message digest"),
            absl::MakeUint128(0xf96b697d7cb7938d, 0x525a2f31aaf161d0));
}

TEST(HashKeyTest, PartitionKeyHash_IsStable) {
  EXPECT_EQ(PartitionKeyHash("user-42"), PartitionKeyHash("user-42"));
  EXPECT_NE(PartitionKeyHash("user-42"), PartitionKeyHash("user-43"));
}

TEST(HashKeyTest, SplitEvenly_OneShardCoversEverything) {
  const std::vector<HashKeyRange> ranges = SplitHashKeySpaceEvenly(1);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].starting_hash_key, 0);
  EXPECT_EQ(ranges[0].ending_hash_key, absl::Uint128Max());
}

TEST(HashKeyTest, SplitEvenly_MatchesKinesisBoundaries) {
  // Two shards: the second starts at 2^127, as Kinesis shows it.
  std::vector<HashKeyRange> ranges = SplitHashKeySpaceEvenly(2);
  EXPECT_EQ(ranges[1].starting_hash_key,
            Decimal("170141183460469231731687303715884105728"));
  EXPECT_EQ(ranges[0].ending_hash_key,
            Decimal("170141183460469231731687303715884105727"));

  // Three shards: floor(2^128 / 3) * i.
  ranges = SplitHashKeySpaceEvenly(3);
  EXPECT_EQ(ranges[1].starting_hash_key,
            Decimal("113427455640312821154458202477256070485"));
  EXPECT_EQ(ranges[2].starting_hash_key,
            Decimal("226854911280625642308916404954512140970"));
  EXPECT_EQ(ranges[2].ending_hash_key, absl::Uint128Max());
}

TEST(HashKeyTest, SplitEvenly_RangesAreContiguous) {
  for (int n : {1, 2, 3, 4, 7, 100, 1000}) {
    const std::vector<HashKeyRange> ranges = SplitHashKeySpaceEvenly(n);
    ASSERT_EQ(ranges.size(), static_cast<size_t>(n));
    EXPECT_EQ(ranges.front().starting_hash_key, 0);
    EXPECT_EQ(ranges.back().ending_hash_key, absl::Uint128Max());
    for (int i = 1; i < n; ++i) {
      EXPECT_EQ(ranges[i].starting_hash_key, ranges[i - 1].ending_hash_key + 1)
          << "n=" << n << " i=" << i;
    }
  }
}

TEST(Uint128DecimalTest, ParsesOnlyTheKinesisPattern) {
  EXPECT_EQ(ParseDecimalUint128("0"), absl::uint128(0));
  EXPECT_EQ(ParseDecimalUint128("340282366920938463463374607431768211455"),
            absl::Uint128Max());
  for (const char* bad : {"", "00", "007", "-1", "+1", "1.0", "1e3", " 1",
                          "340282366920938463463374607431768211456"}) {
    EXPECT_FALSE(ParseDecimalUint128(bad).has_value()) << bad;
  }
  EXPECT_EQ(Uint128ToDecimal(absl::Uint128Max()),
            "340282366920938463463374607431768211455");
}

TEST(Uint128DecimalTest, FormatsEveryChunkBoundary) {
  // Around 10^19 and 10^38, where a chunk of 19 digits needs its leading
  // zeros, and the widest number, which fills the buffer.
  for (const char* text :
       {"0", "9", "9999999999999999999", "10000000000000000000",
        "10000000000000000001", "100000000000000000000000000000000000000",
        "340282366920938463463374607431768211455"}) {
    DecimalDigits digits;
    EXPECT_EQ(Uint128ToChars(Decimal(text), digits), text);
    EXPECT_EQ(Uint128ToDecimal(Decimal(text)), text);
  }
}

}  // namespace
}  // namespace brook
