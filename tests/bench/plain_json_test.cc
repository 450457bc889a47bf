// PlainJson: the benchmark tools' result lines write numbers without
// exponents, and read back as the same values.

#include "tool/plain_json.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace brook::bench {
namespace {

TEST(PlainJsonTest, DoublesAreWrittenWithoutExponents) {
  EXPECT_EQ(PlainJson(1e6), "1000000");
  EXPECT_EQ(PlainJson(2.5e-1), "0.25");
  EXPECT_EQ(PlainJson(1.5e-6), "0.0000015");
  EXPECT_EQ(PlainJson(123456.789), "123456.789");
  EXPECT_EQ(PlainJson(-3e7), "-30000000");
}

TEST(PlainJsonTest, NestedValuesKeepTheirShape) {
  const boost::json::value value = {
      {"name", "produce \"x\""},
      {"records", 1000000},
      {"mb_per_s", 1e6},
      {"samples", boost::json::array{1e-7, 2, true, nullptr}},
      {"nested", {{"empty", boost::json::object()}}}};
  EXPECT_EQ(PlainJson(value),
            R"({"name":"produce \"x\"","records":1000000,"mb_per_s":1000000,)"
            R"("samples":[0.0000001,2,true,null],"nested":{"empty":{}}})");
}

TEST(PlainJsonTest, NonFiniteDoublesAreNull) {
  EXPECT_EQ(PlainJson(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(PlainJson(std::nan("")), "null");
}

TEST(PlainJsonTest, DoublesReadBackExactly) {
  for (const double number :
       {std::numeric_limits<double>::max(),
        std::numeric_limits<double>::denorm_min(), 0.1, 1.0 / 3, 98.7654321}) {
    const std::string plain = PlainJson(number);
    double read = 0;
    const std::from_chars_result result =
        std::from_chars(plain.data(), plain.data() + plain.size(), read);
    EXPECT_EQ(result.ptr, plain.data() + plain.size()) << plain;
    EXPECT_EQ(read, number) << plain;
  }
}

}  // namespace
}  // namespace brook::bench
