// -----------------------------------------------------------------------------
// File: brook/limits.h
// -----------------------------------------------------------------------------
//
// Per-shard throughput limits of a stream, with Kinesis' provisioned-shard
// values as defaults, so that an application meets in Brook the throttling
// it will meet in production. Over a limit, a call fails with
// ProvisionedThroughputExceededException and changes nothing.
//
// Each limit is a token bucket on the Broker's clock (see docs/limits.md for
// the bucket sizes and why):
//   writes        bytes (data plus partition key) and records per second;
//   classic reads GetRecords calls and bytes per second, shared by every
//                 polling consumer of the shard, and GetShardIterator calls
//                 per second;
//   fan-out reads bytes per second for each enhanced fan-out consumer of the
//                 shard, independent of the others and of classic reads.
//
// Thread safety: plain values.

#ifndef BROOK_LIMITS_H_
#define BROOK_LIMITS_H_

#include <cstdint>

#include "absl/status/status.h"

namespace brook {

struct StreamLimits {
  // A value that switches one limit off.
  static constexpr int64_t kUnlimited = 0;
  // The largest finite value of any limit.
  static constexpr int64_t kMaxFinite = int64_t{1} << 32;

  // Every limit off: the engine runs at full speed (for benchmarks).
  static StreamLimits Unlimited();

  // Bytes of data plus partition keys written per second per shard.
  // Default: 1 MiB.
  int64_t write_bytes_per_second = int64_t{1} << 20;
  // Records written per second per shard.
  // Default: 1,000.
  int64_t write_records_per_second = 1000;
  // Bytes returned by GetRecords per second per shard, all classic
  // consumers together. Default: 2 MiB.
  int64_t read_bytes_per_second = int64_t{2} << 20;
  // GetRecords calls per second per shard, all classic consumers together.
  // Default: 5.
  int64_t read_calls_per_second = 5;
  // Bytes pushed per second per shard to each enhanced fan-out consumer.
  // Default: 2 MiB.
  int64_t fan_out_bytes_per_second = int64_t{2} << 20;
  // GetShardIterator calls per second per shard, all callers together.
  // Default: 5, as Kinesis.
  int64_t shard_iterator_calls_per_second = 5;

  // StreamLimits::Validate()
  //
  // OK, or InvalidArgumentException naming the first limit that is neither
  // kUnlimited nor within [1, kMaxFinite].
  absl::Status Validate() const;

  friend bool operator==(const StreamLimits&, const StreamLimits&) = default;
};

}  // namespace brook

#endif  // BROOK_LIMITS_H_
