// Invariant 2 under load: with many producers on one shard, tailing
// consumers see every acknowledged record exactly once, in order.

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr int kProducers = 8;
constexpr int kConsumers = 4;
constexpr int kRecordsPerProducer = 400;
constexpr int kTotal = kProducers * kRecordsPerProducer;
constexpr char kShard[] = "shardId-000000000000";

class ConcurrencyTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    options().durability = Durability::kSync;
    options().clock = nullptr;  // Real time: iterators must not expire.
    Open();
    CreateStream("s", 1);
  }
};

TEST_F(ConcurrencyTest, TailingConsumersSeeEveryAcknowledgedRecordInOrder) {
  absl::Mutex mu;
  std::vector<SequenceNumber> acknowledged;

  std::vector<std::vector<Record>> seen(kConsumers);
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&, c] {
      GetShardIteratorRequest start;
      start.stream = "s";
      start.shard_id = kShard;
      start.shard_iterator_type = ShardIteratorType::kTrimHorizon;
      absl::StatusOr<GetShardIteratorResult> iterator =
          broker().GetShardIterator(start);
      ASSERT_OK(iterator);
      GetRecordsRequest get;
      get.shard_iterator = iterator->shard_iterator;
      get.limit = 1 + c * 37;  // Different page sizes cut batches differently.
      while (seen[c].size() < static_cast<size_t>(kTotal)) {
        absl::StatusOr<GetRecordsResult> page = broker().GetRecords(get);
        ASSERT_OK(page);
        for (Record& record : page->records) {
          seen[c].push_back(std::move(record));
        }
        get.shard_iterator = page->next_shard_iterator;
        if (page->records.empty()) std::this_thread::yield();
      }
    });
  }

  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kRecordsPerProducer; ++i) {
        PutRecordRequest request;
        request.stream = "s";
        request.partition_key = "producer-" + std::to_string(p);
        request.data = std::to_string(p) + ":" + std::to_string(i);
        absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
        ASSERT_OK(result);
        absl::MutexLock lock(&mu);
        acknowledged.push_back(result->sequence_number);
      }
    });
  }
  for (std::thread& t : producers) t.join();
  for (std::thread& t : consumers) t.join();

  std::sort(acknowledged.begin(), acknowledged.end());
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kTotal));
  for (int c = 0; c < kConsumers; ++c) {
    std::vector<SequenceNumber> numbers;
    for (const Record& record : seen[c]) {
      numbers.push_back(record.sequence_number);
    }
    EXPECT_EQ(numbers, acknowledged) << "consumer " << c;
  }
  // Each producer's own records stay in its put order.
  for (int p = 0; p < kProducers; ++p) {
    int next = 0;
    for (const Record& record : seen[0]) {
      if (record.partition_key != "producer-" + std::to_string(p)) continue;
      EXPECT_EQ(record.data, std::to_string(p) + ":" + std::to_string(next));
      ++next;
    }
    EXPECT_EQ(next, kRecordsPerProducer);
  }
}

TEST_F(ConcurrencyTest, DeleteWhileProducingLeavesNoTrace) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      while (!stop.load()) {
        PutRecordRequest request;
        request.stream = "s";
        request.partition_key = std::to_string(p);
        request.data = "x";
        absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
        if (!result.ok()) {
          EXPECT_EQ(ErrorNameOf(result.status()),
                    ErrorName::kResourceNotFoundException);
        }
      }
    });
  }
  // Let some puts land, then delete under their feet.
  while (ReadShard("s", kShard).size() < 50) std::this_thread::yield();
  ASSERT_OK(broker().DeleteStream({"s"}));
  CreateStream("s", 1);
  stop = true;
  for (std::thread& t : producers) t.join();
  // Only puts made after the re-creation may be in the new stream; none of
  // the old stream's records may reappear after a restart.
  const size_t live = ReadShard("s", kShard).size();
  Reopen();
  EXPECT_EQ(ReadShard("s", kShard).size(), live);
}

}  // namespace
}  // namespace brook
