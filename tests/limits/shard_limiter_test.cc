#include "limits/shard_limiter.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);
constexpr int64_t kMiB = int64_t{1} << 20;

TEST(ShardLimiterTest, Write_ThousandRecordsPerSecond) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.TryAdmitWrite(1, kStart)) << i;
  }
  EXPECT_FALSE(limiter.TryAdmitWrite(1, kStart));
  EXPECT_TRUE(limiter.TryAdmitWrite(1, kStart + absl::Milliseconds(1)));
}

TEST(ShardLimiterTest, Write_OneMiBPerSecondCountingEveryByte) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  EXPECT_TRUE(limiter.TryAdmitWrite(kMiB, kStart));
  EXPECT_FALSE(limiter.TryAdmitWrite(1, kStart));
  // A refused record takes no record token either: 999 small ones still fit
  // once bytes refill.
  EXPECT_TRUE(limiter.TryAdmitWrite(1, kStart + absl::Microseconds(1)));
}

TEST(ShardLimiterTest, Write_LargeRecordsBurstFromTheTank) {
  // A stream with 10 MiB records holds one whole record of credit.
  ShardLimiter limiter(StreamLimits(), 10 * kMiB, kStart);
  EXPECT_TRUE(limiter.TryAdmitWrite(10 * kMiB, kStart));
  EXPECT_FALSE(limiter.TryAdmitWrite(
      kMiB, kStart + absl::Seconds(1) - absl::Nanoseconds(1)));
  EXPECT_TRUE(limiter.TryAdmitWrite(kMiB, kStart + absl::Seconds(1)));
}

TEST(ShardLimiterTest, Read_FiveCallsPerSecond) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.TryAdmitRead(kStart)) << i;
  EXPECT_FALSE(limiter.TryAdmitRead(kStart));
  EXPECT_TRUE(limiter.TryAdmitRead(kStart + absl::Milliseconds(200)));
}

TEST(ShardLimiterTest, Read_TenMiBReadIsPaidBackAtTwoMiBPerSecond) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  ASSERT_TRUE(limiter.TryAdmitRead(kStart));
  limiter.ChargeRead(10 * kMiB, kStart);
  // 2 MiB of credit minus 10 MiB read: 8 MiB of debt, 4 s at 2 MiB/s.
  EXPECT_FALSE(limiter.TryAdmitRead(kStart + absl::Seconds(1)));
  EXPECT_FALSE(limiter.TryAdmitRead(kStart + absl::Seconds(4)));
  EXPECT_TRUE(limiter.TryAdmitRead(kStart + absl::Milliseconds(4001)));
}

TEST(ShardLimiterTest, FanOut_EachConsumerHasItsOwnBucket) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  TokenBucket first = limiter.NewFanOutBucket(kStart);
  TokenBucket second = limiter.NewFanOutBucket(kStart);
  first.Charge(2 * kMiB, kStart);
  EXPECT_FALSE(first.HasCredit(kStart));
  EXPECT_TRUE(second.HasCredit(kStart));
  // Neither touches the classic read budget.
  EXPECT_TRUE(limiter.TryAdmitRead(kStart));
}

TEST(ShardLimiterTest, Update_ChangesRatesAndCanUnlimit) {
  ShardLimiter limiter(StreamLimits(), kMiB, kStart);
  StreamLimits tight;
  tight.write_records_per_second = 2;
  limiter.Update(tight, kStart);
  EXPECT_TRUE(limiter.TryAdmitWrite(1, kStart));
  EXPECT_TRUE(limiter.TryAdmitWrite(1, kStart));
  EXPECT_FALSE(limiter.TryAdmitWrite(1, kStart));

  limiter.Update(StreamLimits::Unlimited(), kStart);
  for (int i = 0; i < 100000; ++i)
    ASSERT_TRUE(limiter.TryAdmitWrite(kMiB, kStart));
  EXPECT_TRUE(limiter.NewFanOutBucket(kStart).unlimited());

  // Back from unlimited, the buckets start full.
  limiter.Update(StreamLimits(), kStart);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.TryAdmitWrite(1, kStart));
  EXPECT_FALSE(limiter.TryAdmitWrite(1, kStart));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.TryAdmitRead(kStart));
  EXPECT_FALSE(limiter.TryAdmitRead(kStart));
}

}  // namespace
}  // namespace brook
