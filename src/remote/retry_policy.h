// The AWS SDKs' standard retry mode, for the remote Broker: which failed
// attempts are worth another, how long to wait before it, and the retry
// quota that stops a client from hammering an endpoint that keeps failing
// (docs.aws.amazon.com/sdkref, "Retry behavior").
//
// Thread safety: the functions are pure; RetryQuota is safe for concurrent
// use by multiple threads without external synchronization.

#ifndef BROOK_REMOTE_RETRY_POLICY_H_
#define BROOK_REMOTE_RETRY_POLICY_H_

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/connect_options.h"

namespace brook {

enum class AttemptFailure {
  kFinal,      // Another attempt cannot succeed (a bad request...).
  kTransient,  // HTTP 5xx, InternalFailure, a broken connection.
  kTimeout,    // No answer in time: costs more of the quota.
  kThrottled,  // A throttling error name.
};

// How an attempt failed: `transport_failed` when no HTTP answer came
// (`timed_out` if for lack of time); else by the answer's HTTP status and
// error type (bare, as "ProvisionedThroughputExceededException").
AttemptFailure ClassifyFailure(bool transport_failed, bool timed_out,
                               int http_status, absl::string_view error_type);

// The pause before retry number `retry` (1 for the first).
absl::Duration StandardBackoff(const ConnectOptions& options, int retry,
                               absl::BitGen& random);

class RetryQuota {
 public:
  static constexpr int kRetryCost = 5;
  static constexpr int kTimeoutRetryCost = 10;
  static constexpr int kSuccessRefund = 1;

  explicit RetryQuota(int capacity) : capacity_(capacity), tokens_(capacity) {}

  // Takes the cost of retrying after `failure`; false (taking nothing)
  // when the quota has not that much left.
  bool TryAcquire(AttemptFailure failure);
  // After a success: gives back what its retries took, or kSuccessRefund
  // for a first-try success, up to the capacity.
  void OnSuccess(int tokens_taken);

  int tokens() const;

 private:
  const int capacity_;
  mutable absl::Mutex mu_;
  int tokens_ ABSL_GUARDED_BY(mu_);
};

int RetryCost(AttemptFailure failure);

}  // namespace brook

#endif  // BROOK_REMOTE_RETRY_POLICY_H_
