// Broker::GetBrokerMetrics through the public API: each figure moves with
// what it measures. (Write stalls and compaction debt are driven in
// tests/storage/store_test.cc, queued write bytes in
// tests/write/commit_pipeline_test.cc, subscription lag in
// tests/consumers/fan_out_test.cc, where each can be held still.)

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::SizeIs;

class BrokerMetricsTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("busy", 1);
    CreateStream("idle", 1);
  }

  void PutMany(int records) {
    for (int i = 0; i < records; ++i) {
      Put("busy", absl::StrCat("k", i), std::string(1000, 'x'));
    }
  }
};

TEST_F(BrokerMetricsTest, AnIdleBrokerHoldsNothing) {
  ASSERT_OK_AND_ASSIGN(BrokerMetrics metrics, broker().GetBrokerMetrics());
  EXPECT_EQ(metrics.queued_write_bytes, 0);
  EXPECT_EQ(metrics.tail_cache_bytes, 0);
  EXPECT_EQ(metrics.write_stalls_delayed, 0);
  EXPECT_EQ(metrics.write_stalls_stopped, 0);
  EXPECT_FALSE(metrics.write_stalled);
  EXPECT_EQ(metrics.open_subscriptions, 0);
  ASSERT_THAT(metrics.streams, SizeIs(2));
  EXPECT_EQ(metrics.streams[0].stream, "busy");
  EXPECT_EQ(metrics.streams[0].stored_bytes, 0);
  EXPECT_EQ(metrics.streams[1].stream, "idle");
}

TEST_F(BrokerMetricsTest, PutsFillTheTailCacheAndTheirStreamsStorage) {
  PutMany(200);
  ASSERT_OK_AND_ASSIGN(BrokerMetrics metrics, broker().GetBrokerMetrics());
  // Every record put is at the tip: all of it is cached.
  EXPECT_GE(metrics.tail_cache_bytes, 200 * 1000);
  ASSERT_THAT(metrics.streams, SizeIs(2));
  EXPECT_GT(metrics.streams[0].stored_bytes, 0);
  EXPECT_EQ(metrics.streams[1].stored_bytes, 0);
}

TEST_F(BrokerMetricsTest, TheTailCacheStaysWithinItsBudget) {
  options().tail_cache_bytes = 64 << 10;
  Reopen();
  PutMany(200);
  ASSERT_OK_AND_ASSIGN(BrokerMetrics metrics, broker().GetBrokerMetrics());
  EXPECT_GT(metrics.tail_cache_bytes, 0);
  EXPECT_LE(metrics.tail_cache_bytes, 64 << 10);
}

TEST_F(BrokerMetricsTest, DeletingAStreamRemovesIt) {
  PutMany(10);
  ASSERT_OK(broker().DeleteStream({"busy"}));
  ASSERT_OK_AND_ASSIGN(BrokerMetrics metrics, broker().GetBrokerMetrics());
  ASSERT_THAT(metrics.streams, SizeIs(1));
  EXPECT_EQ(metrics.streams[0].stream, "idle");
}

TEST_F(BrokerMetricsTest, AClosedBrokerFails) {
  ASSERT_OK(broker().Close());
  EXPECT_THAT(broker().GetBrokerMetrics(),
              HasErrorName(ErrorName::kInternalFailure));
}

}  // namespace
}  // namespace brook
