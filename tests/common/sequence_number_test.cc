#include "brook/sequence_number.h"

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

TEST(SequenceNumberTest, Parse_RoundTripsDecimal) {
  for (const char* text :
       {"0", "1", "9999999999999999999", "10000000000000000000",
        "18446744073709551616", "100000000000000000000000000000000000005",
        "10000000000000000000000000000000000000",
        "340282366920938463463374607431768211455"}) {
    ASSERT_OK_AND_ASSIGN(SequenceNumber number, SequenceNumber::Parse(text));
    EXPECT_EQ(number.ToString(), text);
  }
}

TEST(SequenceNumberTest, Parse_RejectsMalformed) {
  for (const char* text :
       {"", "01", "-1", "1a", " 1", "340282366920938463463374607431768211456",
        "9999999999999999999999999999999999999999"}) {
    EXPECT_THAT(SequenceNumber::Parse(text),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << text;
  }
}

TEST(SequenceNumberTest, Layout_OrdersByCounterThenCarriesShard) {
  const ShardRef shard{7, 3};
  const SequenceNumber first = MakeSequenceNumber(10, shard);
  const SequenceNumber second = MakeSequenceNumber(11, shard);
  EXPECT_LT(first, second);
  EXPECT_EQ(CounterOf(second), 11u);
  EXPECT_EQ(ShardOf(second), shard);
  // A later counter of any shard is numerically larger.
  EXPECT_LT(MakeSequenceNumber(10, ShardRef{UINT32_MAX, UINT32_MAX}), second);
}

}  // namespace
}  // namespace brook
