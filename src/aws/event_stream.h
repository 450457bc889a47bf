// The AWS event stream encoding (application/vnd.amazon.eventstream), in
// which SubscribeToShard delivers its events:
//
//   total_length:4 headers_length:4 prelude_crc:4 headers payload
//   message_crc:4
//
// Big-endian lengths; CRC-32 of the prelude, and of everything before the
// message CRC. A header is name_length:1 name value_type:1 (7 = string)
// value_length:2 value.

#ifndef BROOK_SERVER_EVENT_STREAM_H_
#define BROOK_SERVER_EVENT_STREAM_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

using EventStreamHeaders = std::vector<std::pair<std::string, std::string>>;

// One message with string headers.
std::string EncodeEventStreamMessage(const EventStreamHeaders& headers,
                                     absl::string_view payload);

// An event of `event_type` ("initial-response", "SubscribeToShardEvent")
// with a JSON payload.
std::string EventMessage(absl::string_view event_type,
                         absl::string_view json_payload);

// An exception carrying `error`'s Kinesis name and message.
std::string ExceptionMessage(const absl::Status& error);

}  // namespace brook

#endif  // BROOK_SERVER_EVENT_STREAM_H_
