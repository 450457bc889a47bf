// brookd's checks of requests, over the JSON API: AWS's order (wrong JSON
// type, then the model's constraints, then Kinesis' own rules, then the
// stream, then the state), AWS's error names and AWS's messages. Expected
// messages are AWS's for the same requests.

#include "server/request_validator.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/object.hpp"
#include "common/base64.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/kinesis_shapes.h"
#include "server/kinesis_api.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::HasSubstr;

class RequestValidatorTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    api_ = std::make_unique<KinesisApi>(&broker());
    ASSERT_OK(
        api_->Call("CreateStream", R"({"StreamName":"s","ShardCount":1})"));
  }

  // The error `operation` answers `body` with: its name and message.
  std::pair<ErrorName, std::string> Error(const std::string& operation,
                                          const std::string& body) {
    absl::StatusOr<std::string> response = api_->Call(operation, body);
    EXPECT_FALSE(response.ok()) << operation << " " << body;
    return {ErrorNameOf(response.status()),
            std::string(response.status().message())};
  }

  std::unique_ptr<KinesisApi> api_;
};

TEST_F(RequestValidatorTest, ModelViolations_AreValidationExceptions) {
  EXPECT_EQ(Error("CreateStream", R"({"StreamName":"x","ShardCount":0})"),
            std::make_pair(ErrorName::kValidationException,
                           std::string("1 validation error detected: Value '0' "
                                       "at 'shardCount' failed to satisfy "
                                       "constraint: Member must have value "
                                       "greater than or equal to 1")));
  EXPECT_EQ(
      Error("PutRecord",
            R"({"StreamName":"s","PartitionKey":"","Data":"YQ=="})"),
      std::make_pair(ErrorName::kValidationException,
                     std::string("1 validation error detected: Value '' at "
                                 "'partitionKey' failed to satisfy constraint: "
                                 "Member must have length greater than or "
                                 "equal to 1")));
  EXPECT_EQ(Error("GetRecords", R"({"ShardIterator":"abc","Limit":0})"),
            std::make_pair(ErrorName::kValidationException,
                           std::string("1 validation error detected: Value '0' "
                                       "at 'limit' failed to satisfy "
                                       "constraint: Member must have value "
                                       "greater than or equal to 1")));
  EXPECT_EQ(
      Error("PutRecords",
            R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":""},)"
            R"({"PartitionKey":"","Data":"","ExplicitHashKey":""}]})")
          .second,
      "2 validation errors detected: Value '' at "
      "'records.2.member.explicitHashKey' failed to satisfy constraint: "
      "Member must satisfy regular expression pattern: "
      "^(0|([1-9]\\d{0,38}))$; Value '' at "
      "'records.2.member.partitionKey' failed to satisfy constraint: Member "
      "must have length greater than or equal to 1");
  EXPECT_EQ(Error("CreateStream", "{}").second,
            "1 validation error detected: Value null at 'streamName' failed "
            "to satisfy constraint: Member must not be null");
  EXPECT_THAT(Error("DescribeStream",
                    R"({"StreamName":"s","ExclusiveStartShardId":""})"),
              ::testing::Pair(ErrorName::kValidationException,
                              HasSubstr("'exclusiveStartShardId'")));
}

// A required member missing from a list entry is named at its path, as
// Kinesis names it: "records.N.member.partitionKey", N counted from 1.
// (The newest model leaves PartitionKey optional, for streams with the AUTO
// record distribution strategy; Brook's streams route by it, so Brook
// requires it.)
TEST_F(RequestValidatorTest, MissingMemberOfAnEntry_IsNamedAtItsPath) {
  EXPECT_EQ(Error("PutRecords", R"({"StreamName":"s","Records":[)"
                                R"({"PartitionKey":"a","Data":"YQ=="},)"
                                R"({"Data":"YQ=="}]})"),
            std::make_pair(ErrorName::kValidationException,
                           std::string("1 validation error detected: Value "
                                       "null at 'records.2.member."
                                       "partitionKey' failed to satisfy "
                                       "constraint: Member must not be null")));
  // PutRecord's is a member of the input itself.
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","Data":"YQ=="})").second,
            "1 validation error detected: Value null at 'partitionKey' failed "
            "to satisfy constraint: Member must not be null");
}

