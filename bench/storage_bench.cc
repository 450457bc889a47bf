// Record batches: encoding a commit group's records into one value and
// decoding them back.

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/record_batch.h"

namespace brook {
namespace {

std::vector<std::string> Payloads(int count, int bytes) {
  return std::vector<std::string>(count, std::string(bytes, 'x'));
}

void BM_EncodeRecordBatch(benchmark::State& state) {
  const int record_bytes = static_cast<int>(state.range(0));
  const std::vector<std::string> data = Payloads(500, record_bytes);
  std::vector<RecordView> records;
  for (const std::string& d : data)
    records.push_back({"partition-key", d, absl::nullopt});
  // The put path encodes each shard's run of a commit group once; the
  // value goes both to RocksDB's WriteBatch and to the tail cache.
  for (auto _ : state) {
    std::string value;
    EncodeRecordBatch(1700000000000, records, &value);
    benchmark::DoNotOptimize(value.data());
  }
  state.SetItemsProcessed(state.iterations() * records.size());
  state.SetBytesProcessed(state.iterations() * records.size() * record_bytes);
}
BENCHMARK(BM_EncodeRecordBatch)
    ->ArgNames({"record_bytes"})
    ->Arg(100)
    ->Arg(1024);

void BM_DecodeRecordBatch(benchmark::State& state) {
  const int record_bytes = static_cast<int>(state.range(0));
  const std::vector<std::string> data = Payloads(500, record_bytes);
  std::vector<RecordView> records;
  for (const std::string& d : data)
    records.push_back({"partition-key", d, absl::nullopt});
  std::string value;
  EncodeRecordBatch(1700000000000, records, &value);
  for (auto _ : state) {
    absl::StatusOr<RecordBatchReader> reader = RecordBatchReader::Open(value);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    RecordView view;
    while (*reader->Next(&view)) benchmark::DoNotOptimize(view.data.data());
  }
  state.SetItemsProcessed(state.iterations() * records.size());
  state.SetBytesProcessed(state.iterations() * records.size() * record_bytes);
}
BENCHMARK(BM_DecodeRecordBatch)
    ->ArgNames({"record_bytes"})
    ->Arg(100)
    ->Arg(1024);

}  // namespace
}  // namespace brook
