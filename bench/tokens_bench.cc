// Shard iterators and token buckets: the per-call costs of GetRecords and
// of admitting a write.

#include <string>

#include "benchmark/benchmark.h"
#include "common/token_signer.h"
#include "limits/token_bucket.h"

namespace brook {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

void BM_IteratorSeal(benchmark::State& state) {
  TokenSigner signer(TokenSigner::NewKey());
  const std::string payload(16, 'p');
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        signer.Seal(TokenKind::kShardIterator, kNow, payload));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IteratorSeal);

void BM_IteratorValidate(benchmark::State& state) {
  TokenSigner signer(TokenSigner::NewKey());
  const std::string token =
      signer.Seal(TokenKind::kShardIterator, kNow, std::string(16, 'p'));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        signer.Open(TokenKind::kShardIterator, token, "shard iterator"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IteratorValidate);

void BM_TokenBucketTryTake(benchmark::State& state) {
  TokenBucket bucket(int64_t{1} << 30, int64_t{1} << 30, kNow);
  absl::Time now = kNow;
  for (auto _ : state) {
    now += absl::Nanoseconds(1);
    benchmark::DoNotOptimize(bucket.TryTake(1, now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenBucketTryTake);

}  // namespace
}  // namespace brook