// AWS's JSON protocol reports every violation, so a record missing both
// its data and its partition key is told of both, in the model's member
// order.
TEST_F(RequestValidatorTest, MissingMembers_AreAllReported) {
  EXPECT_EQ(
      Error("PutRecords", R"({"StreamName":"s","Records":[{}]})"),
      std::make_pair(ErrorName::kValidationException,
                     std::string("2 validation errors detected: Value null at "
                                 "'records.1.member.data' failed to satisfy "
                                 "constraint: Member must not be null; Value "
                                 "null at 'records.1.member.partitionKey' "
                                 "failed to satisfy constraint: Member must "
                                 "not be null")));
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s"})").second,
            "2 validation errors detected: Value null at 'data' failed to "
            "satisfy constraint: Member must not be null; Value null at "
            "'partitionKey' failed to satisfy constraint: Member must not be "
            "null");
}

TEST_F(RequestValidatorTest, WrongJsonTypes_AreSerializationExceptions) {
  EXPECT_EQ(Error("AddTagsToStream", R"({"StreamName":"s","Tags":"23"})"),
            std::make_pair(ErrorName::kSerializationException,
                           std::string("Expected map or null")));
  EXPECT_EQ(Error("CreateStream", R"({"StreamName":7})").first,
            ErrorName::kSerializationException);
  // A string where a timestamp belongs.
  EXPECT_EQ(Error("ListShards", R"({"StreamName":"s",)"
                                R"("StreamCreationTimestamp":"yesterday"})")
                .first,
            ErrorName::kSerializationException);
  // Base64 that is not: for PutRecord and for any entry of PutRecords, and
  // before the model's checks.
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                               R"("Data":"foobar"})")
                .first,
            ErrorName::kSerializationException);
  EXPECT_EQ(Error("PutRecords", R"({"StreamName":"","Records":[)"
                                R"({"PartitionKey":"k","Data":"YQ=="},)"
                                R"({"PartitionKey":"k","Data":"foobar"}]})")
                .first,
            ErrorName::kSerializationException);
}

// The message quotes the blob as sent, even when the bad character comes
// after groups that were already decoded in place.
TEST_F(RequestValidatorTest, BadBase64_IsQuotedAsSent) {
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                               R"("Data":"Zm9vYmFy*m9v"})"),
            std::make_pair(ErrorName::kSerializationException,
                           std::string("'Zm9vYmFy*m9v' can not be converted to "
                                       "a Blob: Invalid Base64 character or "
                                       "padding")));
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                               R"("Data":"Zm9vYmFyZ==="})"),
            std::make_pair(ErrorName::kSerializationException,
                           std::string("'Zm9vYmFyZ===' can not be converted to "
                                       "a Blob: Invalid Base64 character or "
                                       "padding")));
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                               R"("Data":"Zm9vYmF"})"),
            std::make_pair(ErrorName::kSerializationException,
                           std::string("'Zm9vYmF' can not be converted to a "
                                       "Blob: Base64 encoded length is "
                                       "expected a multiple of 4 bytes but "
                                       "found: 7")));
}

TEST_F(RequestValidatorTest, KinesisRules_AreInvalidArgumentExceptions) {
  EXPECT_EQ(
      Error("AddTagsToStream", R"({"StreamName":"s","Tags":{"abc;def":"1"}})")
          .first,
      ErrorName::kInvalidArgumentException);
  EXPECT_EQ(
      Error("ListShards", R"({"StreamName":"s","NextToken":"abc"})").first,
      ErrorName::kInvalidArgumentException);
  EXPECT_EQ(Error("ListShards", R"({"StreamARN":"arn:aws:kinesis:us-east-1:)"
                                R"(000000000000:stream/s","NextToken":"abc"})")
                .first,
            ErrorName::kInvalidArgumentException);
  EXPECT_EQ(Error("ListShards", R"({"NextToken":"abc",)"
                                R"("StreamCreationTimestamp":1})")
                .first,
            ErrorName::kInvalidArgumentException);
  EXPECT_EQ(Error("GetShardIterator",
                  R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                  R"("ShardIteratorType":"LATEST",)"
                  R"("StartingSequenceNumber":"1"})")
                .first,
            ErrorName::kInvalidArgumentException);
  EXPECT_EQ(Error("GetShardIterator",
                  R"({"StreamName":"s","ShardId":"shardId-000000000000",)"
                  R"("ShardIteratorType":"TRIM_HORIZON","Timestamp":1})")
                .first,
            ErrorName::kInvalidArgumentException);
}

