// Decoding what Kinesis endpoints answer, in every form they answer it:
// AWS's and brookd's timestamps, empty bodies, error types with a
// namespace or a detail, per-record PutRecords failures.

#include "remote/kinesis_json.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook::kinesis_json {
namespace {

using ::brook::testing::HasErrorName;

TEST(KinesisJsonTest, ErrorTypesInEveryForm) {
  EXPECT_THAT(
      DecodeError(400, "",
                  R"({"__type":"ResourceNotFoundException","message":"no"})"),
      HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(DecodeError(400, "",
                          R"({"__type":"com.amazonaws.kinesis.v20131202#)"
                          R"(ExpiredIteratorException","Message":"old"})"),
              HasErrorName(ErrorName::kExpiredIteratorException));
  EXPECT_THAT(
      DecodeError(400, "LimitExceededException:http://internal.amazon.com/",
                  ""),
      HasErrorName(ErrorName::kLimitExceededException));
  const absl::Status foreign = DecodeError(
      400, "", R"({"__type":"ThrottlingException","message":"denied"})");
  EXPECT_THAT(foreign, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(std::string(foreign.message()),
              ::testing::HasSubstr("ThrottlingException (HTTP 400): denied"));
  EXPECT_THAT(DecodeError(502, "", "<html>bad gateway</html>"),
              HasErrorName(ErrorName::kInternalFailure));
}

// A GetRecords answer of one record whose ApproximateArrivalTimestamp is
// the JSON text `stamp`.
std::string OneRecordWithArrival(absl::string_view stamp) {
  return absl::StrCat(R"({"Records":[{"SequenceNumber":"5","Data":"eA==",)"
                      R"("PartitionKey":"k","ApproximateArrivalTimestamp":)",
                      stamp,
                      R"(}],"NextShardIterator":"it","MillisBehindLatest":0})");
}

TEST(KinesisJsonTest, TimestampsAsAwsAndBrookdSendThem) {
  for (const char* stamp :
       {"1796031598.107", "1.796031598107E9", "\"1796031598.107\""}) {
    ASSERT_OK_AND_ASSIGN(GetRecordsResult result,
                         DecodeGetRecords(OneRecordWithArrival(stamp)));
    ASSERT_EQ(result.records.size(), 1u) << stamp;
    EXPECT_EQ(
        absl::ToUnixMillis(result.records[0].approximate_arrival_timestamp),
        1796031598107)
        << stamp;
    EXPECT_EQ(result.records[0].data, "x");
  }
}

// A server's timestamp that is no time (beyond 1e11 seconds of 1970) reads
// as the epoch, as an absent or unreadable one does, not as whatever a
// conversion out of int64's range would make of it.
TEST(KinesisJsonTest, TimestampsOutOfRangeReadAsTheEpoch) {
  for (const char* stamp : {"1e30", "-1e30", "\"1e300\""}) {
    ASSERT_OK_AND_ASSIGN(GetRecordsResult result,
                         DecodeGetRecords(OneRecordWithArrival(stamp)));
    ASSERT_EQ(result.records.size(), 1u) << stamp;
    EXPECT_EQ(result.records[0].approximate_arrival_timestamp,
              absl::UnixEpoch())
        << stamp;
  }
}

TEST(KinesisJsonTest, EmptyBodiesAndUnknownMembers) {
  ASSERT_OK_AND_ASSIGN(ListTagsForStreamResult tags, DecodeListTags(""));
  EXPECT_TRUE(tags.tags.empty());
  ASSERT_OK_AND_ASSIGN(
      ListShardsResult shards,
      DecodeListShards(R"({"Shards":[],"SomethingNew":{"x":1}})"));
  EXPECT_TRUE(shards.shards.empty());
  EXPECT_THAT(DecodeListShards("[1,2]"),
              HasErrorName(ErrorName::kInternalFailure));
}

TEST(KinesisJsonTest, PutRecordsFailuresStayPerRecord) {
  ASSERT_OK_AND_ASSIGN(
      PutRecordsResult result,
      DecodePutRecords(
          R"({"FailedRecordCount":1,"Records":[)"
          R"({"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ShardId":"shardId-000000000000"},)"
          R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}]})"));
  EXPECT_EQ(result.failed_record_count, 1);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_OK(result.records[0].status);
  EXPECT_TRUE(result.records[0].sequence_number.is_wide());
  EXPECT_THAT(result.records[1].status,
              HasErrorName(ErrorName::kProvisionedThroughputExceededException));
  EXPECT_EQ(result.records[1].status.message(), "slow down");
}

TEST(KinesisJsonTest, RequestsNameStreamsByNameOrArn) {
  EXPECT_EQ(EncodeStreamOnly("orders"), R"({"StreamName":"orders"})");
  EXPECT_EQ(EncodeStreamOnly("arn:aws:kinesis:us-east-1:1:stream/orders"),
            R"({"StreamARN":"arn:aws:kinesis:us-east-1:1:stream/orders"})");
  PutRecordRequest put;
  put.stream = "s";
  put.partition_key = "k";
  put.data = std::string("\0\1", 2);
  EXPECT_EQ(EncodePutRecord(put),
            R"({"Data":"AAE=","PartitionKey":"k","StreamName":"s"})");
}

}  // namespace
}  // namespace brook::kinesis_json
