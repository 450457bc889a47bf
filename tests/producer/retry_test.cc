#include "brook/retry.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::HasSubstr;

class RetryTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    StreamLimits limits;
    limits.write_records_per_second = 10;
    CreateStream("s", 1, limits);
    // Sleeping moves the test's clock, so backoff really refills buckets.
    retry_.sleep = [this](absl::Duration pause) {
      sleeps_.push_back(pause);
      clock().Advance(pause);
    };
  }

  PutRecordsRequest Batch(int n) {
    PutRecordsRequest request;
    request.stream = "s";
    for (int i = 0; i < n; ++i) {
      request.records.push_back({"k", "record-" + std::to_string(i), ""});
    }
    return request;
  }

  RetryOptions retry_;
  std::vector<absl::Duration> sleeps_;
};

TEST_F(RetryTest, PutRecords_ResendsOnlyFailedRecordsUntilAllLand) {
  retry_.max_attempts = 100;
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result,
                       PutRecordsWithRetry(broker(), Batch(40), retry_));
  EXPECT_EQ(result.failed_record_count, 0);
  ASSERT_EQ(result.records.size(), 40u);
  for (const PutRecordsResultEntry& entry : result.records) {
    EXPECT_OK(entry.status);
  }
  ASSERT_OK(broker().UpdateStreamLimits({"s", StreamLimits::Unlimited()}));
  std::vector<std::string> stored =
      DataOf(ReadShard("s", "shardId-000000000000"));
  // Each record exactly once.
  EXPECT_EQ(stored.size(), 40u);
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), 40u);
  EXPECT_FALSE(sleeps_.empty());
}

TEST_F(RetryTest, PutRecords_GivesUpAfterMaxAttemptsWithAClearError) {
  retry_.max_attempts = 3;
  retry_.initial_backoff = absl::Milliseconds(1);
  retry_.max_backoff = absl::Milliseconds(1);
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result,
                       PutRecordsWithRetry(broker(), Batch(100), retry_));
  EXPECT_GT(result.failed_record_count, 0);
  EXPECT_LT(result.failed_record_count, 100);
  EXPECT_EQ(sleeps_.size(), 2u);
  for (const PutRecordsResultEntry& entry : result.records) {
    if (entry.status.ok()) continue;
    EXPECT_THAT(
        entry.status,
        HasErrorName(ErrorName::kProvisionedThroughputExceededException));
    EXPECT_THAT(std::string(entry.status.message()),
                HasSubstr("gave up after 3 attempts"));
  }
}

TEST_F(RetryTest, Backoff_GrowsExponentiallyWithinItsCap) {
  retry_.max_attempts = 6;
  retry_.initial_backoff = absl::Milliseconds(10);
  retry_.max_backoff = absl::Milliseconds(40);
  retry_.sleep = [this](absl::Duration pause) { sleeps_.push_back(pause); };
  PutRecordRequest request;
  request.stream = "s";
  request.partition_key = "k";
  for (int i = 0; i < 10; ++i) ASSERT_OK(broker().PutRecord(request));
  EXPECT_THAT(PutRecordWithRetry(broker(), request, retry_),
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  const absl::Duration caps[] = {absl::Milliseconds(10), absl::Milliseconds(20),
                                 absl::Milliseconds(40), absl::Milliseconds(40),
                                 absl::Milliseconds(40)};
  ASSERT_EQ(sleeps_.size(), 5u);
  for (size_t i = 0; i < sleeps_.size(); ++i) {
    EXPECT_GE(sleeps_[i], absl::ZeroDuration());
    EXPECT_LE(sleeps_[i], caps[i]) << i;
  }
}

TEST_F(RetryTest, PutRecord_SucceedsOnceTheBucketRefills) {
  PutRecordRequest request;
  request.stream = "s";
  request.partition_key = "k";
  for (int i = 0; i < 10; ++i) ASSERT_OK(broker().PutRecord(request));
  retry_.max_attempts = 50;
  EXPECT_OK(PutRecordWithRetry(broker(), request, retry_));
}

TEST_F(RetryTest, NonRetryableErrorsReturnAtOnce) {
  PutRecordsRequest request = Batch(3);
  request.records[1].partition_key = "";
  EXPECT_THAT(PutRecordsWithRetry(broker(), request, retry_),
              HasErrorName(ErrorName::kValidationException));
  PutRecordRequest missing;
  missing.stream = "missing";
  missing.partition_key = "k";
  EXPECT_THAT(PutRecordWithRetry(broker(), missing, retry_),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RetryTest, InvalidOptionsAreRejected) {
  retry_.max_attempts = 0;
  EXPECT_THAT(PutRecordsWithRetry(broker(), Batch(1), retry_),
              HasErrorName(ErrorName::kInvalidArgumentException));
  retry_.max_attempts = 1;
  retry_.initial_backoff = -absl::Seconds(1);
  EXPECT_THAT(PutRecordsWithRetry(broker(), Batch(1), retry_),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook
