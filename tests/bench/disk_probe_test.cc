// The disk reference of brook_bench: its statistics, and that each point
// of a run takes one probe of each kind per round.

#include "tool/disk_probe.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace brook::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

TEST(SpreadOfTest, OddCountTakesTheMiddleValue) {
  const Spread spread = SpreadOf({2454, 463, 700});
  EXPECT_EQ(spread.samples, 3);
  EXPECT_EQ(spread.min, 463);
  EXPECT_EQ(spread.median, 700);
  EXPECT_EQ(spread.max, 2454);
}

TEST(SpreadOfTest, EvenCountTakesTheMeanOfTheMiddleTwo) {
  const Spread spread = SpreadOf({900, 100, 500, 300});
  EXPECT_EQ(spread.samples, 4);
  EXPECT_EQ(spread.min, 100);
  EXPECT_EQ(spread.median, 400);
  EXPECT_EQ(spread.max, 900);
}

TEST(SpreadOfTest, OneValueIsItsOwnSpread) {
  const Spread spread = SpreadOf({42});
  EXPECT_EQ(spread.min, 42);
  EXPECT_EQ(spread.median, 42);
  EXPECT_EQ(spread.max, 42);
}

TEST(DiskWriteProbeTest, MeasuresAndRemovesItsFile) {
  testing::TempDir dir;
  absl::StatusOr<double> mb_per_s =
      DiskWriteProbe(dir.path(), DiskWriteMode::kFdatasync, 2 << 20);
  ASSERT_TRUE(mb_per_s.ok()) << mb_per_s.status();
  EXPECT_GT(*mb_per_s, 0);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DiskWriteProbeTest, AnUnwritableDirectoryFails) {
  EXPECT_EQ(DiskWriteProbe("/nonexistent/brook-probe",
                           DiskWriteMode::kFdatasync, 1 << 20)
                .status()
                .code(),
            absl::StatusCode::kInternal);
}

TEST(DiskReferenceTest, TakesEachKindPerRoundAtEachPoint) {
  testing::TempDir dir;
  DiskReference disk(dir.path(), 1 << 20, /*rounds=*/2);
  disk.ProbeAt("before");
  disk.ProbeAt("after");
  ASSERT_TRUE(disk.error(DiskWriteMode::kFdatasync).ok());
  EXPECT_EQ(disk.spread(DiskWriteMode::kFdatasync).samples, 4);
  const Spread fdatasync = disk.spread(DiskWriteMode::kFdatasync);
  EXPECT_LE(fdatasync.min, fdatasync.median);
  EXPECT_LE(fdatasync.median, fdatasync.max);
  // O_DIRECT is refused by some filesystems (tmpfs); then it says so once
  // and is not tried again.
  if (disk.error(DiskWriteMode::kDirect).ok()) {
    EXPECT_EQ(disk.spread(DiskWriteMode::kDirect).samples, 4);
    EXPECT_THAT(disk.samples(),
                ElementsAre(Field(&DiskReference::Sample::point, "before"),
                            Field(&DiskReference::Sample::point, "before"),
                            Field(&DiskReference::Sample::point, "before"),
                            Field(&DiskReference::Sample::point, "before"),
                            Field(&DiskReference::Sample::point, "after"),
                            Field(&DiskReference::Sample::point, "after"),
                            Field(&DiskReference::Sample::point, "after"),
                            Field(&DiskReference::Sample::point, "after")));
  } else {
    EXPECT_EQ(disk.error(DiskWriteMode::kDirect).code(),
              absl::StatusCode::kUnimplemented);
    EXPECT_EQ(disk.spread(DiskWriteMode::kDirect).samples, 0);
  }
}

}  // namespace
}  // namespace brook::bench
