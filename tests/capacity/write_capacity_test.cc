// The stream-level write limit of an on-demand stream, against Kinesis'
// documented figures: 4 MiB/s and 4,000 records/s to start, twice the
// previous peak once that peak is 15 minutes old, never above 200 MiB/s
// and 200,000 records/s, a peak forgotten after 30 days.

#include "capacity/write_capacity.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// Admits records of `bytes` at `now` until one is refused; returns how
// many were admitted.
int AdmitUntilRefused(WriteCapacity& capacity, int64_t bytes, absl::Time now) {
  int admitted = 0;
  while (admitted < 1000000 && capacity.TryAdmit(bytes, now)) ++admitted;
  return admitted;
}

TEST(WriteCapacityTest, AdmitsEverythingUntilStarted) {
  WriteCapacity capacity;
  EXPECT_EQ(AdmitUntilRefused(capacity, kMiB, kStart), 1000000);
}

TEST(WriteCapacityTest, StartsAtKinesisInitialRate) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {}, kMiB, kStart);
  EXPECT_EQ(capacity.limit().bytes_per_second, 4 * kMiB);
  EXPECT_EQ(capacity.limit().records_per_second, 4000);
  // One second's worth in an instant, then one more second's after it.
  EXPECT_EQ(AdmitUntilRefused(capacity, kMiB / 4, kStart), 16);
  EXPECT_EQ(AdmitUntilRefused(capacity, kMiB / 4, kStart + absl::Seconds(1)),
            16);
  // 4,000 small records a second.
  WriteCapacity records;
  records.Start(OnDemandOptions(), {}, kMiB, kStart);
  EXPECT_EQ(AdmitUntilRefused(records, 10, kStart), 4000);
}

TEST(WriteCapacityTest, FloorIsWhatTheShardsCarry) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {10 * kMiB, 10000}, kMiB, kStart);
  EXPECT_EQ(capacity.limit().bytes_per_second, 10 * kMiB);
  EXPECT_EQ(capacity.limit().records_per_second, 10000);
}

TEST(WriteCapacityTest, TwicePeakOnlyOnceThePeakIsFifteenMinutesOld) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {}, kMiB, kStart);
  capacity.Observe({3 * kMiB, 3000}, kStart + absl::Seconds(1));
  // Traffic that doubles within 15 minutes is not yet accommodated.
  capacity.Observe({3 * kMiB, 3000}, kStart + absl::Minutes(14));
  EXPECT_EQ(capacity.limit().bytes_per_second, 4 * kMiB);
  capacity.Observe({1 * kMiB, 1000}, kStart + absl::Minutes(16));
  EXPECT_EQ(capacity.limit().bytes_per_second, 6 * kMiB);
  EXPECT_EQ(capacity.limit().records_per_second, 6000);
  EXPECT_EQ(AdmitUntilRefused(capacity, kMiB, kStart + absl::Minutes(17)), 6);
}

TEST(WriteCapacityTest, NeverAboveTheStreamLevelLimit) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {}, kMiB, kStart);
  capacity.Observe({150 * kMiB, 150000}, kStart + absl::Seconds(1));
  capacity.Observe({0, 0}, kStart + absl::Minutes(20));
  EXPECT_EQ(capacity.limit().bytes_per_second, 200 * kMiB);
  EXPECT_EQ(capacity.limit().records_per_second, 200000);
}

TEST(WriteCapacityTest, PeakIsForgottenAfterThePeakWindow) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {}, kMiB, kStart);
  capacity.Observe({10 * kMiB, 10000}, kStart + absl::Seconds(1));
  capacity.Observe({0, 0}, kStart + absl::Hours(1));
  EXPECT_EQ(capacity.limit().bytes_per_second, 20 * kMiB);
  capacity.Observe({0, 0}, kStart + absl::Hours(24 * 31));
  EXPECT_EQ(capacity.limit().bytes_per_second, 4 * kMiB);
}

TEST(WriteCapacityTest, ALargeRecordFitsTheBurst) {
  WriteCapacity capacity;
  capacity.Start(OnDemandOptions(), {}, 10 * kMiB, kStart);
  EXPECT_TRUE(capacity.TryAdmit(10 * kMiB, kStart));
  EXPECT_FALSE(capacity.TryAdmit(1, kStart));
}

}  // namespace
}  // namespace brook
