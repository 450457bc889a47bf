#include "common/backoff.h"

#include <algorithm>

#include "brook/error.h"

namespace brook {

bool IsRetryable(const absl::Status& status) {
  const ErrorName name = ErrorNameOf(status);
  return name == ErrorName::kProvisionedThroughputExceededException ||
         name == ErrorName::kInternalFailure;
}

absl::Duration BackoffPause(const RetryOptions& options, int retry,
                            absl::BitGen& random) {
  absl::Duration cap = options.initial_backoff;
  for (int i = 1; i < retry && cap < options.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, options.max_backoff);
  return absl::Nanoseconds(absl::Uniform<int64_t>(
      absl::IntervalClosed, random, 0, absl::ToInt64Nanoseconds(cap)));
}

}  // namespace brook
