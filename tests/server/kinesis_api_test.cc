// The Kinesis JSON mapping of brookd, without a socket: requests as the
// SDKs send them, responses as they read them, and every wire-level error.

#include "server/kinesis_api.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/json_fields.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

class KinesisApiTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    api_ = std::make_unique<KinesisApi>(&broker());
  }

  // Calls `operation` and parses its response.
  boost::json::object Call(const std::string& operation,
                           const std::string& body) {
    absl::StatusOr<std::string> response = api_->Call(operation, body);
    EXPECT_OK(response);
    if (!response.ok() || response->empty()) return {};
    return boost::json::parse(*response).as_object();
  }

  // A TRIM_HORIZON iterator of stream "s"'s first shard.
  std::string TrimHorizonIterator() {
    const boost::json::object result =
        Call("GetShardIterator",
             R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
             R"("ShardIteratorType":"TRIM_HORIZON"})");
    if (!result.contains("ShardIterator")) return "";
    return std::string(result.at("ShardIterator").as_string());
  }

  std::unique_ptr<KinesisApi> api_;
};

TEST_F(KinesisApiTest, PutAndGetRoundTripInTheSdksShapes) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  const boost::json::object put = Call(
      "PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"aGk="})");
  EXPECT_EQ(put.at("ShardId"), "shardId-000000000000");
  const std::string iterator = TrimHorizonIterator();
  const boost::json::object records =
      Call("GetRecords", R"({"ShardIterator":")" + iterator + R"("})");
  const boost::json::object& record =
      records.at("Records").as_array().at(0).as_object();
  EXPECT_EQ(record.at("Data"), "aGk=");
  EXPECT_EQ(record.at("PartitionKey"), "k");
  EXPECT_EQ(record.at("SequenceNumber"), put.at("SequenceNumber"));
  EXPECT_TRUE(record.at("ApproximateArrivalTimestamp").is_double());
  EXPECT_TRUE(records.contains("NextShardIterator"));
  EXPECT_EQ(records.at("MillisBehindLatest"), 0);
}

TEST_F(KinesisApiTest, PutRecords_ReportsEachRecord) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  const boost::json::object result =
      Call("PutRecords",
           R"({"StreamName":"s","Records":[)"
           R"({"PartitionKey":"a","Data":"YQ=="},)"
           R"({"PartitionKey":"b","Data":"Yg==","ExplicitHashKey":"7"}]})");
  EXPECT_EQ(result.at("FailedRecordCount"), 0);
  EXPECT_EQ(result.at("Records").as_array().size(), 2u);
}

// A record the shard's limit refuses is answered with ErrorCode and
// ErrorMessage in place of SequenceNumber and ShardId (Kinesis API
// reference, PutRecordsResultEntry), and counted in FailedRecordCount.
TEST_F(KinesisApiTest, PutRecords_AFailedRecordCarriesItsError) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 500; ++i) {
    if (i > 0) body += ",";
    body += R"({"PartitionKey":"k","Data":"YQ=="})";
  }
  body += "]}";
  // Kinesis' 1,000 records per second and shard: the third batch of 500
  // in the same instant cannot all fit.
  boost::json::object result;
  for (int batch = 0; batch < 3; ++batch) result = Call("PutRecords", body);
  int64_t failed = 0;
  for (const boost::json::value& entry : result.at("Records").as_array()) {
    const boost::json::object& record = entry.as_object();
    if (!record.contains("ErrorCode")) {
      EXPECT_TRUE(record.contains("SequenceNumber"));
      EXPECT_EQ(record.at("ShardId"), "shardId-000000000000");
      continue;
    }
    ++failed;
    EXPECT_EQ(record.at("ErrorCode"), "ProvisionedThroughputExceededException");
    EXPECT_FALSE(record.at("ErrorMessage").as_string().empty());
    EXPECT_FALSE(record.contains("SequenceNumber"));
    EXPECT_FALSE(record.contains("ShardId"));
  }
  EXPECT_GT(failed, 0);
  EXPECT_EQ(result.at("FailedRecordCount"), failed);
  EXPECT_EQ(result.at("EncryptionType"), "NONE");
}

