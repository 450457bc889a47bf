// The AWS event stream encoding (application/vnd.amazon.eventstream), in
// which SubscribeToShard delivers its events:
//
//   total_length:4 headers_length:4 prelude_crc:4 headers payload
//   message_crc:4
//
// Big-endian lengths; CRC-32 of the prelude, and of everything before the
// message CRC. A header is name_length:1 name value_type:1 (7 = string)
// value_length:2 value.
//
// brookd encodes its events with the functions here; the remote Broker
// decodes them (and Amazon Kinesis') with EventStreamDecoder.
//
// Thread safety: pure functions; an EventStreamDecoder is not thread-safe.

#ifndef BROOK_AWS_EVENT_STREAM_H_
#define BROOK_AWS_EVENT_STREAM_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace brook {

using EventStreamHeaders = std::vector<std::pair<std::string, std::string>>;

// One message with string headers.
std::string EncodeEventStreamMessage(const EventStreamHeaders& headers,
                                     absl::string_view payload);

// An event of `event_type` ("initial-response", "SubscribeToShardEvent")
// with a payload of `content_type`.
std::string EventMessage(absl::string_view event_type,
                         absl::string_view payload,
                         absl::string_view content_type = "application/json");

// An exception carrying `error`'s Kinesis name, and its message in a JSON
// payload ({"message": ...}), or in `payload` of `content_type`.
std::string ExceptionMessage(const absl::Status& error);
std::string ExceptionMessage(const absl::Status& error,
                             absl::string_view payload,
                             absl::string_view content_type);

// One decoded message. Only string and byte-array headers keep their
// values; headers of other types are kept with an empty value.
struct EventStreamMessage {
  EventStreamHeaders headers;
  std::string payload;

  // The value of header `name`, or "" if it has none.
  absl::string_view Header(absl::string_view name) const;
};

// Splits a byte stream into messages, checking both checksums.
class EventStreamDecoder {
 public:
  // The largest message accepted: AWS's limit is 16 MiB.
  static constexpr size_t kMaxMessageBytes = size_t{16} << 20;

  void Append(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
  }

  // EventStreamDecoder::Next()
  //
  // The next whole message, or nullopt when more bytes are needed. Fails
  // with InternalFailure on a checksum mismatch, a malformed header or a
  // message over kMaxMessageBytes; the stream cannot go on after that.
  absl::StatusOr<absl::optional<EventStreamMessage>> Next();

  size_t buffered_bytes() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace brook

#endif  // BROOK_AWS_EVENT_STREAM_H_
