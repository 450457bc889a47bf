#include "remote/retry_policy.h"

#include <algorithm>

namespace brook {
namespace {

// The error names the SDKs treat as throttling.
constexpr absl::string_view kThrottlingErrors[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

// The error names the SDKs treat as transient, whatever the HTTP status.
constexpr absl::string_view kTransientErrors[] = {
    "RequestTimeout",  "RequestTimeoutException", "InternalError",
    "InternalFailure", "ServiceUnavailable",
};

bool In(absl::string_view type, absl::Span<const absl::string_view> names) {
  return std::find(names.begin(), names.end(), type) != names.end();
}

}  // namespace

AttemptFailure ClassifyFailure(bool transport_failed, bool timed_out,
                               int http_status, absl::string_view error_type) {
  if (transport_failed) {
    return timed_out ? AttemptFailure::kTimeout : AttemptFailure::kTransient;
  }
  if (In(error_type, kThrottlingErrors)) return AttemptFailure::kThrottled;
  if (In(error_type, kTransientErrors) || http_status == 500 ||
      http_status == 502 || http_status == 503 || http_status == 504) {
    return AttemptFailure::kTransient;
  }
  return AttemptFailure::kFinal;
}

absl::Duration StandardBackoff(const ConnectOptions& options, int retry,
                               absl::BitGen& random) {
  absl::Duration cap = options.backoff_base;
  for (int i = 1; i < retry && cap < options.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, options.max_backoff);
  return absl::Uniform(random, 0.0, 1.0) * cap;
}

int RetryCost(AttemptFailure failure) {
  return failure == AttemptFailure::kTimeout ? RetryQuota::kTimeoutRetryCost
                                             : RetryQuota::kRetryCost;
}

bool RetryQuota::TryAcquire(AttemptFailure failure) {
  const int cost = RetryCost(failure);
  absl::MutexLock lock(&mu_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void RetryQuota::OnSuccess(int tokens_taken) {
  absl::MutexLock lock(&mu_);
  tokens_ = std::min(
      capacity_, tokens_ + (tokens_taken > 0 ? tokens_taken : kSuccessRefund));
}

int RetryQuota::tokens() const {
  absl::MutexLock lock(&mu_);
  return tokens_;
}

}  // namespace brook
