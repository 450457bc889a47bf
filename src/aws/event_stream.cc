#include "aws/event_stream.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "common/coding.h"
#include "common/errors.h"

namespace brook {
namespace {

constexpr char kStringHeader = 7;
constexpr char kBytesHeader = 6;
constexpr size_t kPreludeBytes = 12;
constexpr size_t kCrcBytes = 4;

uint32_t Crc32(absl::string_view bytes, uint32_t crc = 0) {
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()),
            static_cast<uInt>(bytes.size())));
}

}  // namespace

std::string EncodeEventStreamMessage(const EventStreamHeaders& headers,
                                     absl::string_view payload) {
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    encoded_headers.push_back(static_cast<char>(name.size()));
    encoded_headers += name;
    encoded_headers.push_back(kStringHeader);
    encoded_headers.push_back(static_cast<char>(value.size() >> 8));
    encoded_headers.push_back(static_cast<char>(value.size() & 0xff));
    encoded_headers += value;
  }
  const uint32_t total =
      static_cast<uint32_t>(12 + encoded_headers.size() + payload.size() + 4);
  std::string message;
  message.reserve(total);
  PutFixed32BE(&message, total);
  PutFixed32BE(&message, static_cast<uint32_t>(encoded_headers.size()));
  PutFixed32BE(&message, Crc32(message));
  message += encoded_headers;
  message.append(payload.data(), payload.size());
  PutFixed32BE(&message, Crc32(message));
  return message;
}

std::string EventMessage(absl::string_view event_type,
                         absl::string_view payload,
                         absl::string_view content_type) {
  return EncodeEventStreamMessage({{":event-type", std::string(event_type)},
                                   {":content-type", std::string(content_type)},
                                   {":message-type", "event"}},
                                  payload);
}

std::string ExceptionMessage(const absl::Status& error) {
  boost::json::object payload;
  payload["message"] = std::string(error.message());
  return ExceptionMessage(error, boost::json::serialize(payload),
                          "application/json");
}

std::string ExceptionMessage(const absl::Status& error,
                             absl::string_view payload,
                             absl::string_view content_type) {
  return EncodeEventStreamMessage(
      {{":exception-type", std::string(ErrorNameToString(ErrorNameOf(error)))},
       {":content-type", std::string(content_type)},
       {":message-type", "exception"}},
      payload);
}

namespace {

// The size of a header value of `type` that has no length prefix, or -1
// for a length-prefixed (bytes, string) or unknown type.
int FixedValueBytes(char type) {
  switch (type) {
    case 0:  // true
    case 1:  // false
      return 0;
    case 2:  // byte
      return 1;
    case 3:  // short
      return 2;
    case 4:  // integer
      return 4;
    case 5:  // long
    case 8:  // timestamp
      return 8;
    case 9:  // uuid
      return 16;
    default:
      return -1;
  }
}

absl::StatusOr<EventStreamHeaders> DecodeHeaders(absl::string_view bytes) {
  EventStreamHeaders headers;
  Decoder in(bytes);
  while (!in.empty()) {
    absl::string_view length, name, type, value;
    if (!in.ReadBytes(1, &length) ||
        !in.ReadBytes(static_cast<uint8_t>(length[0]), &name) ||
        !in.ReadBytes(1, &type)) {
      return InternalFailure("event stream: a malformed header");
    }
    const int fixed = FixedValueBytes(type[0]);
    if (fixed >= 0) {
      if (!in.ReadBytes(static_cast<size_t>(fixed), &value)) {
        return InternalFailure("event stream: a truncated header value");
      }
      headers.emplace_back(std::string(name), "");
      continue;
    }
    absl::string_view size;
    if ((type[0] != kStringHeader && type[0] != kBytesHeader) ||
        !in.ReadBytes(2, &size) ||
        !in.ReadBytes((static_cast<uint8_t>(size[0]) << 8) |
                          static_cast<uint8_t>(size[1]),
                      &value)) {
      return InternalFailure("event stream: a malformed header value");
    }
    headers.emplace_back(std::string(name), std::string(value));
  }
  return headers;
}

}  // namespace

absl::string_view EventStreamMessage::Header(absl::string_view name) const {
  for (const auto& [header, value] : headers) {
    if (header == name) return value;
  }
  return "";
}

absl::StatusOr<absl::optional<EventStreamMessage>> EventStreamDecoder::Next() {
  if (buffer_.size() < kPreludeBytes) return absl::nullopt;
  const uint32_t total = DecodeFixed32BE(buffer_.data());
  const uint32_t headers_length = DecodeFixed32BE(buffer_.data() + 4);
  if (DecodeFixed32BE(buffer_.data() + 8) !=
      Crc32(absl::string_view(buffer_.data(), 8))) {
    return InternalFailure("event stream: the prelude checksum does not match");
  }
  if (total > kMaxMessageBytes ||
      total < kPreludeBytes + headers_length + kCrcBytes) {
    return InternalFailure("event stream: a message of an impossible length");
  }
  if (buffer_.size() < total) return absl::nullopt;
  const absl::string_view message(buffer_.data(), total);
  if (DecodeFixed32BE(message.data() + total - kCrcBytes) !=
      Crc32(message.substr(0, total - kCrcBytes))) {
    return InternalFailure("event stream: the message checksum does not match");
  }
  absl::StatusOr<EventStreamHeaders> headers =
      DecodeHeaders(message.substr(kPreludeBytes, headers_length));
  if (!headers.ok()) return headers.status();
  EventStreamMessage out;
  out.headers = *std::move(headers);
  out.payload = std::string(
      message.substr(kPreludeBytes + headers_length,
                     total - kPreludeBytes - headers_length - kCrcBytes));
  buffer_.erase(0, total);
  return out;
}

}  // namespace brook
