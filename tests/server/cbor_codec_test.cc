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
  EXPECT_EQ(Json(json), Json(R"({"PartitionKey":"a\"\\\u000a"})"));
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

TEST(CborCodecTest, ReadCbor_BlobsAsBytesKeepEveryByteValue) {
  std::string data;
  for (int b = 0; b < 256; ++b) data.push_back(static_cast<char>(b));
  // {"Records": [{"Data": h'00..ff', "PartitionKey": "k"}]}
  const std::string cbor = Bytes({0xa1, 0x67}) + "Records" +
                           Bytes({0x81, 0xa2, 0x64}) + "Data" +
                           Bytes({0x59, 0x01, 0x00}) + data + Bytes({0x6c}) +
                           "PartitionKey" + Bytes({0x61}) + "k";
  ASSERT_OK_AND_ASSIGN(boost::json::value tree,
                       ReadCbor("PutRecordsInput", cbor, BlobForm::kBytes));
  const boost::json::object& record =
      tree.at("Records").as_array().at(0).as_object();
  EXPECT_EQ(record.at("Data").as_string(), data);
  EXPECT_EQ(record.at("PartitionKey"), "k");
  // As base64 text, for JSON.
  ASSERT_OK_AND_ASSIGN(tree,
                       ReadCbor("PutRecordsInput", cbor, BlobForm::kBase64));
  EXPECT_EQ(
      tree.at("Records").as_array().at(0).at("Data").as_string(),
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
      "MzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2Rl"
      "ZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeY"
      "mZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrL"
      "zM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+"
      "/w==");
}

TEST(CborCodecTest, ReadCbor_NestedIndefiniteItemsAndChunks) {
  // {_ "StreamName": (_ "s", "1"), "ShardFilter": {_ "Type": "AT_TIMESTAMP",
  //  "Timestamp": 1(2500)}, "X": [_ [_ ], {}, [1, -2]]}
  const std::string cbor =
      Bytes({0xbf, 0x6a}) + "StreamName" + Bytes({0x7f, 0x61}) + "s" +
      Bytes({0x61}) + "1" + Bytes({0xff, 0x6b}) + "ShardFilter" +
      Bytes({0xbf, 0x64}) + "Type" + Bytes({0x6c}) + "AT_TIMESTAMP" +
      Bytes({0x69}) + "Timestamp" + Bytes({0xc1, 0x19, 0x09, 0xc4, 0xff}) +
      Bytes({0x61}) + "X" +
      Bytes({0x9f, 0x9f, 0xff, 0xa0, 0x82, 0x01, 0x21, 0xff, 0xff});
  ASSERT_OK_AND_ASSIGN(boost::json::value tree,
                       ReadCbor("ListShardsInput", cbor, BlobForm::kBytes));
  EXPECT_EQ(tree,
            Json(R"({"StreamName":"s1","ShardFilter":{"Type":)"
                 R"("AT_TIMESTAMP","Timestamp":2.5},"X":[[],{},[1,-2]]})"));
}

TEST(CborCodecTest, ReadCbor_RefusesWhatTheTreeCannotHold) {
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += Bytes({0x81});
  deep += Bytes({0x00});
  for (const std::string& bad : {
           deep,  // Nested too deep.
           Bytes({0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
           Bytes({0xf9, 0x7c, 0x00}),        // Infinity.
           Bytes({0xa1, 0x41, 0x61, 0x01}),  // A key in bytes.
           Bytes({0xbf, 0x61, 0x61, 0xff}),  // A key alone.
           Bytes({0x5f, 0x61, 0x61, 0xff}),  // A text chunk in bytes.
           Bytes({0x82, 0x01, 0xff}),        // A break in a definite.
           // Items inside chunked strings that are not chunks: each would
           // leave a value behind that the enclosing map does not count.
           Bytes({0xa1, 0x61, 0x61, 0x7f, 0x00, 0x61, 0x62, 0xff}),
           Bytes({0xa1, 0x61, 0x61, 0x7f, 0x80, 0xff}),
           Bytes({0xa1, 0x61, 0x61, 0x5f, 0xf6, 0xff}),
           Bytes({0x7f, 0xa0, 0xff}),
       }) {
    EXPECT_THAT(ReadCbor("", bad, BlobForm::kBytes).status(),
                testing::HasErrorName(ErrorName::kSerializationException));
  }
  std::string shallow;
  for (int i = 0; i < 64; ++i) shallow += Bytes({0x81});
  shallow += Bytes({0x00});
  EXPECT_OK(ReadCbor("", shallow, BlobForm::kBytes));
}

TEST(CborCodecTest, WriteCbor_WritesTheTreeDirectly) {
  // The error shape: no model shape, definite-length map of text.
  ASSERT_OK_AND_ASSIGN(
      std::string cbor,
      WriteCbor("", Json(R"({"__type":"SerializationException"})")));
  EXPECT_EQ(cbor, Bytes({0xa1, 0x66}) + "__type" + Bytes({0x76}) +
                      "SerializationException");
  EXPECT_THAT(WriteCbor("GetRecordsOutput",
                        Json(R"({"Records":[{"Data":"not base64"}]})"))
                  .status(),
              testing::HasErrorName(ErrorName::kInternalFailure));
}

TEST(CborCodecTest, ShapesOfOperations) {
  EXPECT_EQ(InputShapeOf("PutRecord"), "PutRecordInput");
  EXPECT_EQ(OutputShapeOf("GetRecords"), "GetRecordsOutput");
  EXPECT_EQ(InputShapeOf("NoSuchOperation"), "");
}

}  // namespace
}  // namespace brook
