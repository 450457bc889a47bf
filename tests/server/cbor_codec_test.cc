// The CBOR form of the Kinesis protocol, byte by byte, as the Java SDK v2
// writes and reads it: blobs as byte strings, timestamps as tag 1 and epoch
// milliseconds, maps of definite and indefinite length.

#include "server/cbor_codec.h"

#include <string>

#include "boost/json/parse.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

boost::json::value Json(const std::string& text) {
  return boost::json::parse(text);
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(CborCodecTest, CborToJson_BlobsBecomeBase64AndMillisecondsSeconds) {
  // {_ "Data": h'00ff', "Timestamp": 1(1500), "ShardId": "s"} with an
  // indefinite-length map, as the Java SDK's Jackson writer makes it.
  const std::string cbor = Bytes({0xbf, 0x64}) + "Data" +
                           Bytes({0x42, 0x00, 0xff, 0x69}) + "Timestamp" +
                           Bytes({0xc1, 0x19, 0x05, 0xdc, 0x67}) + "ShardId" +
                           Bytes({0x61}) + "s" + Bytes({0xff});
  ASSERT_OK_AND_ASSIGN(std::string json,
                       CborToJson("GetShardIteratorInput", cbor));
  EXPECT_EQ(Json(json), Json(R"({"Data":"AP8=","Timestamp":1.5,)"
                             R"("ShardId":"s"})"));
}

TEST(CborCodecTest, CborToJson_FloatingPointTimestampsAreSeconds) {
  // {"Timestamp": 1(1.5)}: RFC 8949's epoch seconds.
  const std::string cbor =
      Bytes({0xa1, 0x69}) + "Timestamp" + Bytes({0xc1, 0xf9, 0x3e, 0x00});
  ASSERT_OK_AND_ASSIGN(std::string json,
                       CborToJson("GetShardIteratorInput", cbor));
  EXPECT_EQ(Json(json), Json(R"({"Timestamp":1.5})"));
}

TEST(CborCodecTest, CborToJson_IntegersOutsideTimestampsStayIntegers) {
  // {"ShardCount": 2, "StreamName": "s"}
  const std::string cbor = Bytes({0xa2, 0x6a}) + "ShardCount" +
                           Bytes({0x02, 0x6a}) + "StreamName" + Bytes({0x61}) +
                           "s";
  ASSERT_OK_AND_ASSIGN(std::string json, CborToJson("CreateStreamInput", cbor));
  EXPECT_EQ(Json(json), Json(R"({"ShardCount":2,"StreamName":"s"})"));
}

TEST(CborCodecTest, CborToJson_EscapesTextAndJoinsChunks) {
  // {"PartitionKey": (_ "a\"", "\\\n")}: a chunked text string.
  const std::string cbor = Bytes({0xa1, 0x6c}) + "PartitionKey" +
                           Bytes({0x7f, 0x62}) + "a\"" + Bytes({0x62}) +
                           "\\\n" + Bytes({0xff});
  ASSERT_OK_AND_ASSIGN(std::string json, CborToJson("PutRecordInput", cbor));
  EXPECT_EQ(json, R"({"PartitionKey":"a\"\\\u000a"})");
}

TEST(CborCodecTest, CborToJson_MalformedIsASerializationException) {
  for (const std::string& bad :
       {Bytes({0xa1, 0x61}), Bytes({0xa1, 0x01, 0x02}),  // Cut; int key.
        Bytes({0xa0, 0xa0}), std::string()}) {           // Two items; none.
    EXPECT_THAT(CborToJson("PutRecordInput", bad).status(),
                testing::HasErrorName(ErrorName::kSerializationException));
  }
}

TEST(CborCodecTest, JsonToCbor_BlobsAreByteStringsAndTimestampsTaggedMillis) {
  ASSERT_OK_AND_ASSIGN(std::string cbor,
                       JsonToCbor("GetRecordsOutput",
                                  R"({"Records":[{"Data":"AP8=",)"
                                  R"("ApproximateArrivalTimestamp":1.5}]})"));
  EXPECT_EQ(cbor, Bytes({0xa1, 0x67}) + "Records" + Bytes({0x81, 0xa2, 0x64}) +
                      "Data" + Bytes({0x42, 0x00, 0xff, 0x78, 0x1b}) +
                      "ApproximateArrivalTimestamp" +
                      Bytes({0xc1, 0x19, 0x05, 0xdc}));
}

TEST(CborCodecTest, RoundTrip_KeepsEveryMember) {
  const std::string json =
      R"({"StreamDescriptionSummary":{"StreamName":"s","OpenShardCount":2,)"
      R"("StreamCreationTimestamp":1700000000.25,"EncryptionType":"NONE",)"
      R"("EnhancedMonitoring":[{"ShardLevelMetrics":[]}]}})";
  ASSERT_OK_AND_ASSIGN(std::string cbor,
                       JsonToCbor("DescribeStreamSummaryOutput", json));
  ASSERT_OK_AND_ASSIGN(std::string back,
                       CborToJson("DescribeStreamSummaryOutput", cbor));
  EXPECT_EQ(Json(back), Json(json));
}

TEST(CborCodecTest, ShapesOfOperations) {
  EXPECT_EQ(InputShapeOf("PutRecord"), "PutRecordInput");
  EXPECT_EQ(OutputShapeOf("GetRecords"), "GetRecordsOutput");
  EXPECT_EQ(InputShapeOf("NoSuchOperation"), "");
}

}  // namespace
}  // namespace brook
