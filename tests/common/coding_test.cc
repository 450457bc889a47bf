#include "common/coding.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(CodingTest, Fixed64BE_SortsAsNumbers) {
  std::string small;
  std::string large;
  PutFixed64BE(&small, 255);
  PutFixed64BE(&large, 256);
  EXPECT_LT(small, large);
  EXPECT_EQ(small, std::string("\0\0\0\0\0\0\0\xff", 8));
  EXPECT_EQ(DecodeFixed64BE(large.data()), 256u);
}

TEST(CodingTest, Fixed32BE_RoundTrips) {
  std::string out;
  PutFixed32BE(&out, 0xdeadbeef);
  EXPECT_EQ(out, "\xde\xad\xbe\xef");
  EXPECT_EQ(DecodeFixed32BE(out.data()), 0xdeadbeefu);
}

TEST(CodingTest, Varint_RoundTripsEdges) {
  for (uint64_t value :
       {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, UINT64_MAX}) {
    std::string out;
    PutVarint64(&out, value);
    Decoder in(out);
    uint64_t read = 1;
    ASSERT_TRUE(in.ReadVarint64(&read));
    EXPECT_EQ(read, value);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, Decoder_RejectsTruncatedInput) {
  std::string out;
  PutVarint64(&out, 300);
  Decoder truncated_varint(absl::string_view(out).substr(0, 1));
  uint64_t value = 0;
  EXPECT_FALSE(truncated_varint.ReadVarint64(&value));

  std::string prefixed;
  PutLengthPrefixed(&prefixed, "hello");
  Decoder short_bytes(absl::string_view(prefixed).substr(0, 4));
  absl::string_view bytes;
  EXPECT_FALSE(short_bytes.ReadLengthPrefixed(&bytes));

  Decoder short_fixed("abc");
  uint32_t fixed = 0;
  EXPECT_FALSE(short_fixed.ReadFixed32BE(&fixed));
}

TEST(CodingTest, Decoder_RejectsOverlongVarint) {
  const std::string eleven_continuations(11, '\x80');
  Decoder in(eleven_continuations);
  uint64_t value = 0;
  EXPECT_FALSE(in.ReadVarint64(&value));
}

}  // namespace
}  // namespace brook
