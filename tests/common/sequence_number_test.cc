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
  const std::string too_long(130, '9');
  for (const std::string& text :
       {std::string(""), std::string("01"), std::string("-1"),
        std::string("1a"), std::string(" 1"),
        std::string("00340282366920938463463374607431768211456"), too_long}) {
    EXPECT_THAT(SequenceNumber::Parse(text),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << text;
  }
}

// Amazon Kinesis' numbers are 56 digits: carried, ordered, never narrowed.
TEST(SequenceNumberTest, Parse_CarriesNumbersWiderThan128Bits) {
  const std::string kinesis =
      "49590338271490256608559692538361571095921575989136588898";
  ASSERT_OK_AND_ASSIGN(SequenceNumber wide, SequenceNumber::Parse(kinesis));
  ASSERT_OK_AND_ASSIGN(SequenceNumber wider,
                       SequenceNumber::Parse(std::string(129, '9')));
  ASSERT_OK_AND_ASSIGN(
      SequenceNumber just_wide,
      SequenceNumber::Parse("340282366920938463463374607431768211456"));
  EXPECT_TRUE(wide.is_wide());
  EXPECT_EQ(wide.ToString(), kinesis);
  EXPECT_EQ(wide.value(), 0);
  const SequenceNumber largest_narrow(~absl::uint128(0));
  EXPECT_FALSE(largest_narrow.is_wide());
  EXPECT_LT(largest_narrow, just_wide);
  EXPECT_LT(just_wide, wide);
  EXPECT_LT(wide, wider);
  EXPECT_EQ(wide, *SequenceNumber::Parse(kinesis));
  EXPECT_NE(wide, wider);
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
