#include "brook/retry.h"

#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "common/backoff.h"
#include "common/errors.h"

namespace brook {
namespace {

absl::Status ValidateRetryOptions(const RetryOptions& options) {
  if (options.max_attempts < 1) {
    return InvalidArgument(absl::StrCat("max_attempts must be at least 1, got ",
                                        options.max_attempts));
  }
  if (options.initial_backoff < absl::ZeroDuration() ||
      options.max_backoff < absl::ZeroDuration()) {
    return InvalidArgument("backoff durations must not be negative");
  }
  return absl::OkStatus();
}

// Waits before retry number `retry` (1 for the first retry).
void Backoff(const RetryOptions& options, int retry, absl::BitGen& random) {
  const absl::Duration pause = BackoffPause(options, retry, random);
  if (options.sleep) {
    options.sleep(pause);
  } else {
    absl::SleepFor(pause);
  }
}

// The same status, its message saying how many attempts were made.
absl::Status AfterAttempts(const absl::Status& status, int attempts) {
  return MakeError(ErrorNameOf(status),
                   absl::StrCat(status.message(), " (gave up after ", attempts,
                                " attempts)"));
}

}  // namespace

absl::StatusOr<PutRecordsResult> PutRecordsWithRetry(
    Broker& broker, const PutRecordsRequest& request,
    const RetryOptions& options) {
  if (absl::Status status = ValidateRetryOptions(options); !status.ok()) {
    return status;
  }
  PutRecordsResult result;
  result.records.resize(request.records.size());
  // Positions, in `request`, of the records still to send.
  std::vector<size_t> pending(request.records.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  absl::BitGen random;
  int attempts = 0;
  while (!pending.empty() && attempts < options.max_attempts) {
    if (attempts > 0) Backoff(options, attempts, random);
    ++attempts;
    PutRecordsRequest attempt;
    attempt.stream = request.stream;
    for (size_t position : pending) {
      attempt.records.push_back(request.records[position]);
    }
    absl::StatusOr<PutRecordsResult> answer = broker.PutRecords(attempt);
    if (!answer.ok()) {
      if (!IsRetryable(answer.status())) return answer.status();
      for (size_t position : pending) {
        result.records[position].status = answer.status();
      }
      continue;
    }
    std::vector<size_t> still_failing;
    for (size_t i = 0; i < pending.size(); ++i) {
      PutRecordsResultEntry& entry = answer->records[i];
      if (!entry.status.ok() && IsRetryable(entry.status)) {
        still_failing.push_back(pending[i]);
      }
      result.records[pending[i]] = std::move(entry);
    }
    pending = std::move(still_failing);
  }
  for (PutRecordsResultEntry& entry : result.records) {
    if (entry.status.ok()) continue;
    ++result.failed_record_count;
    entry.status = AfterAttempts(entry.status, attempts);
  }
  return result;
}

absl::StatusOr<PutRecordResult> PutRecordWithRetry(
    Broker& broker, const PutRecordRequest& request,
    const RetryOptions& options) {
  if (absl::Status status = ValidateRetryOptions(options); !status.ok()) {
    return status;
  }
  absl::BitGen random;
  absl::Status last;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    if (attempt > 1) Backoff(options, attempt - 1, random);
    absl::StatusOr<PutRecordResult> result = broker.PutRecord(request);
    if (result.ok() || !IsRetryable(result.status())) return result;
    last = result.status();
  }
  return AfterAttempts(last, options.max_attempts);
}

}  // namespace brook
