// Epoch seconds, as the Kinesis JSON API writes timestamps (a number of
// seconds since 1970, possibly fractional) and as the AWS CLI takes them,
// read to Brook's millisecond times. One reading serves brookd's requests,
// the remote Broker's answers and the `brook` tool's flags, so that a value
// out of range means the same everywhere.
//
// Thread safety: pure functions.

#ifndef BROOK_COMMON_EPOCH_SECONDS_H_
#define BROOK_COMMON_EPOCH_SECONDS_H_

#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace brook {

// The most seconds either way of 1970 a timestamp may be: about 3,000
// years, beyond any time a client means, and well inside int64
// milliseconds.
inline constexpr double kMaxEpochSeconds = 1e11;

// `seconds` since 1970, rounded to the millisecond; nullopt if they are not
// finite or more than kMaxEpochSeconds either way.
absl::optional<absl::Time> TimeOfEpochSeconds(double seconds);

}  // namespace brook

#endif  // BROOK_COMMON_EPOCH_SECONDS_H_
