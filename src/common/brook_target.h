// Brook's own operations on the wire (limits, metrics, checkpoints, a
// CreateStream with limits), which Kinesis does not have: the X-Amz-Target
// prefix they go under and the JSON form of a stream's limits, shared by
// brookd (server/brook_api.h) and the remote Broker (remote/).
//
// Thread safety: constants and pure functions.

#ifndef BROOK_COMMON_BROOK_TARGET_H_
#define BROOK_COMMON_BROOK_TARGET_H_

#include <cstdint>
#include <utility>

#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "brook/limits.h"

namespace brook {

inline constexpr absl::string_view kBrookTargetPrefix = "Brook_20261201.";

// The members of a "StreamLimits" object, each a StreamLimits field
// (0 meaning unlimited).
inline constexpr std::pair<absl::string_view, int64_t StreamLimits::*>
    kStreamLimitMembers[] = {
        {"WriteBytesPerSecond", &StreamLimits::write_bytes_per_second},
        {"WriteRecordsPerSecond", &StreamLimits::write_records_per_second},
        {"ReadBytesPerSecond", &StreamLimits::read_bytes_per_second},
        {"ReadCallsPerSecond", &StreamLimits::read_calls_per_second},
        {"FanOutBytesPerSecond", &StreamLimits::fan_out_bytes_per_second},
        {"ShardIteratorCallsPerSecond",
         &StreamLimits::shard_iterator_calls_per_second},
};

inline boost::json::object StreamLimitsJson(const StreamLimits& limits) {
  boost::json::object out;
  for (const auto& [name, member] : kStreamLimitMembers) {
    out[boost::json::string_view(name.data(), name.size())] = limits.*member;
  }
  return out;
}

}  // namespace brook

#endif  // BROOK_COMMON_BROOK_TARGET_H_
