// The SDKs' standard retry mode: which failures are retried, the backoff's
// bounds, and the quota that stops retrying against a failing endpoint.

#include "remote/retry_policy.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(RetryPolicyTest, ClassifiesAsTheSdksDo) {
  EXPECT_EQ(ClassifyFailure(true, false, 0, ""), AttemptFailure::kTransient);
  EXPECT_EQ(ClassifyFailure(true, true, 0, ""), AttemptFailure::kTimeout);
  EXPECT_EQ(ClassifyFailure(false, false, 400,
                            "ProvisionedThroughputExceededException"),
            AttemptFailure::kThrottled);
  EXPECT_EQ(ClassifyFailure(false, false, 400, "LimitExceededException"),
            AttemptFailure::kThrottled);
  EXPECT_EQ(ClassifyFailure(false, false, 500, "InternalFailure"),
            AttemptFailure::kTransient);
  EXPECT_EQ(ClassifyFailure(false, false, 503, ""), AttemptFailure::kTransient);
  EXPECT_EQ(ClassifyFailure(false, false, 400, "ResourceNotFoundException"),
            AttemptFailure::kFinal);
  EXPECT_EQ(ClassifyFailure(false, false, 400, "ExpiredIteratorException"),
            AttemptFailure::kFinal);
}

TEST(RetryPolicyTest, BackoffIsFullJitterUnderADoublingCap) {
  ConnectOptions options;
  options.backoff_base = absl::Seconds(1);
  options.max_backoff = absl::Seconds(20);
  absl::BitGen random;
  absl::Duration longest_third = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LE(StandardBackoff(options, 1, random), absl::Seconds(1));
    const absl::Duration third = StandardBackoff(options, 3, random);
    EXPECT_LE(third, absl::Seconds(4));
    longest_third = std::max(longest_third, third);
    EXPECT_LE(StandardBackoff(options, 30, random), absl::Seconds(20));
  }
  EXPECT_GT(longest_third, absl::Seconds(2));  // The cap doubled twice.
}

TEST(RetryPolicyTest, QuotaRunsOutAndRefills) {
  RetryQuota quota(12);
  EXPECT_TRUE(quota.TryAcquire(AttemptFailure::kThrottled));  // 7 left.
  EXPECT_FALSE(quota.TryAcquire(AttemptFailure::kTimeout));   // Needs 10.
  EXPECT_TRUE(quota.TryAcquire(AttemptFailure::kTransient));  // 2 left.
  EXPECT_FALSE(quota.TryAcquire(AttemptFailure::kTransient));
  EXPECT_EQ(quota.tokens(), 2);
  quota.OnSuccess(5);  // A success after one retry gives its cost back.
  EXPECT_EQ(quota.tokens(), 7);
  quota.OnSuccess(0);  // A first-try success adds one, up to the capacity.
  EXPECT_EQ(quota.tokens(), 8);
  for (int i = 0; i < 10; ++i) quota.OnSuccess(0);
  EXPECT_EQ(quota.tokens(), 12);
}

}  // namespace
}  // namespace brook
