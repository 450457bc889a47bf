// The generated table of the Kinesis API model: spot checks against the
// model's published facts, and that every pattern is one RE2 can run.

#include "schema/kinesis_shapes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace brook::schema {
namespace {

TEST(KinesisShapesTest, Operations_HoldTheCurrentApi) {
  // The 45 operations of the AWS SDK for JavaScript v3 (3.1143), which the
  // table must include whatever newer model it was generated from.
  for (const char* name : {"AddTagsToStream",
                           "CreateChannel",
                           "CreateStream",
                           "DecreaseStreamRetentionPeriod",
                           "DeleteChannel",
                           "DeleteResourcePolicy",
                           "DeleteStream",
                           "DeregisterStreamConsumer",
                           "DescribeAccountSettings",
                           "DescribeChannel",
                           "DescribeLimits",
                           "DescribeStream",
                           "DescribeStreamConsumer",
                           "DescribeStreamSummary",
                           "DisableEnhancedMonitoring",
                           "EnableEnhancedMonitoring",
                           "GetRecords",
                           "GetResourcePolicy",
                           "GetShardIterator",
                           "IncreaseStreamRetentionPeriod",
                           "ListChannels",
                           "ListShards",
                           "ListStreamConsumers",
                           "ListStreams",
                           "ListTagsForResource",
                           "ListTagsForStream",
                           "MergeShards",
                           "PutRecord",
                           "PutRecords",
                           "PutResourcePolicy",
                           "RegisterStreamConsumer",
                           "RemoveTagsFromStream",
                           "SplitShard",
                           "StartStreamEncryption",
                           "StopStreamEncryption",
                           "SubscribeToShard",
                           "TagResource",
                           "UntagResource",
                           "UpdateAccountSettings",
                           "UpdateChannel",
                           "UpdateMaxRecordSize",
                           "UpdateShardCount",
                           "UpdateStreamMode",
                           "UpdateStreamRecordDistributionStrategy",
                           "UpdateStreamWarmThroughput"}) {
    const Operation* operation = FindOperation(name);
    ASSERT_NE(operation, nullptr) << name;
    EXPECT_NE(operation->input, kNoShape) << name;
  }
  EXPECT_EQ(FindOperation("Frobnicate"), nullptr);
  EXPECT_GE(Operations().size(), 45u);
}

TEST(KinesisShapesTest, PutRecordInput_HasTheModelsConstraints) {
  const Operation* put = FindOperation("PutRecord");
  ASSERT_NE(put, nullptr);
  const Shape& input = ShapeAt(put->input);
  EXPECT_EQ(input.type, ShapeType::kStructure);

  const Member* data = FindMember(input, "Data");
  ASSERT_NE(data, nullptr);
  EXPECT_TRUE(data->required);
  EXPECT_EQ(ShapeAt(data->shape).type, ShapeType::kBlob);
  EXPECT_EQ(ShapeAt(data->shape).max, 10485760);

  // Optional since the model has record distribution strategies; a
  // provisioned stream still needs one (a rule of Kinesis, not the model).
  const Member* key = FindMember(input, "PartitionKey");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(ShapeAt(key->shape).min, 1);
  EXPECT_EQ(ShapeAt(key->shape).max, 256);

  const Member* hash = FindMember(input, "ExplicitHashKey");
  ASSERT_NE(hash, nullptr);
  EXPECT_FALSE(hash->required);
  EXPECT_EQ(ShapeAt(hash->shape).pattern, "^(0|([1-9]\\d{0,38}))$");

  const Member* name = FindMember(input, "StreamName");
  ASSERT_NE(name, nullptr);
  EXPECT_FALSE(name->required);
  EXPECT_EQ(ShapeAt(name->shape).pattern, "[a-zA-Z0-9_.-]+");
}

TEST(KinesisShapesTest, ShapeTypes_ServeEncodingToo) {
  const Shape& record = *FindShape("Record");
  EXPECT_EQ(
      ShapeAt(FindMember(record, "ApproximateArrivalTimestamp")->shape).type,
      ShapeType::kTimestamp);
  EXPECT_EQ(ShapeAt(FindMember(record, "Data")->shape).type, ShapeType::kBlob);
  const Shape& output = ShapeAt(FindOperation("GetRecords")->output);
  EXPECT_EQ(ShapeAt(FindMember(output, "MillisBehindLatest")->shape).type,
            ShapeType::kLong);
  EXPECT_EQ(ShapeAt(FindMember(output, "Records")->shape).type,
            ShapeType::kList);
  const Shape& tags = *FindShape("TagMap");
  EXPECT_EQ(tags.type, ShapeType::kMap);
  EXPECT_EQ(ShapeAt(tags.key).name, "TagKey");
  EXPECT_EQ(ShapeAt(tags.element).name, "TagValue");
  EXPECT_THAT(
      EnumValuesOf(*FindShape("ShardIteratorType")),
      ::testing::ElementsAre("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER",
                             "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"));
  EXPECT_EQ(FindOperation("AddTagsToStream")->output, kNoShape);
  EXPECT_TRUE(
      ShapeAt(FindMember(ShapeAt(FindOperation("SubscribeToShard")->output),
                         "EventStream")
                  ->shape)
          .event_stream);
}

TEST(KinesisShapesTest, EveryPattern_CompilesInRe2) {
  for (const Shape& shape : Shapes()) {
    if (shape.pattern.empty()) continue;
    RE2 re(re2::StringPiece(shape.pattern.data(), shape.pattern.size()));
    EXPECT_TRUE(re.ok()) << shape.name << ": " << shape.pattern;
  }
}

}  // namespace
}  // namespace brook::schema
