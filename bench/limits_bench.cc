// The write limits on the real clock: producers push as fast as they can at
// one shard with Kinesis' default limits, and the accepted rate is measured
// over a 10-second window that starts once the initial one-second burst is
// spent. It must land within 2% of 1,000 records/s (small records) and of
// 1 MiB/s (large records).
//
//   limits_bench --benchmark_counters_tabular=true

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "brook/broker.h"

namespace brook {
namespace {

constexpr absl::Duration kWindow = absl::Seconds(10);
constexpr int kProducers = 2;

void BM_AcceptedWriteRate(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("brook-limits-bench-" + std::to_string(getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  BrokerOptions options;
  options.durability = Durability::kNoSync;
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options, dir);
  if (!broker.ok()) {
    state.SkipWithError(broker.status().ToString().c_str());
    return;
  }
  CreateStreamRequest create;
  create.stream_name = "limited";
  if (absl::Status status = (*broker)->CreateStream(create); !status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }

  for (auto _ : state) {
    std::atomic<bool> measuring{false};
    std::atomic<bool> stop{false};
    std::atomic<int64_t> accepted_records{0};
    std::atomic<int64_t> accepted_bytes{0};
    std::atomic<int64_t> refused{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&] {
        PutRecordRequest put;
        put.stream = "limited";
        put.partition_key = "k";
        put.data = std::string(record_bytes - 1, 'x');
        while (!stop.load(std::memory_order_relaxed)) {
          const bool counting = measuring.load(std::memory_order_acquire);
          absl::StatusOr<PutRecordResult> result = (*broker)->PutRecord(put);
          if (!result.ok()) {
            refused.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          if (counting) {
            accepted_records.fetch_add(1, std::memory_order_relaxed);
            accepted_bytes.fetch_add(record_bytes, std::memory_order_relaxed);
          }
        }
      });
    }
    // Spend the initial burst: wait until the limit has refused something.
    while (refused.load() == 0) std::this_thread::yield();
    const absl::Time start = absl::Now();
    measuring.store(true, std::memory_order_release);
    absl::SleepFor(kWindow);
    measuring.store(false, std::memory_order_release);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    stop = true;
    for (std::thread& producer : producers) producer.join();

    const double records_per_second = accepted_records.load() / seconds;
    const double bytes_per_second = accepted_bytes.load() / seconds;
    state.counters["accepted_records_per_s"] = records_per_second;
    state.counters["accepted_MiB_per_s"] = bytes_per_second / (1 << 20);
    // Against whichever default limit binds: 1,000 records/s or 1 MiB/s.
    const double limit_records =
        std::min(1000.0, (1 << 20) / double(record_bytes));
    state.counters["ratio_to_limit"] = records_per_second / limit_records;
    state.counters["refused_per_s"] = refused.load() / seconds;
  }
  (*broker)->Close().IgnoreError();
  std::filesystem::remove_all(dir);
}

BENCHMARK(BM_AcceptedWriteRate)
    ->ArgNames({"record_bytes"})
    ->Arg(100)
    ->Arg(10 * 1024)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace brook
