// Hash routing: MD5 of a partition key, and finding the shard that owns a
// hash key.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "catalog/stream_state.h"
#include "routing/hash_key.h"

namespace brook {
namespace {

void BM_PartitionKeyHash(benchmark::State& state) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1024; ++i) keys.push_back(absl::StrCat("user-", i));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(PartitionKeyHash(keys[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PartitionKeyHash);

void BM_ShardForHashKey(benchmark::State& state) {
  const int shards = static_cast<int>(state.range(0));
  StreamState stream(NewStreamMeta(1, "bench", shards, 1), "arn",
                     StreamLimits::Unlimited(), absl::UnixEpoch());
  std::vector<absl::uint128> hashes;
  for (int i = 0; i < 1024; ++i) {
    hashes.push_back(PartitionKeyHash(absl::StrCat("user-", i)));
  }
  const std::shared_ptr<const ShardRouter> router = stream.router();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&router->ShardFor(hashes[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShardForHashKey)->ArgNames({"shards"})->Arg(4)->Arg(1000);

}  // namespace
}  // namespace brook
