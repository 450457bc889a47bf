// The event stream framing that SubscribeToShard responses use.

#include "aws/event_stream.h"

#include <zlib.h>

#include <string>
#include <vector>

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

TEST(EventStreamTest, DecodesMessagesSplitAnywhere) {
  const std::string stream =
      EventMessage("initial-response", "{}") +
      EventMessage("SubscribeToShardEvent", R"({"Records":[]})") +
      ExceptionMessage(ResourceNotFound("gone"));
  // Byte by byte: a message comes out only once it is whole.
  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  for (char c : stream) {
    decoder.Append(absl::string_view(&c, 1));
    absl::StatusOr<absl::optional<EventStreamMessage>> next = decoder.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (next->has_value()) messages.push_back(**next);
  }
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].Header(":event-type"), "initial-response");
  EXPECT_EQ(messages[1].Header(":message-type"), "event");
  EXPECT_EQ(messages[1].payload, R"({"Records":[]})");
  EXPECT_EQ(messages[2].Header(":exception-type"), "ResourceNotFoundException");
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(EventStreamTest, DecoderRefusesACorruptMessage) {
  std::string message = EventMessage("SubscribeToShardEvent", "{}");
  message[message.size() - 6] ^= 1;  // A payload byte.
  EventStreamDecoder decoder;
  decoder.Append(message);
  EXPECT_EQ(ErrorNameOf(decoder.Next().status()), ErrorName::kInternalFailure);
  EventStreamDecoder prelude;
  std::string bad_prelude = EventMessage("x", "{}");
  bad_prelude[2] ^= 1;  // The total length.
  prelude.Append(bad_prelude);
  EXPECT_EQ(ErrorNameOf(prelude.Next().status()), ErrorName::kInternalFailure);
}

}  // namespace
}  // namespace brook
