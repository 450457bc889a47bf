#include "limits/token_bucket.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

TEST(TokenBucketTest, TryTake_StartsFullAndRefusesPastCapacity) {
  TokenBucket bucket(1000, 1000, kStart);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.TryTake(1, kStart)) << i;
  EXPECT_FALSE(bucket.TryTake(1, kStart));
  EXPECT_EQ(bucket.Balance(kStart), 0);
}

TEST(TokenBucketTest, TryTake_RefusalTakesNothing) {
  TokenBucket bucket(10, 10, kStart);
  EXPECT_FALSE(bucket.TryTake(11, kStart));
  EXPECT_EQ(bucket.Balance(kStart), 10);
  EXPECT_TRUE(bucket.TryTake(10, kStart));
}

TEST(TokenBucketTest, Refill_IsExactToTheNanosecond) {
  TokenBucket bucket(1000, 1000, kStart);
  ASSERT_TRUE(bucket.TryTake(1000, kStart));
  // One token per millisecond.
  EXPECT_FALSE(bucket.TryTake(1, kStart + absl::Nanoseconds(999999)));
  EXPECT_TRUE(bucket.TryTake(1, kStart + absl::Milliseconds(1)));
  EXPECT_FALSE(bucket.TryTake(1, kStart + absl::Milliseconds(1)));
  EXPECT_EQ(bucket.Balance(kStart + absl::Milliseconds(501)), 500);
}

TEST(TokenBucketTest, Refill_StopsAtCapacity) {
  TokenBucket bucket(5, 5, kStart);
  ASSERT_TRUE(bucket.TryTake(5, kStart));
  EXPECT_EQ(bucket.Balance(kStart + absl::Hours(10000)), 5);
}

TEST(TokenBucketTest, Charge_GoesIntoDebtRepaidAtTheRate) {
  TokenBucket bucket(2, 2, kStart);
  bucket.Charge(10, kStart);
  EXPECT_EQ(bucket.Balance(kStart), -8);
  EXPECT_FALSE(bucket.HasCredit(kStart + absl::Seconds(4)));
  EXPECT_TRUE(
      bucket.HasCredit(kStart + absl::Seconds(4) + absl::Nanoseconds(1)));
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(10, 10, kStart);
  ASSERT_TRUE(bucket.TryTake(10, kStart));
  EXPECT_FALSE(bucket.TryTake(1, kStart - absl::Seconds(5)));
  EXPECT_TRUE(bucket.TryTake(1, kStart + absl::Milliseconds(100)));
}

TEST(TokenBucketTest, Reset_KeepsBalanceUpToTheNewCapacity) {
  TokenBucket bucket(100, 100, kStart);
  ASSERT_TRUE(bucket.TryTake(40, kStart));
  bucket.Reset(10, 10, kStart);
  EXPECT_EQ(bucket.Balance(kStart), 10);
  bucket.Reset(1000, 1000, kStart);
  EXPECT_EQ(bucket.Balance(kStart), 10);
  EXPECT_EQ(bucket.Balance(kStart + absl::Milliseconds(10)), 20);
}

TEST(TokenBucketTest, Unlimited_NeverRefuses) {
  TokenBucket bucket = TokenBucket::Unlimited();
  EXPECT_TRUE(bucket.unlimited());
  EXPECT_TRUE(bucket.TryTake(int64_t{1} << 40, kStart));
  bucket.Charge(int64_t{1} << 40, kStart);
  EXPECT_TRUE(bucket.HasCredit(kStart));
}

TEST(TokenBucketTest, LargeValuesDoNotOverflow) {
  const int64_t max = TokenBucket::kMaxTokens;
  TokenBucket bucket(max, max, kStart);
  for (int i = 0; i < 4; ++i) bucket.Charge(max, kStart);
  // Debt is capped at kMaxTokens.
  EXPECT_EQ(bucket.Balance(kStart), -max);
  EXPECT_EQ(bucket.Balance(kStart + absl::Hours(1000000)), max);
}

}  // namespace
}  // namespace brook
