// The event stream framing that SubscribeToShard responses use.

#include "aws/event_stream.h"

#include <zlib.h>

#include <string>

#include "common/coding.h"
#include "common/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

uint32_t Crc(const std::string& bytes, size_t n) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), n));
}

TEST(EventStreamTest, FramesHeadersAndPayloadWithBothChecksums) {
  const std::string message = EncodeEventStreamMessage({{"ab", "xyz"}}, "{}");
  // Prelude (12) + header (1 + 2 + 1 + 2 + 3) + payload (2) + CRC (4).
  ASSERT_EQ(message.size(), 12u + 9u + 2u + 4u);
  EXPECT_EQ(DecodeFixed32BE(message.data()), message.size());
  EXPECT_EQ(DecodeFixed32BE(message.data() + 4), 9u);
  EXPECT_EQ(DecodeFixed32BE(message.data() + 8), Crc(message, 8));
  EXPECT_EQ(message.substr(12, 9), std::string("\x02"
                                               "ab"
                                               "\x07\x00\x03xyz",
                                               9));
  EXPECT_EQ(message.substr(21, 2), "{}");
  EXPECT_EQ(DecodeFixed32BE(message.data() + 23), Crc(message, 23));
}

TEST(EventStreamTest, ExceptionsCarryTheErrorName) {
  const std::string message =
      ExceptionMessage(ResourceNotFound("consumer 'x' not found"));
  EXPECT_THAT(message, ::testing::HasSubstr(":exception-type"));
  EXPECT_THAT(message, ::testing::HasSubstr("ResourceNotFoundException"));
  EXPECT_THAT(message,
              ::testing::HasSubstr(R"({"message":"consumer 'x' not found"})"));
}

}  // namespace
}  // namespace brook
