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
