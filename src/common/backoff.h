// Retrying the way the AWS SDKs do: which errors are worth another attempt,
// and exponential backoff with full jitter between attempts. The producer
// retry helpers (brook/retry.h) and the worker (brook/worker.h) share it.

#ifndef BROOK_COMMON_BACKOFF_H_
#define BROOK_COMMON_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "brook/retry.h"

namespace brook {

// ProvisionedThroughputExceededException and InternalFailure: a later
// attempt may succeed.
bool IsRetryable(const absl::Status& status);

// The pause before retry number `retry` (1 for the first): drawn uniformly
// from [0, min(max_backoff, initial_backoff * 2^(retry-1))].
absl::Duration BackoffPause(const RetryOptions& options, int retry,
                            absl::BitGen& random);

}  // namespace brook

#endif  // BROOK_COMMON_BACKOFF_H_
