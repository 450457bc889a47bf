#include "brook/options.h"

#include <filesystem>

#include "brook/broker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

TEST(BrokerOptionsTest, Defaults_AreValidAndKinesisLike) {
  const BrokerOptions options;
  EXPECT_OK(options.Validate());
  EXPECT_EQ(options.durability, Durability::kSync);
  EXPECT_EQ(options.max_shards, 20000);
  EXPECT_TRUE(options.create_if_missing);
}

TEST(BrokerOptionsTest, Validate_RejectsEachBadField) {
  auto expect_invalid = [](BrokerOptions options) {
    EXPECT_THAT(options.Validate(),
                HasErrorName(ErrorName::kInvalidArgumentException));
  };
  BrokerOptions options;
  options.max_shards = 0;
  expect_invalid(options);
  options = BrokerOptions();
  options.max_pending_write_bytes = 0;
  expect_invalid(options);
  options = BrokerOptions();
  options.max_commit_group_bytes = 0;
  expect_invalid(options);
  options = BrokerOptions();
  options.region = "US_EAST";
  expect_invalid(options);
  options = BrokerOptions();
  options.account_id = "1234";
  expect_invalid(options);
  options = BrokerOptions();
  options.disk_check_interval = absl::ZeroDuration();
  expect_invalid(options);
}

TEST(BrokerOptionsTest, MinFreeDiskBytes_HoldsAQuarterInAReserveFile) {
  brook::testing::TempDir temp;
  BrokerOptions options;
  options.min_free_disk_bytes = uint64_t{8} << 20;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                         Broker::Open(options, temp.Sub("data")));
    EXPECT_EQ(broker->GetWriteState().status, WriteStatus::kAccepting);
    EXPECT_EQ(std::filesystem::file_size(temp.Sub("data") + "/RESERVE"),
              uint64_t{2} << 20);
    ASSERT_OK(broker->Close());
  }
  // 0 disables the floor, and with it the reserve file.
  options.min_free_disk_bytes = 0;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                       Broker::Open(options, temp.Sub("other")));
  EXPECT_FALSE(std::filesystem::exists(temp.Sub("other") + "/RESERVE"));
  ASSERT_OK(broker->Close());
}

TEST(BrokerOptionsTest, MinFreeDiskBytes_AboveTheFreeSpaceRefusesPuts) {
  brook::testing::TempDir temp;
  BrokerOptions options;
  options.min_free_disk_bytes = uint64_t{1} << 60;  // More than any disk.
  // A new directory still opens: it must, to delete or read.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                       Broker::Open(options, temp.Sub("data")));
  EXPECT_EQ(broker->GetWriteState().status, WriteStatus::kLowSpace);
  CreateStreamRequest create;
  create.stream_name = "s";
  create.shard_count = 1;
  EXPECT_THAT(broker->CreateStream(create),
              testing::HasCode(absl::StatusCode::kResourceExhausted));
  ASSERT_OK(broker->Close());
}

TEST(BrokerOptionsTest, Open_RefusesInvalidOptionsAndCreatesNothing) {
  brook::testing::TempDir temp;
  BrokerOptions options;
  options.max_shards = -1;
  EXPECT_THAT(Broker::Open(options, temp.Sub("data")),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_FALSE(std::filesystem::exists(temp.Sub("data")));
}

}  // namespace
}  // namespace brook
