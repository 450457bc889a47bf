// The tail cache: reads that it answers are exactly the log's, it answers
// only from where it holds every record, and the budget evicts the oldest
// batches of any shard first.

#include "read/tail_cache.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "encryption/stream_data_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/record_batch.h"
#include "storage/store.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Optional;

const ShardRef kShard{1, 0};
const ShardRef kOther{1, 1};

std::shared_ptr<CachedBatch> Batch(uint64_t first_counter, int64_t arrival_ms,
                                   const std::vector<std::string>& data) {
  std::vector<RecordView> records;
  for (const std::string& d : data) records.push_back({"k", d});
  auto batch = std::make_shared<CachedBatch>();
  batch->first_counter = first_counter;
  batch->last_counter = first_counter + data.size() - 1;
  EncodeRecordBatch(arrival_ms, records, &batch->encoded);
  return batch;
}

// The counters a read from the tail returns, or nullopt on a miss.
absl::optional<std::vector<uint64_t>> Counters(const ShardTailCache& tail,
                                               ShardRef shard, uint64_t from,
                                               uint64_t visible = 1000) {
  absl::StatusOr<absl::optional<ShardReadResult>> read =
      tail.Read(shard, from, visible, 100, 1 << 20);
  EXPECT_OK(read);
  if (!read.ok() || !read->has_value()) return absl::nullopt;
  std::vector<uint64_t> counters;
  for (const Record& record : (*read)->records) {
    counters.push_back(CounterOf(record.sequence_number));
  }
  return counters;
}

TEST(TailCacheTest, AnswersOnlyFromItsFirstBatchOn) {
  TailCache cache(1 << 20);
  auto tail = std::make_shared<ShardTailCache>();
  EXPECT_EQ(Counters(*tail, kShard, 0), absl::nullopt);
  cache.Add(tail, Batch(5, 100, {"5", "6"}));
  cache.Add(tail, Batch(9, 100, {"9"}));
  EXPECT_EQ(Counters(*tail, kShard, 4), absl::nullopt);
  EXPECT_THAT(Counters(*tail, kShard, 5), Optional(ElementsAre(5, 6, 9)));
  EXPECT_THAT(Counters(*tail, kShard, 7), Optional(ElementsAre(9)));
  EXPECT_THAT(Counters(*tail, kShard, 10), Optional(ElementsAre()));
  // Not past the watermark it is given.
  EXPECT_THAT(Counters(*tail, kShard, 5, /*visible=*/8),
              Optional(ElementsAre(5, 6)));
}

TEST(TailCacheTest, EvictsTheOldestBatchOfAnyShardFirst) {
  const size_t batch_bytes = Batch(1, 100, {"xxxx"})->encoded.size();
  TailCache cache(2 * batch_bytes);
  auto a = std::make_shared<ShardTailCache>();
  auto b = std::make_shared<ShardTailCache>();
  cache.Add(a, Batch(1, 100, {"xxxx"}));
  cache.Add(b, Batch(2, 100, {"xxxx"}));
  cache.Add(a, Batch(3, 100, {"xxxx"}));  // Evicts a's first batch.
  EXPECT_EQ(cache.bytes(), 2 * batch_bytes);
  EXPECT_EQ(Counters(*a, kShard, 1), absl::nullopt);
  EXPECT_THAT(Counters(*a, kShard, 2), Optional(ElementsAre(3)));
  EXPECT_THAT(Counters(*b, kOther, 2), Optional(ElementsAre(2)));
  cache.Add(a, Batch(4, 100, {"xxxx"}));  // Evicts b's only batch.
  EXPECT_EQ(Counters(*b, kOther, 2), absl::nullopt);
  // Nothing of b below its next batch is missing, so b answers from there.
  EXPECT_THAT(Counters(*b, kOther, 3), Optional(ElementsAre()));
  EXPECT_THAT(Counters(*a, kShard, 3), Optional(ElementsAre(3, 4)));
}

