// The remote Broker against Kinesis servers that Brook did not write
// (kinesalite, kinesis-mock), for the operations they implement: create,
// put, put-batch, iterators, get, split, merge and errors. The endpoint
// comes from BROOK_PEER_ENDPOINT and the server's name from BROOK_PEER_NAME
// (see foreign_peers_test.sh, which starts each server); without the
// endpoint the suite is skipped.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/broker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/brookd_process.h"
#include "testing/status_matchers.h"
#include "testing/subscription_recorder.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::SizeIs;

// Whether the server under test is `name` (BROOK_PEER_NAME).
bool PeerIs(const char* name) {
  const char* peer = std::getenv("BROOK_PEER_NAME");
  return peer != nullptr && std::string(peer) == name;
}

class ForeignPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("BROOK_PEER_ENDPOINT");
    if (endpoint == nullptr) GTEST_SKIP() << "BROOK_PEER_ENDPOINT is not set";
    ConnectOptions options = testing::TestConnectOptions();
    options.backoff_base = absl::Milliseconds(50);
    options.wait_poll_interval = absl::Milliseconds(100);
    options.wait_timeout = absl::Seconds(30);
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Connect(options, endpoint));
    stream_ = absl::StrCat("peer-", absl::ToUnixNanos(absl::Now()));
  }

  Broker& broker() { return *broker_; }

  void Create(int shards) {
    CreateStreamRequest request;
    request.stream_name = stream_;
    request.shard_count = shards;
    ASSERT_OK(broker().CreateStream(request));
  }

  std::vector<Record> ReadShard(const std::string& shard_id) {
    GetShardIteratorRequest get;
    get.stream = stream_;
    get.shard_id = shard_id;
    get.shard_iterator_type = ShardIteratorType::kTrimHorizon;
    absl::StatusOr<GetShardIteratorResult> iterator =
        broker().GetShardIterator(get);
    EXPECT_OK(iterator);
    std::vector<Record> records;
    if (!iterator.ok()) return records;
    std::string next = iterator->shard_iterator;
    for (int i = 0; i < 10 && !next.empty(); ++i) {
      absl::StatusOr<GetRecordsResult> read = broker().GetRecords({next, 100});
      EXPECT_OK(read);
      if (!read.ok() || read->records.empty()) break;
      records.insert(records.end(), read->records.begin(), read->records.end());
      next = read->next_shard_iterator;
    }
    return records;
  }

  std::unique_ptr<Broker> broker_;
  std::string stream_;
};

TEST_F(ForeignPeerTest, CreateDescribeDelete) {
  Create(2);
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream({stream_, 100, ""}));
  EXPECT_EQ(description.stream_status, StreamStatus::kActive);
  EXPECT_THAT(description.shards, SizeIs(2));
  CreateStreamRequest again;
  again.stream_name = stream_;
  EXPECT_THAT(broker().CreateStream(again),
              HasErrorName(ErrorName::kResourceInUseException));
  ASSERT_OK(broker().DeleteStream({stream_, false}));
  EXPECT_THAT(broker().DescribeStream({stream_, 100, ""}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(ForeignPeerTest, PutAndGetKeepOrderAndBytes) {
  Create(1);
  std::vector<SequenceNumber> numbers;
  for (int i = 0; i < 5; ++i) {
    PutRecordRequest put;
    put.stream = stream_;
    put.partition_key = "key";
    put.data = absl::StrCat("record-", i, std::string("\0\xff", 2));
    ASSERT_OK_AND_ASSIGN(PutRecordResult result, broker().PutRecord(put));
    numbers.push_back(result.sequence_number);
  }
  PutRecordsRequest batch;
  batch.stream = stream_;
  for (int i = 5; i < 10; ++i) {
    batch.records.push_back(
        {"key", absl::StrCat("record-", i, std::string("\0\xff", 2)), ""});
  }
  ASSERT_OK_AND_ASSIGN(PutRecordsResult put_batch, broker().PutRecords(batch));
  EXPECT_EQ(put_batch.failed_record_count, 0);
  for (const PutRecordsResultEntry& entry : put_batch.records) {
    numbers.push_back(entry.sequence_number);
  }
  const std::vector<Record> records = ReadShard("shardId-000000000000");
  ASSERT_THAT(records, SizeIs(10));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(records[i].data,
              absl::StrCat("record-", i, std::string("\0\xff", 2)));
    EXPECT_EQ(records[i].sequence_number, numbers[i]);
    if (i > 0) {
      EXPECT_LT(numbers[i - 1], numbers[i]);
    }
  }
  // AFTER_SEQUENCE_NUMBER with a number the server made (56 digits on
  // these servers, as on Kinesis).
  GetShardIteratorRequest after;
  after.stream = stream_;
  after.shard_id = "shardId-000000000000";
  after.shard_iterator_type = ShardIteratorType::kAfterSequenceNumber;
  after.starting_sequence_number = numbers[8];
  ASSERT_OK_AND_ASSIGN(GetShardIteratorResult iterator,
                       broker().GetShardIterator(after));
  ASSERT_OK_AND_ASSIGN(GetRecordsResult read,
                       broker().GetRecords({iterator.shard_iterator, 10}));
  ASSERT_THAT(read.records, SizeIs(1));
  EXPECT_EQ(read.records[0].sequence_number, numbers[9]);
}

TEST_F(ForeignPeerTest, SplitThenMerge) {
  Create(1);
  SplitShardRequest split;
  split.stream = stream_;
  split.shard_to_split = "shardId-000000000000";
  split.new_starting_hash_key = "170141183460469231731687303715884105728";
  ASSERT_OK(broker().SplitShard(split));
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream({stream_, 100, ""}));
  ASSERT_THAT(description.shards, SizeIs(3));
  EXPECT_EQ(description.shards[1].parent_shard_id, "shardId-000000000000");
  MergeShardsRequest merge;
  merge.stream = stream_;
  merge.shard_to_merge = description.shards[1].shard_id;
  merge.adjacent_shard_to_merge = description.shards[2].shard_id;
  ASSERT_OK(broker().MergeShards(merge));
  ASSERT_OK_AND_ASSIGN(description,
                       broker().DescribeStream({stream_, 100, ""}));
  ASSERT_THAT(description.shards, SizeIs(4));
  EXPECT_EQ(description.shards[3].adjacent_parent_shard_id,
            description.shards[2].shard_id);
}

