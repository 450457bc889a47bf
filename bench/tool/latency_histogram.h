// Latency percentiles in bounded memory: a log-linear histogram with 64
// linear sub-buckets per power of two, so any percentile is within ~1.6 % of
// the true value whatever the number of samples.
//
// Thread safety: not thread-safe; keep one per thread and Merge() them.

#ifndef BROOK_BENCH_TOOL_LATENCY_HISTOGRAM_H_
#define BROOK_BENCH_TOOL_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstdint>

#include "absl/time/time.h"

namespace brook::bench {

class LatencyHistogram {
 public:
  void Record(absl::Duration latency);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  // The latency below which `fraction` (0 to 1) of the samples fall.
  absl::Duration Percentile(double fraction) const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kSubBuckets = 1 << kSubBits;
  static constexpr int kBuckets = 64 * kSubBuckets;

  static int BucketOf(uint64_t nanos);
  static uint64_t LowerBoundOf(int bucket);

  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
};

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_LATENCY_HISTOGRAM_H_