// AWS's words for strings in lists and maps, as kinesalite's tests of
// RemoveTagsFromStream and AddTagsToStream (written against Kinesis)
// record them: one violation at the list or map, the element's rules in
// brackets.
TEST_F(RequestValidatorTest, ListAndMapElements_InAwsWords) {
  const std::string long_key(129, 'k');
  EXPECT_EQ(
      Error("RemoveTagsFromStream",
            R"({"StreamName":"s","TagKeys":["a",")" + long_key + R"(","b"]})"),
      std::make_pair(
          ErrorName::kValidationException,
          "1 validation error detected: Value '[a, " + long_key +
              ", b]' at 'tagKeys' failed to satisfy constraint: Member "
              "must satisfy constraint: [Member must have length less "
              "than or equal to 128, Member must have length greater "
              "than or equal to 1]"));
  const std::string long_value(257, 'x');
  EXPECT_EQ(
      Error("AddTagsToStream",
            R"({"StreamName":"s","Tags":{"a":"1","b":"2","c":")" + long_value +
                R"("}})"),
      std::make_pair(
          ErrorName::kValidationException,
          "1 validation error detected: Value '{a=1, b=2, c=" + long_value +
              "}' at 'tags' failed to satisfy constraint: Map value "
              "must satisfy constraint: [Member must have length less "
              "than or equal to 256, Member must have length greater "
              "than or equal to 0]"));
  // The same for the ARN-addressed operations and a consumer's tags.
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  EXPECT_THAT(
      Error("UntagResource", R"({"ResourceARN":")" + arn + R"(","TagKeys":[")" +
                                 long_key + R"("]})")
          .second,
      HasSubstr("at 'tagKeys' failed to satisfy constraint: Member "
                "must satisfy constraint: ["));
  EXPECT_THAT(
      Error("RegisterStreamConsumer",
            R"({"StreamARN":")" + arn +
                R"(","ConsumerName":"c","Tags":{"a":")" + long_value + R"("}})")
          .second,
      HasSubstr("at 'tags' failed to satisfy constraint: Map value "
                "must satisfy constraint: ["));
}

// The Kinesis API reference (Tag): "Unicode letters, digits, white space,
// _ . / = + - % @".
TEST_F(RequestValidatorTest, TagCharacters_AreTheDocumentedOnes) {
  for (const char* tags : {R"({"a:b":"1"})", R"({"a":"b:c"})",
                           R"({"a\tb":"1"})", R"({"a,b":"1"})"}) {
    EXPECT_EQ(Error("AddTagsToStream",
                    absl::StrCat(R"({"StreamName":"s","Tags":)", tags, "}")),
              std::make_pair(ErrorName::kInvalidArgumentException,
                             std::string("Some tags contain invalid "
                                         "characters. Valid characters: "
                                         "Unicode letters, digits, white "
                                         "space, _ . / = + - % @.")))
        << tags;
  }
  EXPECT_OK(api_->Call(
      "AddTagsToStream",
      R"({"StreamName":"s","Tags":{"Team_1 ./=+-%@":"caf\u00e9 42"}})"));
}

