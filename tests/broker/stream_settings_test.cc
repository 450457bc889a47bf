// Enhanced monitoring and resource policies: kept with the stream, across
// restarts, and reported as Kinesis reports them.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
  EXPECT_THAT(broker().PutResourcePolicy({consumer.consumer_arn, "[1]"}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().GetResourcePolicy(consumer.consumer_arn + "0"),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

// The Kinesis API reference: TagResource, UntagResource and
// ListTagsForResource take a stream's or a consumer's ARN, and
// Put/Get/DeleteResourcePolicy too; RegisterStreamConsumer takes Tags.
TEST_F(StreamSettingsTest, Consumer_KeepsTagsAndPolicyAcrossRestarts) {
  RegisterStreamConsumerRequest reg;
  reg.stream = "s";
  reg.consumer_name = "app";
  reg.tags = {{"team", "data"}};
  ASSERT_OK_AND_ASSIGN(Consumer consumer, broker().RegisterStreamConsumer(reg));
  const std::string arn = consumer.consumer_arn;
  ASSERT_OK(broker().TagResource({arn, {{"tier", "gold"}, {"team", "ops"}}}));
  ASSERT_OK(broker().PutResourcePolicy({arn, kPolicy}));
  // The stream's own tags and policy are apart from the consumer's.
  ASSERT_OK(broker().TagResource({kArn, {{"stream", "yes"}}}));
  Reopen();
  ASSERT_OK_AND_ASSIGN(std::vector<Tag> tags,
                       broker().ListTagsForResource(arn));
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].key, "team");
  EXPECT_EQ(tags[0].value, "ops");
  EXPECT_EQ(tags[1].key, "tier");
  ASSERT_OK_AND_ASSIGN(std::string policy, broker().GetResourcePolicy(arn));
  EXPECT_EQ(policy, kPolicy);
  ASSERT_OK_AND_ASSIGN(policy, broker().GetResourcePolicy(kArn));
  EXPECT_EQ(policy, "{}");
  ASSERT_OK_AND_ASSIGN(std::vector<Tag> stream_tags,
                       broker().ListTagsForResource(kArn));
  ASSERT_EQ(stream_tags.size(), 1u);
  EXPECT_EQ(stream_tags[0].key, "stream");

  ASSERT_OK(broker().UntagResource({arn, {"tier", "absent"}}));
  ASSERT_OK(broker().DeleteResourcePolicy(arn));
  EXPECT_THAT(broker().DeleteResourcePolicy(arn),
              HasErrorName(ErrorName::kResourceNotFoundException));
  Reopen();
  ASSERT_OK_AND_ASSIGN(tags, broker().ListTagsForResource(arn));
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].key, "team");
  ASSERT_OK_AND_ASSIGN(policy, broker().GetResourcePolicy(arn));
  EXPECT_EQ(policy, "{}");
}

TEST_F(StreamSettingsTest, Consumer_TagsAndPolicyGoWithIt) {
  RegisterStreamConsumerRequest reg;
  reg.stream = "s";
  reg.consumer_name = "app";
  reg.tags = {{"team", "data"}};
  ASSERT_OK_AND_ASSIGN(Consumer first, broker().RegisterStreamConsumer(reg));
  ASSERT_OK(broker().PutResourcePolicy({first.consumer_arn, kPolicy}));
  ASSERT_OK(broker().DeregisterStreamConsumer({"", "", first.consumer_arn}));
  EXPECT_THAT(broker().ListTagsForResource(first.consumer_arn),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().TagResource({first.consumer_arn, {{"a", "b"}}}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  // Registered again, a second later, under the same name: a new consumer,
  // with none of the old one's tags or policy.
  clock().Advance(absl::Seconds(1));
  reg.tags.clear();
  ASSERT_OK_AND_ASSIGN(Consumer second, broker().RegisterStreamConsumer(reg));
  Reopen();
  ASSERT_OK_AND_ASSIGN(std::vector<Tag> tags,
                       broker().ListTagsForResource(second.consumer_arn));
  EXPECT_THAT(tags, IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::string policy,
                       broker().GetResourcePolicy(second.consumer_arn));
  EXPECT_EQ(policy, "{}");
}

TEST_F(StreamSettingsTest, Consumer_TagsFollowTheTagRules) {
  RegisterStreamConsumerRequest reg;
  reg.stream = "s";
  reg.consumer_name = "app";
  reg.tags = {{"a:b", "1"}};
  EXPECT_THAT(broker().RegisterStreamConsumer(reg),
              HasErrorName(ErrorName::kInvalidArgumentException));
  reg.tags = {{"k", std::string(257, 'v')}};
  EXPECT_THAT(broker().RegisterStreamConsumer(reg),
              HasErrorName(ErrorName::kValidationException));
  ConsumerRef ref{"s", "app", ""};
  EXPECT_THAT(broker().DescribeStreamConsumer(ref),
              HasErrorName(ErrorName::kResourceNotFoundException));
  reg.tags.clear();
  ASSERT_OK_AND_ASSIGN(Consumer consumer, broker().RegisterStreamConsumer(reg));
  std::vector<Tag> fifty;
  for (int i = 0; i < 50; ++i) fifty.push_back({absl::StrCat("k", i), "v"});
  ASSERT_OK(broker().TagResource({consumer.consumer_arn, fifty}));
  EXPECT_THAT(broker().TagResource({consumer.consumer_arn, {{"one", "more"}}}),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_THAT(broker().UntagResource({consumer.consumer_arn, {"a;b"}}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK_AND_ASSIGN(std::vector<Tag> tags,
                       broker().ListTagsForResource(consumer.consumer_arn));
  EXPECT_EQ(tags.size(), 50u);
}

}  // namespace
}  // namespace brook
