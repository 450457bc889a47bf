// Control plane: creating, deleting, describing and listing streams.

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::SizeIs;

class StreamsTest : public testing::BrokerTest {
 protected:
  void SetUp() override { Open(); }

  absl::Status Create(const std::string& name, int shards,
                      int max_record_size_kib = 1024) {
    CreateStreamRequest request;
    request.stream_name = name;
    request.shard_count = shards;
    request.options.max_record_size_kib = max_record_size_kib;
    return broker().CreateStream(request);
  }

  std::vector<std::string> ShardIds(const std::vector<Shard>& shards) {
    std::vector<std::string> ids;
    for (const Shard& shard : shards) ids.push_back(shard.shard_id);
    return ids;
  }
};

TEST_F(StreamsTest, CreateStream_DescribesShardsAsKinesis) {
  ASSERT_OK(Create("orders", 2));
  DescribeStreamRequest request;
  request.stream = "orders";
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream(request));
  EXPECT_EQ(description.stream_name, "orders");
  EXPECT_EQ(description.stream_arn,
            "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_EQ(description.stream_status, StreamStatus::kActive);
  EXPECT_EQ(StreamStatusToString(description.stream_status), "ACTIVE");
  EXPECT_EQ(description.retention_period_hours, 24);
  EXPECT_EQ(description.stream_creation_timestamp, clock().Now());
  EXPECT_FALSE(description.has_more_shards);
  ASSERT_THAT(description.shards, SizeIs(2));
  EXPECT_EQ(description.shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(description.shards[1].shard_id, "shardId-000000000001");
  EXPECT_EQ(description.shards[1].hash_key_range.starting_hash_key,
            absl::MakeUint128(uint64_t{1} << 63, 0));
  EXPECT_EQ(description.shards[1].hash_key_range.ending_hash_key,
            absl::Uint128Max());
  EXPECT_TRUE(description.shards[0].parent_shard_id.empty());
  EXPECT_FALSE(description.shards[0]
                   .sequence_number_range.ending_sequence_number.has_value());
}

TEST_F(StreamsTest, CreateStream_RejectsBadNames) {
  for (const std::string& name :
       {std::string(), std::string(129, 'a'), std::string("has space"),
        std::string("slash/name"), std::string("ünïcode")}) {
    EXPECT_THAT(Create(name, 1), HasErrorName(ErrorName::kValidationException))
        << name;
  }
  EXPECT_OK(Create(std::string(128, 'a'), 1));
  EXPECT_OK(Create("a-Z_0.9", 1));
}

TEST_F(StreamsTest, CreateStream_RejectsBadShardCountAndRecordSize) {
  EXPECT_THAT(Create("s", 0), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Create("s", -3), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Create("s", 1, 1023),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Create("s", 1, 10241),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_OK(Create("s", 1, 10240));
}

TEST_F(StreamsTest, CreateStream_ExistingNameIsInUse) {
  ASSERT_OK(Create("orders", 1));
  EXPECT_THAT(Create("orders", 3),
              HasErrorName(ErrorName::kResourceInUseException));
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"orders"}));
  EXPECT_EQ(summary.open_shard_count, 1);
}