// Kinesis' rules that need no stream come before it is looked up.
TEST_F(RequestValidatorTest, MergeShards_SameShardTwice_IsInvalidArgument) {
  for (const char* stream : {"s", "missing"}) {
    EXPECT_EQ(Error("MergeShards",
                    absl::StrCat(R"({"StreamName":")", stream,
                                 R"(","ShardToMerge":"shardId-000000000000",)"
                                 R"("AdjacentShardToMerge":"0"})"))
                  .first,
              ErrorName::kInvalidArgumentException)
        << stream;
  }
}

// Kinesis: "Either ConsumerARN or both StreamARN and ConsumerName must be
// provided", an InvalidArgumentException as for a missing stream.
TEST_F(RequestValidatorTest, NoConsumerNamed_IsInvalidArgument) {
  const std::string arn =
      R"("StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s")";
  for (const char* operation :
       {"DescribeStreamConsumer", "DeregisterStreamConsumer"}) {
    for (const std::string& body : {std::string("{}"), "{" + arn + "}",
                                    std::string(R"({"ConsumerName":"c"})")}) {
      const auto [name, message] = Error(operation, body);
      EXPECT_EQ(name, ErrorName::kInvalidArgumentException)
          << operation << " " << body;
      EXPECT_THAT(message, HasSubstr("ConsumerARN"));
    }
  }
}

// A bad argument on a stream that does not exist: the argument is reported,
// in every operation.
TEST_F(RequestValidatorTest, ArgumentsAreCheckedBeforeTheStream) {
  const std::string missing = R"("StreamName":"missing")";
  const std::string arn =
      R"("StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/missing")";
  for (const auto& [operation, body] :
       std::vector<std::pair<std::string, std::string>>{
           {"AddTagsToStream", "{" + missing + R"(,"Tags":{"":"v"}})"},
           {"ListTagsForStream", "{" + missing + R"(,"Limit":0})"},
           {"RemoveTagsFromStream", "{" + missing + R"(,"TagKeys":[")" +
                                        std::string(129, 'k') + R"("]})"},
           {"ListStreamConsumers", "{" + arn + R"(,"MaxResults":0})"},
           {"RegisterStreamConsumer", "{" + arn + R"(,"ConsumerName":"a b"})"},
           {"DescribeStream", "{" + missing + R"(,"Limit":0})"},
           {"SplitShard", "{" + missing +
                              R"(,"ShardToSplit":"shardId-0",)"
                              R"("NewStartingHashKey":"-1"})"},
       }) {
    EXPECT_EQ(Error(operation, body).first, ErrorName::kValidationException)
        << operation;
  }
  // Kinesis' own rules also come before the stream (the model sets no
  // range on a retention period).
  for (const char* hours : {"-1", "9000"}) {
    EXPECT_EQ(Error("IncreaseStreamRetentionPeriod",
                    "{" + missing + R"(,"RetentionPeriodHours":)" + hours + "}")
                  .first,
              ErrorName::kInvalidArgumentException);
  }
  EXPECT_EQ(
      Error("AddTagsToStream", "{" + missing + R"(,"Tags":{"a;b":"v"}})").first,
      ErrorName::kInvalidArgumentException);
}

// Every member of every operation that the model constrains is checked: a
// value just outside each bound is a ValidationException naming the
// member, and a request without its required members names each.
TEST_F(RequestValidatorTest, EveryConstrainedMemberOfEveryOperation) {
  int checked = 0;
  for (const schema::Operation& operation : schema::Operations()) {
    // Its checks are the same; its answer is a stream (see below).
    if (operation.name == "SubscribeToShard") continue;
    const schema::Shape& input = schema::ShapeAt(operation.input);
    for (const schema::Member& member : schema::MembersOf(input)) {
      const schema::Shape& shape = schema::ShapeAt(member.shape);
      std::string value;
      if ((shape.type == schema::ShapeType::kInteger ||
           shape.type == schema::ShapeType::kLong) &&
          shape.min.has_value()) {
        value = std::to_string(*shape.min - 1);
      } else if (shape.type == schema::ShapeType::kString &&
                 shape.min.value_or(0) >= 1) {
        value = R"("")";
      } else if (shape.type == schema::ShapeType::kString &&
                 schema::EnumValuesOf(shape).size() > 0) {
        value = R"("NOT_A_VALUE")";
      } else {
        continue;
      }
      const std::string body =
          absl::StrCat(R"({")", member.name, R"(":)", value, "}");
      const auto [name, message] = Error(std::string(operation.name), body);
      EXPECT_EQ(name, ErrorName::kValidationException)
          << operation.name << " " << body;
      std::string path(member.name);
      path[0] = absl::ascii_tolower(path[0]);
      EXPECT_THAT(message, HasSubstr(absl::StrCat(
                               "at '", path, "' failed to satisfy constraint")))
          << operation.name << " " << body;
      ++checked;
    }
    for (const schema::Member& member : schema::MembersOf(input)) {
      if (!member.required) continue;
      std::string path(member.name);
      path[0] = absl::ascii_tolower(path[0]);
      EXPECT_THAT(Error(std::string(operation.name), "{}").second,
                  HasSubstr(absl::StrCat("Value null at '", path, "'")))
          << operation.name;
    }
  }
  EXPECT_GT(checked, 100);
}

