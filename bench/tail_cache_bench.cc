// Reading the newest records of a shard: from the in-memory tail cache, and
// the same read from the log (RocksDB), which is where a reader near the tip
// would go without the cache — both while the records are still in the
// memtable and once they have been flushed to blob files (warm in the page
// cache).

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "encryption/stream_data_keys.h"
#include "read/tail_cache.h"
#include "storage/record_batch.h"
#include "storage/shard_log.h"
#include "storage/store.h"

namespace brook {
namespace {

constexpr ShardRef kShard{1, 0};
constexpr int kBatches = 200;
constexpr int kRecordsPerBatch = 50;
constexpr size_t kReadRecords = 100;

// One shard of kBatches batches, both in a store and in a tail cache.
class Fixture {
 public:
  Fixture(int record_bytes, bool flushed)
      : dir_(std::filesystem::temp_directory_path() /
             absl::StrCat("brook-tail-bench-", getpid(), "-", record_bytes)) {
    std::filesystem::remove_all(dir_);
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.string());
    if (!store.ok()) {
      status_ = store.status();
      return;
    }
    store_ = *std::move(store);
    log_ = std::make_unique<ShardLog>(store_.get());
    const std::string data(record_bytes, 'x');
    std::vector<RecordView> records(kRecordsPerBatch,
                                    {"partition-key", data, absl::nullopt});
    for (int b = 0; b < kBatches; ++b) {
      auto batch = std::make_shared<CachedBatch>();
      batch->first_counter = next_counter_;
      batch->last_counter = next_counter_ + kRecordsPerBatch - 1;
      EncodeRecordBatch(1700000000000 + b, records, &batch->encoded);
      StoreWrite write = store_->NewWrite();
      write.AppendBatch(kShard, next_counter_, 1700000000000 + b,
                        batch->encoded);
      status_.Update(store_->Write(write, Durability::kNoWal));
      cache_.Add(tail_, std::move(batch));
      next_counter_ += kRecordsPerBatch;
    }
    if (flushed) status_.Update(store_->CompactRecords());
  }
  ~Fixture() {
    log_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Whether the shard was written; nothing else may be called if not.
  const absl::Status& status() const { return status_; }
  uint64_t tip_from() const { return next_counter_ - kReadRecords; }
  uint64_t last_counter() const { return next_counter_ - 1; }
  const ShardLog& log() const { return *log_; }
  const ShardTailCache& tail() const { return *tail_; }

 private:
  const std::filesystem::path dir_;
  absl::Status status_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ShardLog> log_;
  TailCache cache_{size_t{1} << 30};
  std::shared_ptr<ShardTailCache> tail_ = std::make_shared<ShardTailCache>();
  uint64_t next_counter_ = 1;
};

// Times `read(fixture)`, which reads the newest kReadRecords records and
// returns them, or nullopt (skipping the benchmark) with `state` told why.
template <typename Read>
void TimeReads(benchmark::State& state, bool flushed, Read read) {
  const int record_bytes = static_cast<int>(state.range(0));
  const Fixture fixture(record_bytes, flushed);
  if (!fixture.status().ok()) {
    state.SkipWithError(fixture.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<absl::optional<ShardReadResult>> result = read(fixture);
    if (!result.ok() || !result->has_value()) {
      state.SkipWithError(result.ok() ? "the tail missed the newest records"
                                      : result.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize((*result)->records.data());
  }
  state.SetItemsProcessed(state.iterations() * kReadRecords);
  state.SetBytesProcessed(state.iterations() * kReadRecords * record_bytes);
}

void BM_TailCacheRead(benchmark::State& state) {
  TimeReads(state, /*flushed=*/false, [](const Fixture& fixture) {
    return fixture.tail().Read(kShard, fixture.tip_from(),
                               fixture.last_counter(), kReadRecords,
                               size_t{1} << 30);
  });
}
BENCHMARK(BM_TailCacheRead)->ArgNames({"record_bytes"})->Arg(100)->Arg(1024);

void BM_LogReadAtTip(benchmark::State& state) {
  TimeReads(state, /*flushed=*/state.range(1) != 0,
            [](const Fixture& fixture)
                -> absl::StatusOr<absl::optional<ShardReadResult>> {
              // The bench's stream does not encrypt: no keys.
              static const StreamDataKeys kNoKeys;
              return fixture.log().Read(kShard, fixture.tip_from(),
                                        fixture.last_counter(), kReadRecords,
                                        size_t{1} << 30, kNoKeys);
            });
}
BENCHMARK(BM_LogReadAtTip)
    ->ArgNames({"record_bytes", "flushed"})
    ->ArgsProduct({{100, 1024}, {0, 1}});

}  // namespace
}  // namespace brook
