// Enhanced monitoring and resource policies: kept with the stream, across
// restarts, and reported as Kinesis reports them.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kArn[] = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
constexpr char kPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"AWS":"arn:aws:iam::000000000000:root"},)"
    R"("Action":"kinesis:GetRecords","Resource":"*"}]})";

class StreamSettingsTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  std::vector<std::string> Enabled() {
    absl::StatusOr<StreamDescriptionSummary> summary =
        broker().DescribeStreamSummary({"s"});
    EXPECT_OK(summary);
    return summary.ok() ? summary->shard_level_metrics
                        : std::vector<std::string>();
  }
};

TEST_F(StreamSettingsTest, EnhancedMonitoring_EnablesAndDisablesMetrics) {
  EXPECT_THAT(Enabled(), IsEmpty());
  ASSERT_OK_AND_ASSIGN(
      EnhancedMonitoringResult result,
      broker().EnableEnhancedMonitoring(
          {"s", {"IncomingBytes", "IteratorAgeMilliseconds"}}));
  EXPECT_EQ(result.stream_name, "s");
  EXPECT_EQ(result.stream_arn, kArn);
  EXPECT_THAT(result.current_shard_level_metrics, IsEmpty());
  EXPECT_THAT(result.desired_shard_level_metrics,
              ElementsAre("IncomingBytes", "IteratorAgeMilliseconds"));
  Reopen();
  EXPECT_THAT(Enabled(),
              ElementsAre("IncomingBytes", "IteratorAgeMilliseconds"));
  ASSERT_OK_AND_ASSIGN(GetShardMetricsResult metrics,
                       broker().GetShardMetrics({"s"}));
  EXPECT_THAT(metrics.shard_level_metrics,
              ElementsAre("IncomingBytes", "IteratorAgeMilliseconds"));

  ASSERT_OK_AND_ASSIGN(result,
                       broker().DisableEnhancedMonitoring({"s", {"ALL"}}));
  EXPECT_THAT(result.current_shard_level_metrics,
              ElementsAre("IncomingBytes", "IteratorAgeMilliseconds"));
  EXPECT_THAT(result.desired_shard_level_metrics, IsEmpty());
  ASSERT_OK(broker().EnableEnhancedMonitoring({"s", {"ALL"}}).status());
  EXPECT_EQ(Enabled().size(), 7u);
}

TEST_F(StreamSettingsTest, EnhancedMonitoring_RejectsBadNamesChangingNothing) {
  EXPECT_THAT(broker().EnableEnhancedMonitoring({"s", {}}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().EnableEnhancedMonitoring({"s", {"Latency"}}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().EnableEnhancedMonitoring({"missing", {"ALL"}}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Enabled(), IsEmpty());
}

TEST_F(StreamSettingsTest, ResourcePolicy_IsKeptReturnedAndDeleted) {
  ASSERT_OK_AND_ASSIGN(std::string policy, broker().GetResourcePolicy(kArn));
  EXPECT_EQ(policy, "{}");
  EXPECT_THAT(broker().DeleteResourcePolicy(kArn),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK(broker().PutResourcePolicy({kArn, kPolicy}));
  Reopen();
  ASSERT_OK_AND_ASSIGN(policy, broker().GetResourcePolicy(kArn));
  EXPECT_EQ(policy, kPolicy);
  ASSERT_OK(broker().DeleteResourcePolicy(kArn));
  ASSERT_OK_AND_ASSIGN(policy, broker().GetResourcePolicy(kArn));
  EXPECT_EQ(policy, "{}");
}

TEST_F(StreamSettingsTest, ResourcePolicy_RejectsBadRequests) {
  EXPECT_THAT(broker().PutResourcePolicy({"s", kPolicy}),
              HasErrorName(ErrorName::kValidationException));
  for (const char* bad : {"", "not json", "[1]", R"({"Version":"1"})"}) {
    EXPECT_THAT(broker().PutResourcePolicy({kArn, bad}),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << bad;
  }
  EXPECT_THAT(
      broker().PutResourcePolicy(
          {"arn:aws:kinesis:us-east-1:000000000000:stream/missing", kPolicy}),
      HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().GetResourcePolicy(
                  "arn:aws:kinesis:us-east-1:000000000000:channel/none"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  RegisterStreamConsumerRequest reg;
  reg.stream = "s";
  reg.consumer_name = "app";
  ASSERT_OK_AND_ASSIGN(Consumer consumer, broker().RegisterStreamConsumer(reg));
  EXPECT_THAT(broker().PutResourcePolicy({consumer.consumer_arn, kPolicy}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().GetResourcePolicy(consumer.consumer_arn + "0"),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

}  // namespace
}  // namespace brook
