// Per-partition-key order across live resharding: producers put keys
// continuously while the stream is scaled 4 -> 8, split, merged, and scaled
// -> 4 -> 3; consumers that follow the lineage with ShardLineage, one
// reading concurrently and one afterwards, get every key's records exactly
// once and in put order.

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "brook/shard_lineage.h"
#include "common/uint128.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr int kProducers = 4;
constexpr int kKeysPerProducer = 25;
// Puts each producer makes between two reshards.
constexpr int kPutsBetweenReshards = 150;

class ReshardOrderTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 4);
  }

  // Waits until every producer has made `n` more puts (or failed).
  void AwaitProgress(int n) {
    const int target = puts_.load() + n * kProducers;
    absl::MutexLock lock(&progress_mu_);
    auto reached = [&] { return puts_.load() >= target || failed_.load(); };
    progress_mu_.Await(absl::Condition(&reached));
  }

  void Produce(int producer) {
    std::vector<int> next(kKeysPerProducer, 0);
    while (!stop_producers_.load()) {
      PutRecordsRequest request;
      request.stream = "s";
      for (int k = 0; k < kKeysPerProducer; ++k) {
        const std::string key = absl::StrCat("p", producer, "-k", k);
        request.records.push_back({key, absl::StrCat(key, "|", next[k]), ""});
      }
      absl::StatusOr<PutRecordsResult> result = broker().PutRecords(request);
      if (!result.ok() || result->failed_record_count > 0) {
        ADD_FAILURE() << "put failed: " << result.status();
        failed_ = true;
        return;
      }
      for (int k = 0; k < kKeysPerProducer; ++k) ++next[k];
      absl::MutexLock lock(&progress_mu_);
      ++puts_;
    }
    absl::MutexLock lock(&counts_mu_);
    for (int k = 0; k < kKeysPerProducer; ++k) {
      put_counts_[absl::StrCat("p", producer, "-k", k)] = next[k];
    }
  }

  // Reads every shard as ShardLineage hands them out, a little of each
  // acquired one per round, newest shards first (so that a child handed out
  // too early would be read before its parents), until the producers are
  // done and a whole round after that finds nothing new.
  void Consume(absl::flat_hash_map<std::string, int>* received) {
    ShardLineage lineage(&broker(), "s");
    ASSERT_OK(lineage.Refresh());
    // By shard id, newest first.
    std::map<std::string, std::string, std::greater<>> iterators;
    for (;;) {
      while (absl::optional<std::string> shard_id = lineage.Acquire()) {
        iterators[*shard_id] =
            Iterator("s", *shard_id, ShardIteratorType::kTrimHorizon);
      }
      const bool producers_done = stop_producers_.load() && producers_joined_;
      bool read_any = false;
      std::vector<std::string> finished;
      for (auto& [shard_id, iterator] : iterators) {
        GetRecordsRequest request;
        request.shard_iterator = iterator;
        request.limit = 20;
        absl::StatusOr<GetRecordsResult> result = broker().GetRecords(request);
        ASSERT_OK(result);
        for (const Record& record : result->records) {
          Receive(record, received);
        }
        read_any = read_any || !result->records.empty();
        if (result->next_shard_iterator.empty()) {
          lineage.Finish(shard_id, result->child_shards);
          finished.push_back(shard_id);
        } else {
          iterator = result->next_shard_iterator;
        }
      }
      for (const std::string& shard_id : finished) iterators.erase(shard_id);
      if (producers_done && !read_any && finished.empty()) return;
    }
  }

  // Checks that `record` is the next of its key, and counts it.
  static void Receive(const Record& record,
                      absl::flat_hash_map<std::string, int>* received) {
    std::vector<std::string> parts = absl::StrSplit(record.data, '|');
    ASSERT_EQ(parts.size(), 2u);
    int seq = 0;
    ASSERT_TRUE(absl::SimpleAtoi(parts[1], &seq));
    ASSERT_EQ(parts[0], record.partition_key);
    int& expected = (*received)[parts[0]];
    // Exactly once, in put order.
    ASSERT_EQ(seq, expected) << "key " << parts[0];
    ++expected;
  }

  std::vector<Shard> OpenShards() {
    ListShardsRequest request;
    request.stream = "s";
    request.shard_filter = ShardFilter{ShardFilterType::kAtLatest};
    absl::StatusOr<ListShardsResult> result = broker().ListShards(request);
    EXPECT_OK(result);
    std::vector<Shard> shards =
        result.ok() ? result->shards : std::vector<Shard>();
    std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
      return a.hash_key_range.starting_hash_key <
             b.hash_key_range.starting_hash_key;
    });
    return shards;
  }

  void Scale(int target) {
    UpdateShardCountRequest request;
    request.stream = "s";
    request.target_shard_count = target;
    ASSERT_OK(broker().UpdateShardCount(request).status());
  }

  std::atomic<bool> stop_producers_{false};
  std::atomic<bool> producers_joined_{false};
  std::atomic<bool> failed_{false};
  absl::Mutex progress_mu_;
  std::atomic<int> puts_{0};
  absl::Mutex counts_mu_;
  absl::flat_hash_map<std::string, int> put_counts_ ABSL_GUARDED_BY(counts_mu_);
};

TEST_F(ReshardOrderTest, EveryKeyExactlyOnceInOrderAcrossReshards) {
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([this, p] { Produce(p); });
  }
  // One consumer follows the stream live; another starts when it is all
  // written, with every shard already there, parents and children alike.
  absl::flat_hash_map<std::string, int> live;
  std::thread consumer([&] { Consume(&live); });

  AwaitProgress(kPutsBetweenReshards);
  Scale(8);
  AwaitProgress(kPutsBetweenReshards);
  {
    const Shard widest = OpenShards()[3];
    const HashKeyRange& range = widest.hash_key_range;
    SplitShardRequest split;
    split.stream = "s";
    split.shard_to_split = widest.shard_id;
    split.new_starting_hash_key =
        Uint128ToDecimal(range.starting_hash_key +
                         (range.ending_hash_key - range.starting_hash_key) / 2);
    ASSERT_OK(broker().SplitShard(split));
  }
  AwaitProgress(kPutsBetweenReshards);
  {
    const std::vector<Shard> open = OpenShards();
    MergeShardsRequest merge;
    merge.stream = "s";
    merge.shard_to_merge = open[0].shard_id;
    merge.adjacent_shard_to_merge = open[1].shard_id;
    ASSERT_OK(broker().MergeShards(merge));
  }
  AwaitProgress(kPutsBetweenReshards);
  Scale(4);
  AwaitProgress(kPutsBetweenReshards);
  Scale(3);
  AwaitProgress(kPutsBetweenReshards);

  stop_producers_ = true;
  for (std::thread& producer : producers) producer.join();
  producers_joined_ = true;
  consumer.join();
  absl::flat_hash_map<std::string, int> late;
  Consume(&late);

  ASSERT_FALSE(failed_.load());
  EXPECT_EQ(OpenShards().size(), 3u);
  absl::MutexLock lock(&counts_mu_);
  ASSERT_EQ(put_counts_.size(),
            static_cast<size_t>(kProducers * kKeysPerProducer));
  for (const auto& [key, count] : put_counts_) {
    EXPECT_GE(count, 6 * kPutsBetweenReshards / kProducers) << key;
    EXPECT_EQ(live[key], count) << key;
    EXPECT_EQ(late[key], count) << key;
  }
}

}  // namespace
}  // namespace brook
