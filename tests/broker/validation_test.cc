// The Broker's checks of requests, as a C++ caller meets them: the same
// error names and messages as brookd (ValidationException for what the
// Kinesis API model forbids, InvalidArgumentException for Kinesis' own
// rules and the state), in Kinesis' order: the request before the stream.

#include <string>
#include <utility>

#include "common/uint128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

class ValidationTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 2);
  }
};

TEST_F(ValidationTest, ModelViolations_AreValidationExceptionsInAwsWords) {
  CreateStreamRequest create;
  create.stream_name = "x";
  create.shard_count = 0;
  const absl::Status status = broker().CreateStream(create);
  EXPECT_THAT(status, HasErrorName(ErrorName::kValidationException));
  EXPECT_EQ(status.message(),
            "1 validation error detected: Value '0' at 'shardCount' failed to "
            "satisfy constraint: Member must have value greater than or equal "
            "to 1");

  PutRecordRequest put;
  put.stream = "s";
  put.data = "d";
  EXPECT_THAT(broker().PutRecord(put),
              HasErrorName(ErrorName::kValidationException));

  GetRecordsRequest get;
  get.shard_iterator = "abc";
  get.limit = 0;
  EXPECT_THAT(broker().GetRecords(get),
              HasErrorName(ErrorName::kValidationException));

  PutRecordsRequest none;
  none.stream = "s";
  EXPECT_THAT(broker().PutRecords(none),
              HasErrorName(ErrorName::kValidationException));
}

// Each broken constraint is one violation, however many of the request's
// checks involve the member (AWS's "N validation errors detected").
TEST_F(ValidationTest, ABadStreamName_IsOneViolation) {
  const std::string expected =
      "1 validation error detected: Value 'bad name' at 'streamName' failed "
      "to satisfy constraint: Member must satisfy regular expression "
      "pattern: [a-zA-Z0-9_.-]+";
  PutRecordsRequest puts;
  puts.stream = "bad name";
  puts.records = {{"k", "d"}};
  const absl::Status put_status = broker().PutRecords(puts).status();
  EXPECT_THAT(put_status, HasErrorName(ErrorName::kValidationException));
  EXPECT_EQ(put_status.message(), expected);

  EnhancedMonitoringRequest monitoring;
  monitoring.stream = "bad name";
  monitoring.shard_level_metrics = {"ALL"};
  EXPECT_EQ(broker().EnableEnhancedMonitoring(monitoring).status().message(),
            expected);

  StreamEncryptionRequest encryption;
  encryption.stream = "bad name";
  encryption.key_id = "alias/aws/kinesis";
  EXPECT_EQ(broker().StartStreamEncryption(encryption).message(), expected);

  AddTagsToStreamRequest tags;
  tags.stream = "bad name";
  tags.tags = {{"k", "v"}};
  EXPECT_EQ(broker().AddTagsToStream(tags).message(), expected);
}

