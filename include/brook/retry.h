// -----------------------------------------------------------------------------
// File: brook/retry.h
// -----------------------------------------------------------------------------
//
// Retrying puts the way Kinesis producers do (the KPL and the AWS SDKs):
// exponential backoff with full jitter on ProvisionedThroughputExceeded-
// Exception and InternalFailure, re-sending only the records that failed, up
// to a bound on attempts. Other errors (a bad request, a missing stream) are
// returned at once: retrying cannot fix them.
//
// A retried record may land twice if an attempt's answer was lost, exactly
// as with Kinesis; consumers that need exactly-once effects deduplicate.
//
// Thread safety: the functions are safe to call concurrently on one Broker.

#ifndef BROOK_RETRY_H_
#define BROOK_RETRY_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "brook/broker.h"

namespace brook {

struct RetryOptions {
  // Attempts in all, the first included. Valid: at least 1.
  // Default: 8.
  int max_attempts = 8;
  // The backoff cap before the n-th retry is
  // min(max_backoff, initial_backoff * 2^(n-1)); the sleep is drawn
  // uniformly from [0, cap] ("full jitter").
  // Defaults: 100 ms and 5 s.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // How to wait between attempts. Tests pass one that advances a
  // ManualClock. Default (empty): absl::SleepFor.
  std::function<void(absl::Duration)> sleep;
};

// PutRecordsWithRetry()
//
// Puts `request`, then re-sends the records that failed with a retryable
// error until all landed or `options.max_attempts` are spent. Returns one
// entry per request record, in request order: the sequence number of each
// record that landed, and for each that did not, its last error, whose
// message says how many attempts were made. Fails whole, like PutRecords,
// on a non-retryable request error (InvalidArgumentException, ...), or with
// InvalidArgumentException if `options` are invalid.
absl::StatusOr<PutRecordsResult> PutRecordsWithRetry(
    Broker& broker, const PutRecordsRequest& request,
    const RetryOptions& options = RetryOptions());

// PutRecordWithRetry()
//
// As PutRecordsWithRetry() for one record: returns its result, or its last
// error once the attempts are spent.
absl::StatusOr<PutRecordResult> PutRecordWithRetry(
    Broker& broker, const PutRecordRequest& request,
    const RetryOptions& options = RetryOptions());

}  // namespace brook

#endif  // BROOK_RETRY_H_