TEST_F(StreamsTest, CreateStream_ShardLimitIsLimitExceeded) {
  options().max_shards = 5;
  Reopen();
  ASSERT_OK(Create("a", 3));
  EXPECT_THAT(Create("b", 3), HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_OK(Create("c", 2));
  // Deleting frees the shards.
  ASSERT_OK(broker().DeleteStream({"a"}));
  EXPECT_OK(Create("b", 3));
}

TEST_F(StreamsTest, DeleteStream_RemovesDataForGood) {
  CreateStream("orders", 1);
  Put("orders", "k", "old record");
  const std::string old_iterator = Iterator("orders", "shardId-000000000000",
                                            ShardIteratorType::kTrimHorizon);
  ASSERT_OK(broker().DeleteStream({"orders"}));
  EXPECT_THAT(broker().DescribeStream({"orders"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().DeleteStream({"orders"}),
              HasErrorName(ErrorName::kResourceNotFoundException));

  CreateStream("orders", 1);
  EXPECT_THAT(ReadShard("orders", "shardId-000000000000"), SizeIs(0));
  GetRecordsRequest get;
  get.shard_iterator = old_iterator;
  EXPECT_THAT(broker().GetRecords(get),
              HasErrorName(ErrorName::kResourceNotFoundException));
  // Still gone after a restart.
  Reopen();
  EXPECT_THAT(ReadShard("orders", "shardId-000000000000"), SizeIs(0));
}

TEST_F(StreamsTest, DeleteStream_NewStreamNeverReusesSequenceNumbers) {
  CreateStream("orders", 1);
  const SequenceNumber old_number = Put("orders", "k", "a").sequence_number;
  ASSERT_OK(broker().DeleteStream({"orders"}));
  CreateStream("orders", 1);
  EXPECT_GT(Put("orders", "k", "b").sequence_number, old_number);
}

TEST_F(StreamsTest, StreamsAreAddressableByArn) {
  CreateStream("orders", 1);
  const std::string arn =
      "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
  EXPECT_OK(broker().DescribeStreamSummary({arn}));
  EXPECT_THAT(broker().DescribeStreamSummary(
                  {"arn:aws:kinesis:eu-west-1:000000000000:stream/orders"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().DescribeStreamSummary({"bad name!"}),
              HasErrorName(ErrorName::kValidationException));
  ASSERT_OK(broker().DeleteStream({arn}));
}

TEST_F(StreamsTest, Reopen_RestoresStreamsAndShards) {
  CreateStream("a", 3);
  CreateStream("b", 1);
  Reopen();
  ASSERT_OK_AND_ASSIGN(ListStreamsResult list, broker().ListStreams({}));
  EXPECT_THAT(list.stream_names, ElementsAre("a", "b"));
  ListShardsRequest request;
  request.stream = "a";
  ASSERT_OK_AND_ASSIGN(ListShardsResult shards, broker().ListShards(request));
  EXPECT_THAT(ShardIds(shards.shards),
              ElementsAre("shardId-000000000000", "shardId-000000000001",
                          "shardId-000000000002"));
  EXPECT_THAT(Create("a", 1), HasErrorName(ErrorName::kResourceInUseException));
}

TEST_F(StreamsTest, ListStreams_PaginatesWithTokensAndStartNames) {
  for (const char* name : {"d", "a", "c", "b"}) CreateStream(name, 1);
  ListStreamsRequest request;
  request.limit = 2;
  ASSERT_OK_AND_ASSIGN(ListStreamsResult page, broker().ListStreams(request));
  EXPECT_THAT(page.stream_names, ElementsAre("a", "b"));
  EXPECT_TRUE(page.has_more_streams);
  ASSERT_THAT(page.stream_summaries, SizeIs(2));
  EXPECT_EQ(page.stream_summaries[1].stream_arn,
            "arn:aws:kinesis:us-east-1:000000000000:stream/b");

  request.next_token = page.next_token;
  ASSERT_OK_AND_ASSIGN(page, broker().ListStreams(request));
  EXPECT_THAT(page.stream_names, ElementsAre("c", "d"));
  EXPECT_FALSE(page.has_more_streams);
  EXPECT_TRUE(page.next_token.empty());

  ListStreamsRequest by_name;
  by_name.exclusive_start_stream_name = "b";
  ASSERT_OK_AND_ASSIGN(page, broker().ListStreams(by_name));
  EXPECT_THAT(page.stream_names, ElementsAre("c", "d"));
}

TEST_F(StreamsTest, ListStreams_RejectsBadLimitsAndTokens) {
  CreateStream("a", 1);
  CreateStream("b", 1);
  ListStreamsRequest request;
  request.limit = 0;
  EXPECT_THAT(broker().ListStreams(request),
              HasErrorName(ErrorName::kValidationException));
  request.limit = 10001;
  EXPECT_THAT(broker().ListStreams(request),
              HasErrorName(ErrorName::kValidationException));

  request.limit = 1;
  ASSERT_OK_AND_ASSIGN(ListStreamsResult page, broker().ListStreams(request));
  request.next_token = page.next_token;
  request.exclusive_start_stream_name = "a";
  EXPECT_THAT(broker().ListStreams(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.exclusive_start_stream_name.clear();
  request.next_token = "forged";
  EXPECT_THAT(broker().ListStreams(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.next_token = page.next_token;
  clock().Advance(absl::Seconds(301));
  EXPECT_THAT(broker().ListStreams(request),
              HasErrorName(ErrorName::kExpiredNextTokenException));
}

TEST_F(StreamsTest, ListShards_PaginatesAndExpiresTokens) {
  CreateStream("s", 5);
  ListShardsRequest request;
  request.stream = "s";
  request.max_results = 2;
  ASSERT_OK_AND_ASSIGN(ListShardsResult page, broker().ListShards(request));
  EXPECT_THAT(ShardIds(page.shards),
              ElementsAre("shardId-000000000000", "shardId-000000000001"));
  ASSERT_FALSE(page.next_token.empty());

  ListShardsRequest next;
  next.next_token = page.next_token;
  next.max_results = 2;
  ASSERT_OK_AND_ASSIGN(page, broker().ListShards(next));
  EXPECT_THAT(ShardIds(page.shards),
              ElementsAre("shardId-000000000002", "shardId-000000000003"));
  next.next_token = page.next_token;
  next.max_results = 100;
  ASSERT_OK_AND_ASSIGN(page, broker().ListShards(next));
  EXPECT_THAT(ShardIds(page.shards), ElementsAre("shardId-000000000004"));
  EXPECT_TRUE(page.next_token.empty());

  ListShardsRequest after;
  after.stream = "s";
  after.exclusive_start_shard_id = "shardId-000000000003";
  ASSERT_OK_AND_ASSIGN(page, broker().ListShards(after));
  EXPECT_THAT(ShardIds(page.shards), ElementsAre("shardId-000000000004"));

  request.max_results = 1;
  ASSERT_OK_AND_ASSIGN(page, broker().ListShards(request));
  next.next_token = page.next_token;
  clock().Advance(absl::Seconds(301));
  EXPECT_THAT(broker().ListShards(next),
              HasErrorName(ErrorName::kExpiredNextTokenException));
}

TEST_F(StreamsTest, ListShards_RejectsBadArguments) {
  CreateStream("s", 2);
  ListShardsRequest request;
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.stream = "missing";
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
  request.stream = "s";
  request.max_results = 0;
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kValidationException));
  request.max_results = 1;
  ASSERT_OK_AND_ASSIGN(ListShardsResult page, broker().ListShards(request));
  request.next_token = page.next_token;
  EXPECT_THAT(broker().ListShards(request),
              HasErrorName(ErrorName::kInvalidArgumentException));

  // A next token of a deleted stream.
  ListShardsRequest next;
  next.next_token = page.next_token;
  ASSERT_OK(broker().DeleteStream({"s"}));
  EXPECT_THAT(broker().ListShards(next),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(StreamsTest, DescribeStream_PagesAtOneHundredShards) {
  CreateStream("wide", 150);
  DescribeStreamRequest request;
  request.stream = "wide";
  request.limit = 10000;
  ASSERT_OK_AND_ASSIGN(StreamDescription page,
                       broker().DescribeStream(request));
  EXPECT_THAT(page.shards, SizeIs(100));
  EXPECT_TRUE(page.has_more_shards);
  request.exclusive_start_shard_id = page.shards.back().shard_id;
  ASSERT_OK_AND_ASSIGN(page, broker().DescribeStream(request));
  EXPECT_THAT(page.shards, SizeIs(50));
  EXPECT_FALSE(page.has_more_shards);
  request.limit = 0;
  EXPECT_THAT(broker().DescribeStream(request),
              HasErrorName(ErrorName::kValidationException));
}

TEST_F(StreamsTest, Close_LaterCallsFailCleanly) {
  CreateStream("s", 1);
  ASSERT_OK(broker().Close());
  EXPECT_OK(broker().Close());
  EXPECT_THAT(broker().DescribeStreamSummary({"s"}),
              HasErrorName(ErrorName::kInternalFailure));
  PutRecordRequest put;
  put.stream = "s";
  put.partition_key = "k";
  EXPECT_THAT(broker().PutRecord(put),
              HasErrorName(ErrorName::kInternalFailure));
  Reopen();
}

}  // namespace
}  // namespace brook

namespace brook {
namespace {

class TagsTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  std::vector<std::string> Keys(const std::string& start = "", int limit = 50) {
    ListTagsForStreamRequest list;
    list.stream = "s";
    list.exclusive_start_tag_key = start;
    list.limit = limit;
    absl::StatusOr<ListTagsForStreamResult> result =
        broker().ListTagsForStream(list);
    EXPECT_OK(result);
    std::vector<std::string> keys;
    if (result.ok()) {
      for (const Tag& tag : result->tags) keys.push_back(tag.key);
    }
    return keys;
  }
};

TEST_F(TagsTest, AddListRemoveAcrossReopen) {
  ASSERT_OK(broker().AddTagsToStream({"s", {{"team", "a"}, {"env", "dev"}}}));
  ASSERT_OK(broker().AddTagsToStream({"s", {{"team", "b"}}}));  // Replaces.
  Reopen();
  ListTagsForStreamRequest list;
  list.stream = "s";
  list.limit = 1;
  ASSERT_OK_AND_ASSIGN(ListTagsForStreamResult page,
                       broker().ListTagsForStream(list));
  ASSERT_EQ(page.tags.size(), 1u);
  EXPECT_EQ(page.tags[0].key, "env");
  EXPECT_TRUE(page.has_more_tags);
  EXPECT_THAT(Keys("env"), ::testing::ElementsAre("team"));
  ASSERT_OK(broker().RemoveTagsFromStream({"s", {"env", "absent"}}));
  EXPECT_THAT(Keys(), ::testing::ElementsAre("team"));
}

TEST_F(TagsTest, RejectsBadTagsAndMoreThanFiftyChangingNothing) {
  using ::brook::testing::HasErrorName;
  EXPECT_THAT(broker().AddTagsToStream({"s", {}}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().AddTagsToStream({"s", {{"", "v"}}}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().AddTagsToStream({"s", {{"aws:owner", "v"}}}),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().AddTagsToStream({"s", {{"k", std::string(257, 'v')}}}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().AddTagsToStream({"missing", {{"k", "v"}}}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  std::vector<Tag> forty;
  for (int i = 0; i < 40; ++i) forty.push_back({absl::StrCat("k", i), ""});
  ASSERT_OK(broker().AddTagsToStream({"s", forty}));
  std::vector<Tag> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back({absl::StrCat("x", i), ""});
  EXPECT_THAT(broker().AddTagsToStream({"s", eleven}),
              HasErrorName(ErrorName::kLimitExceededException));
  EXPECT_EQ(Keys().size(), 40u);
  EXPECT_THAT(broker().RemoveTagsFromStream({"s", {}}),
              HasErrorName(ErrorName::kValidationException));
  ListTagsForStreamRequest list;
  list.stream = "s";
  list.limit = 51;
  EXPECT_THAT(broker().ListTagsForStream(list),
              HasErrorName(ErrorName::kValidationException));
}

TEST_F(TagsTest, DeleteStreamDeletesItsTags) {
  ASSERT_OK(broker().AddTagsToStream({"s", {{"team", "a"}}}));
  ASSERT_OK(broker().DeleteStream({"s"}));
  CreateStream("s", 1);
  EXPECT_THAT(Keys(), ::testing::IsEmpty());
  Reopen();
  EXPECT_THAT(Keys(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace brook
