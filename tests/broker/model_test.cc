// A seeded random sequence of operations (create, delete, put, put-batch,
// get, reopen), each checked against a simple in-memory model of streams
// and shards, with a tail cache that holds everything, a few batches, or
// nothing. The seed is printed on failure; set BROOK_MODEL_SEED to replay
// one.

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "routing/hash_key.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

constexpr int kSeeds = 6;
constexpr int kOperationsPerSeed = 400;

// What the broker should hold: per stream, per shard, the data in order.
struct ModelStream {
  std::vector<HashKeyRange> ranges;
  std::vector<std::vector<std::string>> shards;
};

// The parameter is the tail cache's budget.
class ModelTest : public testing::BrokerTest,
                  public ::testing::WithParamInterface<size_t> {
 protected:
  void SetUp() override {
    options().tail_cache_bytes = GetParam();
    Open();
  }

  void RunSeed(unsigned seed);

  std::string RandomName() { return "stream-" + std::to_string(Uniform(0, 3)); }
  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }
  int ExpectedShard(const ModelStream& stream, const std::string& key) {
    const absl::uint128 hash = PartitionKeyHash(key);
    for (size_t i = 0; i < stream.ranges.size(); ++i) {
      if (hash >= stream.ranges[i].starting_hash_key &&
          hash <= stream.ranges[i].ending_hash_key) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  void Create();
  void Delete();
  void PutOne();
  void PutBatch();
  void GetAndCompare();
  std::vector<std::string> ReadInPages(const std::string& stream, int shard);

  std::mt19937 random_;
  std::map<std::string, ModelStream> model_;
  int next_data_ = 0;
};

void ModelTest::Create() {
  const std::string name = RandomName();
  const int shards = Uniform(1, 4);
  CreateStreamRequest request;
  request.stream_name = name;
  request.shard_count = shards;
  request.options.limits = StreamLimits::Unlimited();
  const absl::Status status = broker().CreateStream(request);
  if (model_.count(name) != 0) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kResourceInUseException));
    return;
  }
  ASSERT_OK(status);
  model_[name] = ModelStream{SplitHashKeySpaceEvenly(shards),
                             std::vector<std::vector<std::string>>(shards)};
}

void ModelTest::Delete() {
  const std::string name = RandomName();
  const absl::Status status = broker().DeleteStream({name});
  if (model_.erase(name) == 0) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  ASSERT_OK(status);
}

void ModelTest::PutOne() {
  const std::string name = RandomName();
  PutRecordRequest request;
  request.stream = name;
  request.partition_key = "key-" + std::to_string(Uniform(0, 20));
  request.data = "data-" + std::to_string(next_data_++);
  absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
  auto it = model_.find(name);
  if (it == model_.end()) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  ASSERT_OK(result);
  const int shard = ExpectedShard(it->second, request.partition_key);
  EXPECT_EQ(result->shard_id, ShardIdOf(shard));
  it->second.shards[shard].push_back(request.data);
}

void ModelTest::PutBatch() {
  const std::string name = RandomName();
  PutRecordsRequest request;
  request.stream = name;
  const int count = Uniform(1, 30);
  const bool make_invalid = Uniform(0, 9) == 0;
  for (int i = 0; i < count; ++i) {
    request.records.push_back({"key-" + std::to_string(Uniform(0, 20)),
                               "data-" + std::to_string(next_data_++), ""});
  }
  if (make_invalid) request.records[Uniform(0, count - 1)].partition_key = "";
  absl::StatusOr<PutRecordsResult> result = broker().PutRecords(request);
  // The request is checked before the stream is looked up.
  if (make_invalid) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kValidationException));
    return;
  }
  auto it = model_.find(name);
  if (it == model_.end()) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  ASSERT_OK(result);
  ASSERT_EQ(result->records.size(), request.records.size());
  for (size_t i = 0; i < request.records.size(); ++i) {
    const int shard =
        ExpectedShard(it->second, request.records[i].partition_key);
    EXPECT_EQ(result->records[i].shard_id, ShardIdOf(shard));
    it->second.shards[shard].push_back(request.records[i].data);
  }
}

void ModelTest::GetAndCompare() {
  if (model_.empty()) return;
  auto it = model_.begin();
  std::advance(it, Uniform(0, static_cast<int>(model_.size()) - 1));
  const int shard = Uniform(0, static_cast<int>(it->second.shards.size()) - 1);
  EXPECT_EQ(ReadInPages(it->first, shard), it->second.shards[shard])
      << it->first << " " << ShardIdOf(shard);
}

// Pages of a few records, so that most reads start inside the shard, where
// a small tail cache answers some and misses others.
std::vector<std::string> ModelTest::ReadInPages(const std::string& stream,
                                                int shard) {
  std::string iterator =
      Iterator(stream, ShardIdOf(shard), ShardIteratorType::kTrimHorizon);
  std::vector<std::string> data;
  for (;;) {
    GetRecordsRequest request;
    request.shard_iterator = iterator;
    request.limit = Uniform(1, 4);
    absl::StatusOr<GetRecordsResult> page = broker().GetRecords(request);
    EXPECT_OK(page);
    if (!page.ok() || page->records.empty()) return data;
    for (const Record& record : page->records) data.push_back(record.data);
    iterator = page->next_shard_iterator;
  }
}

void ModelTest::RunSeed(unsigned seed) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  random_.seed(seed);
  for (int op = 0; op < kOperationsPerSeed && !HasFatalFailure(); ++op) {
    SCOPED_TRACE(::testing::Message() << "operation " << op);
    const int choice = Uniform(0, 99);
    if (choice < 8) {
      Create();
    } else if (choice < 12) {
      Delete();
    } else if (choice < 50) {
      PutOne();
    } else if (choice < 70) {
      PutBatch();
    } else if (choice < 97) {
      GetAndCompare();
    } else {
      Reopen();
    }
  }
  for (const auto& [name, stream] : model_) {
    for (size_t shard = 0; shard < stream.shards.size(); ++shard) {
      EXPECT_EQ(DataOf(ReadShard(name, ShardIdOf(shard))),
                stream.shards[shard]);
    }
  }
}

TEST_P(ModelTest, RandomOperationsMatchTheModel) {
  if (const char* replay = std::getenv("BROOK_MODEL_SEED")) {
    RunSeed(static_cast<unsigned>(std::strtoul(replay, nullptr, 10)));
    return;
  }
  const unsigned base = std::random_device()();
  for (int i = 0; i < kSeeds && !HasFatalFailure(); ++i) {
    for (auto& [name, stream] : model_)
      ASSERT_OK(broker().DeleteStream({name}));
    model_.clear();
    RunSeed(base + i);
  }
}

INSTANTIATE_TEST_SUITE_P(TailCache, ModelTest,
                         ::testing::Values(size_t{64} << 20, size_t{512},
                                           size_t{0}));

}  // namespace
}  // namespace brook