TEST_F(KinesisApiTest, NewStreamsGetTheConfiguredLimits) {
  Call("CreateStream", R"({"StreamName":"kinesis","ShardCount":1})");
  KinesisApiOptions options;
  options.new_stream_limits = StreamLimits::Unlimited();
  KinesisApi unlimited_api(&broker(), options);
  ASSERT_OK(unlimited_api.Call("CreateStream",
                               R"({"StreamName":"free","ShardCount":1})"));

  ASSERT_OK_AND_ASSIGN(const StreamDescriptionSummary kinesis,
                       broker().DescribeStreamSummary({"kinesis"}));
  EXPECT_EQ(kinesis.limits.write_records_per_second, 1000);
  ASSERT_OK_AND_ASSIGN(const StreamDescriptionSummary free,
                       broker().DescribeStreamSummary({"free"}));
  EXPECT_EQ(free.limits.write_records_per_second, StreamLimits::kUnlimited);
  EXPECT_EQ(free.limits.read_calls_per_second, StreamLimits::kUnlimited);
}

TEST_F(KinesisApiTest, WireErrorsCarryKinesisNames) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  EXPECT_THAT(api_->Call("Frobnicate", "{}"),
              HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(api_->Call("ListStreams", "{not json"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("ListStreams", "[1, 2]"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("CreateStream", R"({"StreamName":7})"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("CreateStream", R"({"ShardCount":1})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(
      api_->Call("PutRecord", R"({"StreamName":"s","PartitionKey":"k"})"),
      HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("PutRecord", R"({"PartitionKey":"k","Data":"YQ=="})"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      api_->Call("PutRecord",
                 R"({"StreamName":"s","PartitionKey":"k","Data":"@@"})"),
      HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("PutRecords", R"({"StreamName":"s","Records":[5]})"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("ListStreams", R"({"Limit":"ten"})"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("ListStreams", R"({"Limit":99999999999})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("ListShards", R"({"StreamName":"s","ShardFilter":)"
                                       R"({"Type":"AT_TIMESTAMP",)"
                                       R"("Timestamp":1e300}})"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("UpdateShardCount",
                         R"({"StreamName":"s","TargetShardCount":-9e18,)"
                         R"("ScalingType":"UNIFORM_SCALING"})"),
              HasErrorName(ErrorName::kSerializationException));
  EXPECT_THAT(api_->Call("UpdateShardCount",
                         R"({"StreamName":"s","TargetShardCount":5000000000,)"
                         R"("ScalingType":"UNIFORM_SCALING"})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(
      api_->Call("CreateStream",
                 R"({"StreamName":"t","MaxRecordSizeInKiB":-5000000000})"),
      HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(
      api_->Call("GetShardIterator",
                 R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                 R"("ShardIteratorType":"SOMEWHERE"})"),
      HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("UpdateShardCount",
                         R"({"StreamName":"s","TargetShardCount":2,)"
                         R"("ScalingType":"RANDOM"})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(
      api_->Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"s"})"),
      HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("DecreaseStreamRetentionPeriod",
                         R"({"StreamName":"s","RetentionPeriodHours":1})"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  // And the library's own errors pass through with their names.
  EXPECT_THAT(api_->Call("DescribeStream", R"({"StreamName":"missing"})"),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

// Capacity modes in the SDKs' shapes: StreamModeDetails in, and out of
// every description.
TEST_F(KinesisApiTest, StreamModes_OverTheWire) {
  Call("CreateStream",
       R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  const boost::json::object summary =
      Call("DescribeStreamSummary", R"({"StreamName":"od"})")
          .at("StreamDescriptionSummary")
          .as_object();
  EXPECT_EQ(summary.at("StreamModeDetails").at("StreamMode"), "ON_DEMAND");
  EXPECT_EQ(summary.at("OpenShardCount"), 4);
  EXPECT_EQ(Call("DescribeStream", R"({"StreamName":"od"})")
                .at("StreamDescription")
                .at("StreamModeDetails")
                .at("StreamMode"),
            "ON_DEMAND");
  EXPECT_EQ(Call("ListStreams", "{}")
                .at("StreamSummaries")
                .at(0)
                .at("StreamModeDetails")
                .at("StreamMode"),
            "ON_DEMAND");
  const boost::json::object limits = Call("DescribeLimits", "{}");
  EXPECT_EQ(limits.at("OnDemandStreamCount"), 1);
  EXPECT_EQ(limits.at("OnDemandStreamCountLimit"), 50);

  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/od";
  Call("UpdateStreamMode",
       R"({"StreamARN":")" + arn +
           R"(","StreamModeDetails":{"StreamMode":"PROVISIONED"}})");
  EXPECT_EQ(Call("DescribeStreamSummary", R"({"StreamName":"od"})")
                .at("StreamDescriptionSummary")
                .at("StreamModeDetails")
                .at("StreamMode"),
            "PROVISIONED");

  // Kinesis' errors: ON_DEMAND takes no shard count; the same mode again;
  // a mode the model does not have; no ARN.
  EXPECT_THAT(api_->Call("CreateStream",
                         R"({"StreamName":"x","ShardCount":2,)"
                         R"("StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      api_->Call("UpdateStreamMode", R"({"StreamARN":")" + arn +
                                         R"(","StreamModeDetails":)"
                                         R"({"StreamMode":"PROVISIONED"}})"),
      HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(api_->Call("UpdateStreamMode",
                         R"({"StreamARN":")" + arn +
                             R"(","StreamModeDetails":{"StreamMode":"FAST"}})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("UpdateStreamMode",
                         R"({"StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->Call("DescribeStreamSummary", R"({"StreamName":"x"})"),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

// AWS writes timestamps as plain epoch seconds with three decimals; the
// AWS SDK for Java v2 cannot read the exponent form.
TEST(SerializeResponseTest, TimestampsAreEpochSecondsWithMilliseconds) {
  const boost::json::object response{
      {"StreamCreationTimestamp",
       EpochSeconds(absl::FromUnixMillis(1796031598107))},
      {"Whole", EpochSeconds(absl::FromUnixMillis(1796031598000))},
      {"Early", EpochSeconds(absl::FromUnixMillis(5))},
      {"Before1970", EpochSeconds(absl::FromUnixMillis(-1500))},
      {"Count", 7},
      {"Name", "a\"b"},
      {"List", boost::json::array{EpochSeconds(absl::FromUnixMillis(1))}}};
  EXPECT_EQ(SerializeResponse(response),
            R"({"StreamCreationTimestamp":1796031598.107,)"
            R"("Whole":1796031598.000,"Early":0.005,"Before1970":-1.500,)"
            R"("Count":7,"Name":"a\"b","List":[0.001]})");
}

TEST_F(KinesisApiTest, Responses_TimestampsInPlainNotationAndEmptyBodies) {
  ASSERT_OK_AND_ASSIGN(
      std::string created,
      api_->Call("CreateStream", R"({"StreamName":"s","ShardCount":1})"));
  EXPECT_EQ(created, "");  // No output: an empty body, as AWS sends.
  ASSERT_OK_AND_ASSIGN(
      std::string tagged,
      api_->Call("AddTagsToStream", R"({"StreamName":"s","Tags":{"a":"b"}})"));
  EXPECT_EQ(tagged, "");
  ASSERT_OK_AND_ASSIGN(
      std::string summary,
      api_->Call("DescribeStreamSummary", R"({"StreamName":"s"})"));
  const std::string millis = std::to_string(absl::ToUnixMillis(clock().Now()));
  EXPECT_THAT(
      summary,
      ::testing::HasSubstr(absl::StrCat(
          "\"StreamCreationTimestamp\":", millis.substr(0, millis.size() - 3),
          ".", millis.substr(millis.size() - 3))));
  EXPECT_THAT(summary, ::testing::Not(::testing::HasSubstr("E9")));
}

// The AWS CLI (botocore 1.43) sends the StreamCreationTimestamp that
// describe-stream-summary printed as whole epoch seconds.
TEST_F(KinesisApiTest, StreamCreationTimestamp_InWholeSecondsOrMillis) {
  clock().Set(absl::FromUnixMillis(1796031598107));
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  for (const char* timestamp :
       {"1796031598", "1796031598.107", "1796031598.1"}) {
    EXPECT_OK(api_->Call(
        "ListShards",
        absl::StrCat(R"({"StreamName":"s",)", R"("StreamCreationTimestamp":)",
                     timestamp, "}")))
        << timestamp;
    EXPECT_OK(api_->Call(
        "ListStreamConsumers",
        absl::StrCat(R"({"StreamARN":")", arn,
                     R"(","StreamCreationTimestamp":)", timestamp, "}")))
        << timestamp;
  }
  for (const char* timestamp : {"1796031597", "1796031598.108"}) {
    EXPECT_THAT(
        api_->Call("ListShards", absl::StrCat(R"({"StreamName":"s",)",
                                              R"("StreamCreationTimestamp":)",
                                              timestamp, "}")),
        HasErrorName(ErrorName::kResourceNotFoundException))
        << timestamp;
  }
}

// AWS reads "0" and "shardId-0" as shardId-000000000000 in every shard-id
// input, DescribeStream's ExclusiveStartShardId included.
TEST_F(KinesisApiTest, DescribeStream_ExclusiveStartShardId_ReadsShortIds) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":2})");
  for (const char* start : {"shardId-000000000000", "shardId-0", "0"}) {
    const boost::json::object described =
        Call("DescribeStream",
             absl::StrCat(R"({"StreamName":"s","ExclusiveStartShardId":")",
                          start, R"("})"));
    const boost::json::array& shards =
        described.at("StreamDescription").at("Shards").as_array();
    ASSERT_EQ(shards.size(), 1u) << start;
    EXPECT_EQ(shards[0].at("ShardId"), "shardId-000000000001") << start;
  }
}

// The Kinesis API reference: TagResource, UntagResource,
// ListTagsForResource and the resource policy operations take a consumer's
// ARN, and RegisterStreamConsumer takes Tags.
TEST_F(KinesisApiTest, Consumers_HaveTagsAndPolicies) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  const std::string stream_arn =
      "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  const boost::json::object registered =
      Call("RegisterStreamConsumer",
           absl::StrCat(R"({"StreamARN":")", stream_arn,
                        R"(","ConsumerName":"app","Tags":{"team":"data"}})"));
  const std::string arn(
      registered.at("Consumer").at("ConsumerARN").as_string());
  const std::string resource = absl::StrCat(R"({"ResourceARN":")", arn, R"(")");
  Call("TagResource", resource + R"(,"Tags":{"tier":"gold"}})");
  EXPECT_EQ(boost::json::serialize(Call("ListTagsForResource", resource + "}")),
            R"({"Tags":[{"Key":"team","Value":"data"},)"
            R"({"Key":"tier","Value":"gold"}]})");
  Call("UntagResource", resource + R"(,"TagKeys":["team"]})");
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  Call("PutResourcePolicy",
       resource + R"(,"Policy":)" +
           boost::json::serialize(boost::json::value(policy)) + "}");
  EXPECT_EQ(Call("GetResourcePolicy", resource + "}").at("Policy").as_string(),
            policy);
  Reopen();
  api_ = std::make_unique<KinesisApi>(&broker());
  EXPECT_EQ(boost::json::serialize(Call("ListTagsForResource", resource + "}")),
            R"({"Tags":[{"Key":"tier","Value":"gold"}]})");
  EXPECT_EQ(Call("GetResourcePolicy", resource + "}").at("Policy").as_string(),
            policy);
  Call("DeleteResourcePolicy", resource + "}");
  EXPECT_EQ(Call("GetResourcePolicy", resource + "}").at("Policy"), "{}");
  Call("DeregisterStreamConsumer", R"({"ConsumerARN":")" + arn + R"("})");
  EXPECT_THAT(api_->Call("ListTagsForResource", resource + "}"),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

// Encryption at rest as the SDKs call it (the API reference of
// StartStreamEncryption, StopStreamEncryption, PutRecord, PutRecords,
// GetRecords, DescribeStream and DescribeStreamSummary).
class KinesisApiEncryptionTest : public KinesisApiTest {
 protected:
  KinesisApiEncryptionTest() { options().key_directory = keys_.Sub("keys"); }

  boost::json::object Summary() {
    return Call("DescribeStreamSummary", R"({"StreamName":"s"})")
        .at("StreamDescriptionSummary")
        .as_object();
  }

 private:
  testing::TempDir keys_;
};

TEST_F(KinesisApiEncryptionTest, StartAndStop_ShowOnResultsAndDescriptions) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  EXPECT_EQ(Summary().at("EncryptionType"), "NONE");
  EXPECT_FALSE(Summary().contains("KeyId"));
  EXPECT_EQ(Call("PutRecord",
                 R"({"StreamName":"s","PartitionKey":"k","Data":"YQ=="})")
                .at("EncryptionType"),
            "NONE");

  ASSERT_OK_AND_ASSIGN(std::string started,
                       api_->Call("StartStreamEncryption",
                                  R"({"StreamName":"s","EncryptionType":"KMS",)"
                                  R"("KeyId":"alias/aws/kinesis"})"));
  EXPECT_THAT(started, ::testing::AnyOf("", "{}"));
  EXPECT_EQ(Summary().at("EncryptionType"), "KMS");
  EXPECT_EQ(Summary().at("KeyId"), "alias/aws/kinesis");
  const boost::json::object described =
      Call("DescribeStream", R"({"StreamName":"s"})")
          .at("StreamDescription")
          .as_object();
  EXPECT_EQ(described.at("EncryptionType"), "KMS");
  EXPECT_EQ(described.at("KeyId"), "alias/aws/kinesis");
  EXPECT_EQ(Call("PutRecord",
                 R"({"StreamName":"s","PartitionKey":"k","Data":"Yg=="})")
                .at("EncryptionType"),
            "KMS");
  EXPECT_EQ(Call("PutRecords", R"({"StreamName":"s","Records":[)"
                               R"({"PartitionKey":"k","Data":"Yw=="}]})")
                .at("EncryptionType"),
            "KMS");

  const std::string iterator = TrimHorizonIterator();
  const boost::json::array records =
      Call("GetRecords", R"({"ShardIterator":")" + iterator + R"("})")
          .at("Records")
          .as_array();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].at("EncryptionType"), "NONE");
  EXPECT_EQ(records[1].at("EncryptionType"), "KMS");
  EXPECT_EQ(records[1].at("Data"), "Yg==");
  EXPECT_EQ(records[2].at("EncryptionType"), "KMS");

  ASSERT_OK(api_->Call("StopStreamEncryption",
                       R"({"StreamName":"s","EncryptionType":"KMS",)"
                       R"("KeyId":"alias/aws/kinesis"})")
                .status());
  EXPECT_EQ(Summary().at("EncryptionType"), "NONE");
  EXPECT_FALSE(Summary().contains("KeyId"));
}

TEST_F(KinesisApiEncryptionTest, KmsErrors_TravelUnderTheirNames) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  EXPECT_THAT(api_->Call("StartStreamEncryption",
                         R"({"StreamName":"s","EncryptionType":"KMS",)"
                         R"("KeyId":"alias/missing"})"),
              HasErrorName(ErrorName::kKMSNotFoundException));
  EXPECT_THAT(api_->Call("StartStreamEncryption",
                         R"({"StreamName":"nope","EncryptionType":"KMS",)"
                         R"("KeyId":"alias/aws/kinesis"})"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_EQ(Summary().at("EncryptionType"), "NONE");
}

}  // namespace
}  // namespace brook