TEST(TailCacheTest, ABatchOverTheBudgetIsNotKept) {
  TailCache cache(8);
  auto tail = std::make_shared<ShardTailCache>();
  cache.Add(tail, Batch(1, 100, {std::string(100, 'x')}));
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(Counters(*tail, kShard, 1), absl::nullopt);

  TailCache none(0);
  auto other = std::make_shared<ShardTailCache>();
  none.Add(other, Batch(1, 100, {"x"}));
  EXPECT_EQ(Counters(*other, kShard, 1), absl::nullopt);
}

TEST(TailCacheTest, ADeadShardsBatchesStopCountingWhenReached) {
  const size_t batch_bytes = Batch(1, 100, {"xxxx"})->encoded.size();
  TailCache cache(2 * batch_bytes);
  auto gone = std::make_shared<ShardTailCache>();
  cache.Add(gone, Batch(1, 100, {"xxxx"}));
  gone.reset();
  auto live = std::make_shared<ShardTailCache>();
  cache.Add(live, Batch(2, 100, {"xxxx"}));
  cache.Add(live, Batch(3, 100, {"xxxx"}));
  EXPECT_EQ(cache.bytes(), 2 * batch_bytes);
  EXPECT_THAT(Counters(*live, kShard, 2), Optional(ElementsAre(2, 3)));
}

// Whatever the tail answers, the log answers the same, limits included.
TEST(TailCacheTest, AnswersAsTheLogDoes) {
  TempDir temp;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Store::Open(temp.path()));
  ShardLog log(store.get());
  TailCache cache(4096);
  auto tail = std::make_shared<ShardTailCache>();
  std::mt19937 random(7);
  uint64_t counter = 1;
  for (int b = 0; b < 60; ++b) {
    std::vector<std::string> data;
    const int records = 1 + static_cast<int>(random() % 5);
    for (int r = 0; r < records; ++r) {
      data.push_back(std::string(1 + random() % 40, 'a' + b % 26));
    }
    std::shared_ptr<CachedBatch> batch = Batch(counter, 100 + b, data);
    StoreWrite write = store->NewWrite();
    write.AppendBatch(kShard, counter, 100 + b, batch->encoded);
    ASSERT_OK(store->Write(write, Durability::kNoSync));
    cache.Add(tail, std::move(batch));
    counter += records + random() % 3;  // Other shards' counters between.
  }
  int hits = 0;
  for (uint64_t from = 0; from <= counter; ++from) {
    for (size_t max_records : {size_t{1}, size_t{3}, size_t{100}}) {
      for (size_t max_bytes : {size_t{1}, size_t{50}, size_t{1} << 20}) {
        const uint64_t visible = counter - 2;
        ASSERT_OK_AND_ASSIGN(
            absl::optional<ShardReadResult> cached,
            tail->Read(kShard, from, visible, max_records, max_bytes));
        if (!cached.has_value()) continue;
        ++hits;
        ASSERT_OK_AND_ASSIGN(ShardReadResult logged,
                             log.Read(kShard, from, visible, max_records,
                                      max_bytes, StreamDataKeys()));
        ASSERT_EQ(cached->records.size(), logged.records.size()) << from;
        for (size_t i = 0; i < logged.records.size(); ++i) {
          EXPECT_EQ(cached->records[i].sequence_number,
                    logged.records[i].sequence_number);
          EXPECT_EQ(cached->records[i].data, logged.records[i].data);
          EXPECT_EQ(cached->records[i].approximate_arrival_timestamp,
                    logged.records[i].approximate_arrival_timestamp);
        }
        EXPECT_EQ(cached->next_counter, logged.next_counter) << from;
        EXPECT_EQ(cached->next_arrival_ms, logged.next_arrival_ms) << from;
      }
    }
  }
  // The budget holds only the newest batches: some reads hit, some miss.
  EXPECT_GT(hits, 0);
  EXPECT_LT(hits, static_cast<int>(9 * (counter + 1)));
}

}  // namespace
}  // namespace brook
