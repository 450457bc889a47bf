// The traffic brook_bench generates, shared by the in-process, raw RocksDB
// and server workloads so that all of them put the same bytes: record
// payloads stamped with their send time, partition keys, and a progress
// counter that prints a line per second.

#ifndef BROOK_BENCH_TOOL_LOAD_H_
#define BROOK_BENCH_TOOL_LOAD_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace brook::bench {

// Every record starts with the time it was put, for end-to-end latency.
inline constexpr size_t kStampBytes = sizeof(int64_t);

// Incompressible record bytes, the same for every workload.
class Payloads {
 public:
  explicit Payloads(int record_bytes);

  // The record bytes of record `i`, stamped with `now`.
  std::string Make(int64_t i, absl::Time now) const;

 private:
  const size_t record_bytes_;
  std::string pool_;
};

// Stamps `now` into `data` in place, as Payloads::Make() does.
void Stamp(absl::Time now, std::string& data);

// The send time Payloads::Make() or Stamp() put into `data`.
absl::Time StampOf(absl::string_view data);

// Record `i`'s partition key, one of `distinct_keys`: with as many keys as
// records, every record has its own and MD5 spreads them evenly over any
// number of shards.
inline constexpr int64_t kDefaultPartitionKeys = 1024;
std::string PartitionKey(int64_t i,
                         int64_t distinct_keys = kDefaultPartitionKeys);

// Counts completed work and prints a progress line every second. Add() is
// safe from any thread.
class Progress {
 public:
  void Add(int64_t records, int64_t bytes) {
    records_.fetch_add(records, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  int64_t records() const { return records_.load(); }
  int64_t bytes() const { return bytes_.load(); }

  // Prints progress to stderr until `until`.
  void Report(absl::string_view what, absl::Time start, absl::Time until);

 private:
  std::atomic<int64_t> records_{0};
  std::atomic<int64_t> bytes_{0};
};

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_LOAD_H_