class NoSink final : public EventSink {
 public:
  bool Send(std::string) override {
    ADD_FAILURE() << "no event expected";
    return true;
  }
  void End() override {}
};

TEST_F(RequestValidatorTest, SubscribeToShard_IsCheckedLikeTheRest) {
  NoSink sink;
  EXPECT_THAT(api_->SubscribeToShard("{}", &sink),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(api_->SubscribeToShard(R"({"ConsumerARN":7})", &sink),
              HasErrorName(ErrorName::kSerializationException));
}

// Members of the current model that brookd cannot honour are refused, not
// ignored.
TEST_F(RequestValidatorTest, UnsupportedMembers_AreRefused) {
  EXPECT_EQ(Error("DescribeStreamSummary",
                  R"({"StreamName":"s","StreamId":"abcdefghij0123456789-abc"})")
                .first,
            ErrorName::kInvalidArgumentException);
  EXPECT_EQ(Error("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                               R"("Data":"YQ==","DryRun":true})")
                .first,
            ErrorName::kInvalidArgumentException);
  EXPECT_OK(api_->Call("PutRecord", R"({"StreamName":"s","PartitionKey":"k",)"
                                    R"("Data":"YQ==","DryRun":false})"));
}

// Every operation of the model answers: none is an unknown operation.
TEST_F(RequestValidatorTest, EveryOperationOfTheModelAnswers) {
  for (const schema::Operation& operation : schema::Operations()) {
    if (operation.name == "SubscribeToShard") continue;  // Streams instead.
    const absl::StatusOr<std::string> response =
        api_->Call(std::string(operation.name), "{}");
    EXPECT_NE(ErrorNameOf(response.status()),
              ErrorName::kUnknownOperationException)
        << operation.name;
  }
}

// A blob's length is its bytes' count, whether the tree holds the bytes
// (a CBOR body) or their base64 (a JSON body, decoded in place).
TEST(ValidateRequestTest, BlobLengths_CountBytesInEitherForm) {
  constexpr size_t kMaxData = 10 * 1024 * 1024;  // The model's Data.
  const schema::Operation& put = *schema::FindOperation("PutRecord");
  const auto check = [&](BlobForm form, const std::string& data) {
    boost::json::object body{
        {"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", data}};
    return ValidateRequest(put, form, body);
  };
  EXPECT_OK(check(BlobForm::kBytes, std::string(kMaxData, 'x')));
  EXPECT_THAT(check(BlobForm::kBytes, std::string(kMaxData + 1, 'x')),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_OK(check(BlobForm::kBase64, EncodeBase64(std::string(kMaxData, 'x'))));
  EXPECT_THAT(
      check(BlobForm::kBase64, EncodeBase64(std::string(kMaxData + 1, 'x'))),
      HasErrorName(ErrorName::kValidationException));

  // And the base64 becomes the bytes.
  boost::json::object body{
      {"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "AP8="}};
  ASSERT_OK(ValidateRequest(put, BlobForm::kBase64, body));
  EXPECT_EQ(body.at("Data").as_string(), std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace brook