TEST_F(ForeignPeerTest, ErrorsKeepTheirKinesisNames) {
  EXPECT_THAT(broker().DescribeStream({stream_, 100, ""}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  Create(1);
  GetShardIteratorRequest bad;
  bad.stream = stream_;
  bad.shard_id = "shardId-000000000000";
  bad.shard_iterator_type = ShardIteratorType::kAtSequenceNumber;
  bad.starting_sequence_number = *SequenceNumber::Parse("1");
  if (PeerIs("kinesis-mock")) {
    // A known gap of kinesis-mock 0.6.2: it hands out an iterator for a
    // sequence number the shard never had, where Kinesis answers
    // InvalidArgumentException. Checked so that a fixed version is seen.
    EXPECT_OK(broker().GetShardIterator(bad));
  } else {
    EXPECT_THAT(broker().GetShardIterator(bad),
                HasErrorName(ErrorName::kInvalidArgumentException));
  }
  // Brook's own operations are refused clearly, naming the endpoint.
  PutCheckpointRequest request;
  request.stream = stream_;
  request.application_name = "app";
  request.shard_id = "shardId-000000000000";
  request.sequence_number = SequenceNumber(1);
  const absl::Status checkpoint = broker().PutCheckpoint(request);
  EXPECT_THAT(checkpoint, HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(std::string(checkpoint.message()),
              ::testing::HasSubstr(std::getenv("BROOK_PEER_ENDPOINT")));
}

// SubscribeToShard over HTTP/2 (h2c), the remote Broker's default, against
// an HTTP/2 server Brook did not write. kinesalite has no enhanced fan-out.
TEST_F(ForeignPeerTest, FanOutOverHttp2) {
  if (PeerIs("kinesalite")) GTEST_SKIP() << "kinesalite has no fan-out";
  Create(1);
  for (const char* data : {"pushed-1", "pushed-2"}) {
    PutRecordRequest put;
    put.stream = stream_;
    put.partition_key = "key";
    put.data = data;
    ASSERT_OK(broker().PutRecord(put).status());
  }
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({stream_}));
  RegisterStreamConsumerRequest register_request;
  register_request.stream = summary.stream_arn;
  register_request.consumer_name = "reader";
  ASSERT_OK_AND_ASSIGN(Consumer consumer,
                       broker().RegisterStreamConsumer(register_request));
  SubscribeToShardRequest subscribe;
  subscribe.consumer_arn = consumer.consumer_arn;
  subscribe.shard_id = "shardId-000000000000";
  subscribe.starting_position.type = ShardIteratorType::kTrimHorizon;
  testing::SubscriptionRecorder recorder;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker().SubscribeToShard(subscribe, &recorder));
  EXPECT_THAT(recorder.WaitForRecords(2),
              ::testing::ElementsAre("pushed-1", "pushed-2"));
  EXPECT_OK(recorder.end());
}

}  // namespace
}  // namespace brook
