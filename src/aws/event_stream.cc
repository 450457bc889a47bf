#include "server/event_stream.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "common/coding.h"

namespace brook {
namespace {

constexpr char kStringHeader = 7;

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
                         absl::string_view json_payload) {
  return EncodeEventStreamMessage({{":event-type", std::string(event_type)},
                                   {":content-type", "application/json"},
                                   {":message-type", "event"}},
                                  json_payload);
}

std::string ExceptionMessage(const absl::Status& error) {
  boost::json::object payload;
  payload["message"] = std::string(error.message());
  return EncodeEventStreamMessage(
      {{":exception-type", std::string(ErrorNameToString(ErrorNameOf(error)))},
       {":content-type", "application/json"},
       {":message-type", "exception"}},
      boost::json::serialize(payload));
}

}  // namespace brook
