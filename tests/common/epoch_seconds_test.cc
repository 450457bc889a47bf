// Epoch seconds as the Kinesis JSON API writes timestamps (the API
// reference's Timestamp type: seconds since 1970, with a fraction for the
// milliseconds), and the range outside which a value is no time.

#include "common/epoch_seconds.h"

#include <limits>

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(EpochSecondsTest, ReadsSecondsToTheMillisecond) {
  EXPECT_EQ(TimeOfEpochSeconds(0), absl::UnixEpoch());
  EXPECT_EQ(TimeOfEpochSeconds(1700000000.25),
            absl::FromUnixMillis(1700000000250));
  EXPECT_EQ(TimeOfEpochSeconds(1.2344), absl::FromUnixMillis(1234));
  EXPECT_EQ(TimeOfEpochSeconds(-5), absl::FromUnixMillis(-5000));
}

TEST(EpochSecondsTest, TakesTheRangeUpToItsBounds) {
  EXPECT_EQ(TimeOfEpochSeconds(kMaxEpochSeconds),
            absl::FromUnixSeconds(100000000000));
  EXPECT_EQ(TimeOfEpochSeconds(-kMaxEpochSeconds),
            absl::FromUnixSeconds(-100000000000));
}

TEST(EpochSecondsTest, RefusesWhatIsNoTime) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  for (double seconds :
       {std::numeric_limits<double>::quiet_NaN(), kInfinity, -kInfinity,
        kMaxEpochSeconds + 1, -kMaxEpochSeconds - 1, 1e30}) {
    EXPECT_EQ(TimeOfEpochSeconds(seconds), absl::nullopt) << seconds;
  }
}

}  // namespace
}  // namespace brook
