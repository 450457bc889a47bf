#include "common/epoch_seconds.h"

#include <cmath>
#include <cstdint>

namespace brook {

absl::optional<absl::Time> TimeOfEpochSeconds(double seconds) {
  if (!std::isfinite(seconds) || std::abs(seconds) > kMaxEpochSeconds) {
    return absl::nullopt;
  }
  return absl::FromUnixMillis(
      static_cast<int64_t>(std::llround(seconds * 1000)));
}

}  // namespace brook