TEST_F(ValidationTest, KinesisRules_AreInvalidArgumentExceptions) {
  AddTagsToStreamRequest tags;
  tags.stream = "s";
  tags.tags = {{"abc;def", "1"}};
  EXPECT_THAT(broker().AddTagsToStream(tags),
              HasErrorName(ErrorName::kInvalidArgumentException));
  tags.tags = {{"aws:owner", "1"}};
  EXPECT_THAT(broker().AddTagsToStream(tags),
              HasErrorName(ErrorName::kInvalidArgumentException));

  PutRecordRequest put;
  put.stream = "s";
  put.partition_key = "k";
  put.explicit_hash_key = "340282366920938463463374607431768211456";  // 2^128
  EXPECT_THAT(broker().PutRecord(put),
              HasErrorName(ErrorName::kInvalidArgumentException));

  DescribeStreamSummaryRequest neither;
  EXPECT_THAT(broker().DescribeStreamSummary(neither),
              HasErrorName(ErrorName::kInvalidArgumentException));

  GetShardIteratorRequest latest;
  latest.stream = "s";
  latest.shard_id = "shardId-000000000000";
  latest.shard_iterator_type = ShardIteratorType::kLatest;
  latest.starting_sequence_number = SequenceNumber();
  EXPECT_THAT(broker().GetShardIterator(latest),
              HasErrorName(ErrorName::kInvalidArgumentException));
  latest.starting_sequence_number.reset();
  latest.shard_iterator_type = ShardIteratorType::kAtTimestamp;
  latest.timestamp = clock().Now() + absl::Seconds(1);
  EXPECT_THAT(broker().GetShardIterator(latest),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// A bad argument on a stream that does not exist is reported as the bad
// argument, in every operation.
TEST_F(ValidationTest, TheRequestIsCheckedBeforeTheStream) {
  const std::string missing = "missing";
  AddTagsToStreamRequest tags;
  tags.stream = missing;
  tags.tags = {{std::string(129, 'k'), "v"}};
  EXPECT_THAT(broker().AddTagsToStream(tags),
              HasErrorName(ErrorName::kValidationException));
  RemoveTagsFromStreamRequest untag;
  untag.stream = missing;
  untag.tag_keys = {std::string(129, 'k')};
  EXPECT_THAT(broker().RemoveTagsFromStream(untag),
              HasErrorName(ErrorName::kValidationException));
  ListTagsForStreamRequest list_tags;
  list_tags.stream = missing;
  list_tags.limit = 0;
  EXPECT_THAT(broker().ListTagsForStream(list_tags),
              HasErrorName(ErrorName::kValidationException));
  PutCheckpointRequest checkpoint;
  checkpoint.stream = missing;
  checkpoint.application_name = "has space";
  checkpoint.shard_id = "shardId-000000000000";
  EXPECT_THAT(broker().PutCheckpoint(checkpoint),
              HasErrorName(ErrorName::kValidationException));
  ListStreamConsumersRequest consumers;
  consumers.stream = missing;
  consumers.max_results = 0;
  EXPECT_THAT(broker().ListStreamConsumers(consumers),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().IncreaseStreamRetentionPeriod({missing, 1}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  RegisterStreamConsumerRequest reg;
  reg.stream = missing;
  reg.consumer_name = "a b";
  EXPECT_THAT(broker().RegisterStreamConsumer(reg),
              HasErrorName(ErrorName::kValidationException));
  // Well-formed, the same requests find no stream.
  tags.tags = {{"k", "v"}};
  EXPECT_THAT(broker().AddTagsToStream(tags),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(ValidationTest, ShortShardIds_NameTheCanonicalShard) {
  const PutRecordResult put = Put("s", "k", "v");
  for (const std::string id :
       {"shardId-000000000000", "shardId-0", "0", "000"}) {
    if (put.shard_id != "shardId-000000000000") break;
    EXPECT_EQ(ReadShard("s", id).size(), 1u) << id;
  }
  GetShardIteratorRequest request;
  request.stream = "s";
  request.shard_id = "shardId-1";
  EXPECT_OK(broker().GetShardIterator(request));
  request.shard_id = "shard-1";
  EXPECT_THAT(broker().GetShardIterator(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(ValidationTest, SplitAndMerge_FollowKinesisRules) {
  // Shard 0 owns [0, 2^127 - 1]; a child of one key is refused, as is a
  // split at the ending key.
  const absl::uint128 half = absl::MakeUint128(uint64_t{1} << 63, 0);
  for (const absl::uint128 key :
       {absl::uint128(0), absl::uint128(1), half - 1, half}) {
    SplitShardRequest split{"s", "shardId-000000000000", Uint128ToDecimal(key)};
    EXPECT_THAT(broker().SplitShard(split),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << key;
  }
  EXPECT_OK(broker().SplitShard({"s", "shardId-000000000000", "2"}));
  // Shards 2 [0, 1] and 3 [2, 2^127 - 1]: the lower one first.
  EXPECT_THAT(broker().MergeShards(
                  {"s", "shardId-000000000003", "shardId-000000000002"}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_OK(broker().MergeShards(
      {"s", "shardId-000000000002", "shardId-000000000003"}));
}

TEST_F(ValidationTest, CreateStream_KeepsItsTags) {
  CreateStreamRequest create;
  create.stream_name = "tagged";
  create.tags = {{"team", "data"}, {"tier", ""}};
  ASSERT_OK(broker().CreateStream(create));
  Reopen();
  ListTagsForStreamRequest list;
  list.stream = "tagged";
  ASSERT_OK_AND_ASSIGN(ListTagsForStreamResult tags,
                       broker().ListTagsForStream(list));
  ASSERT_EQ(tags.tags.size(), 2u);
  EXPECT_EQ(tags.tags[0].key, "team");
  EXPECT_EQ(tags.tags[0].value, "data");

  create.stream_name = "bad-tags";
  create.tags = {{"a;b", "c"}};
  EXPECT_THAT(broker().CreateStream(create),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().DescribeStreamSummary({"bad-tags"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(ValidationTest, UpdateMaxRecordSize_AppliesToLaterPutsAndPersists) {
  PutRecordRequest big;
  big.stream = "s";
  big.partition_key = "k";
  big.data = std::string(size_t{1} << 20, 'x');
  EXPECT_THAT(broker().PutRecord(big),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().UpdateMaxRecordSize({"s", 99}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().UpdateMaxRecordSize({"missing", 2048}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK(broker().UpdateMaxRecordSize({"s", 2048}));
  EXPECT_OK(broker().PutRecord(big));
  Reopen();
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.max_record_size_kib, 2048);
  EXPECT_OK(broker().PutRecord(big));
}

TEST_F(ValidationTest, DescribeLimits_ReportsTheShardQuota) {
  ASSERT_OK_AND_ASSIGN(DescribeLimitsResult limits, broker().DescribeLimits());
  EXPECT_EQ(limits.shard_limit, options().max_shards);
  EXPECT_EQ(limits.open_shard_count, 2);
  EXPECT_EQ(limits.on_demand_stream_count, 0);
}

// The AWS CLI sends the StreamCreationTimestamp that DescribeStreamSummary
// printed as whole epoch seconds; Kinesis finds the stream with it.
TEST_F(ValidationTest, StreamCreationTimestamp_MatchesAtThePrecisionGiven) {
  clock().Set(absl::FromUnixMillis(1796031598107));
  CreateStream("precise", 1);
  const absl::Time created = absl::FromUnixMillis(1796031598107);
  ListShardsRequest shards;
  shards.stream = "precise";
  ListStreamConsumersRequest consumers;
  consumers.stream = "precise";
  for (const absl::Time given : {created, absl::FromUnixSeconds(1796031598),
                                 absl::FromUnixMillis(1796031598100)}) {
    shards.stream_creation_timestamp = given;
    consumers.stream_creation_timestamp = given;
    EXPECT_OK(broker().ListShards(shards)) << given;
    EXPECT_OK(broker().ListStreamConsumers(consumers)) << given;
  }
  for (const absl::Time other :
       {absl::FromUnixMillis(1796031598108), absl::FromUnixSeconds(1796031597),
        absl::FromUnixSeconds(1796031599),
        absl::FromUnixMillis(1796031598200)}) {
    shards.stream_creation_timestamp = other;
    consumers.stream_creation_timestamp = other;
    EXPECT_THAT(broker().ListShards(shards),
                HasErrorName(ErrorName::kResourceNotFoundException))
        << other;
    EXPECT_THAT(broker().ListStreamConsumers(consumers),
                HasErrorName(ErrorName::kResourceNotFoundException))
        << other;
  }
}

// AWS's words for the string elements of lists and maps (as kinesalite's
// tests, written against Kinesis, record them): one violation at the list
// or map, with the element shape's rules in brackets.
TEST_F(ValidationTest, ListAndMapElements_AreReportedAtTheirContainer) {
  const std::string long_key(129, 'k');
  RemoveTagsFromStreamRequest untag;
  untag.stream = "s";
  untag.tag_keys = {"a", long_key, "b"};
  EXPECT_EQ(broker().RemoveTagsFromStream(untag).message(),
            "1 validation error detected: Value '[a, " + long_key +
                ", b]' at 'tagKeys' failed to satisfy constraint: Member "
                "must satisfy constraint: [Member must have length less than "
                "or equal to 128, Member must have length greater than or "
                "equal to 1]");
  const std::string long_value(257, 'x');
  AddTagsToStreamRequest tag;
  tag.stream = "s";
  tag.tags = {{"a", "1"}, {"b", "2"}, {"c", long_value}};
  EXPECT_EQ(broker().AddTagsToStream(tag).message(),
            "1 validation error detected: Value '{a=1, b=2, c=" + long_value +
                "}' at 'tags' failed to satisfy constraint: Map value must "
                "satisfy constraint: [Member must have length less than or "
                "equal to 256, Member must have length greater than or equal "
                "to 0]");
  tag.tags = {{"a", "1"}, {long_key, "3"}};
  EXPECT_EQ(broker().AddTagsToStream(tag).message(),
            "1 validation error detected: Value '{a=1, " + long_key +
                "=3}' at 'tags' failed to satisfy constraint: Map keys must "
                "satisfy constraint: [Member must have length less than or "
                "equal to 128, Member must have length greater than or equal "
                "to 1]");
}

// The Kinesis API reference (Tag): "Unicode letters, digits, white space,
// _ . / = + - % @".
TEST_F(ValidationTest, TagCharacters_AreTheDocumentedOnes) {
  AddTagsToStreamRequest tag;
  tag.stream = "s";
  for (const char* text :
       {"a:b", "abc;def", "abc,def", "abc\tdef", "abc\ndef", "a*b", "a#b"}) {
    for (const bool as_key : {true, false}) {
      tag.tags = {as_key ? Tag{text, "v"} : Tag{"k", text}};
      const absl::Status status = broker().AddTagsToStream(tag);
      EXPECT_THAT(status, HasErrorName(ErrorName::kInvalidArgumentException))
          << text;
      EXPECT_EQ(status.message(),
                "Some tags contain invalid characters. Valid characters: "
                "Unicode letters, digits, white space, _ . / = + - % @.");
    }
  }
  tag.tags = {{"Team_1 ./=+-%@", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac 42"}};
  EXPECT_OK(broker().AddTagsToStream(tag));
  RemoveTagsFromStreamRequest untag;
  untag.stream = "s";
  untag.tag_keys = {"a:b"};
  EXPECT_THAT(broker().RemoveTagsFromStream(untag),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// Kinesis' rule that a shard is not merged with itself needs no stream:
// InvalidArgumentException whether the stream exists or not.
TEST_F(ValidationTest, MergeShards_SameShardTwice_IsInvalidEverywhere) {
  for (const std::string stream : {"s", "missing"}) {
    for (const auto& [first, second] :
         {std::pair<std::string, std::string>{"shardId-000000000000",
                                              "shardId-000000000000"},
          {"shardId-0", "0"}}) {
      EXPECT_THAT(broker().MergeShards({stream, first, second}),
                  HasErrorName(ErrorName::kInvalidArgumentException))
          << stream << " " << first << " " << second;
    }
  }
}

// DescribeStream reads a short ExclusiveStartShardId as the canonical id,
// as ListShards and every other shard-id input do.
TEST_F(ValidationTest, DescribeStream_ExclusiveStartShardId_ReadsShortIds) {
  for (const std::string start : {"shardId-000000000000", "shardId-0", "0"}) {
    DescribeStreamRequest describe;
    describe.stream = "s";
    describe.exclusive_start_shard_id = start;
    ASSERT_OK_AND_ASSIGN(StreamDescription description,
                         broker().DescribeStream(describe));
    ASSERT_EQ(description.shards.size(), 1u) << start;
    EXPECT_EQ(description.shards[0].shard_id, "shardId-000000000001");
  }
}

// Kinesis: "Either ConsumerARN or both StreamARN and ConsumerName must be
// provided" (InvalidArgumentException, as for a missing stream).
TEST_F(ValidationTest, ConsumerRef_NamingNoConsumer_IsInvalidArgument) {
  for (const ConsumerRef& ref :
       {ConsumerRef{}, ConsumerRef{"s", "", ""}, ConsumerRef{"", "app", ""}}) {
    EXPECT_THAT(broker().DescribeStreamConsumer(ref),
                HasErrorName(ErrorName::kInvalidArgumentException));
    EXPECT_THAT(broker().DeregisterStreamConsumer(ref),
                HasErrorName(ErrorName::kInvalidArgumentException));
  }
}

TEST_F(ValidationTest, ListShards_StreamCreationTimestampMustMatch) {
  ListShardsRequest list;
  list.stream = "s";
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  list.stream_creation_timestamp = summary.stream_creation_timestamp;
  EXPECT_OK(broker().ListShards(list));
  list.stream_creation_timestamp =
      summary.stream_creation_timestamp - absl::Seconds(1);
  EXPECT_THAT(broker().ListShards(list),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

}  // namespace
}  // namespace brook
