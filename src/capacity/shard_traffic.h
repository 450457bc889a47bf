// Where in its hash key range a shard's writes land: bytes counted in a
// fixed number of equal slices of the range, so that an on-demand stream
// splits a hot shard where its traffic is rather than at the midpoint. The
// memory is fixed per shard (kSlices counters), whatever the keys.
// It also tells whether more than one hash key was written, since a shard
// that one key makes hot cannot be helped by splitting it.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; Add() is lock-free. A Take() racing with Add()
// sees each addition in exactly one snapshot.

#ifndef BROOK_CAPACITY_SHARD_TRAFFIC_H_
#define BROOK_CAPACITY_SHARD_TRAFFIC_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/types/optional.h"
#include "brook/streams.h"

namespace brook {

class ShardTraffic {
 public:
  static constexpr int kSlices = 64;
  struct Snapshot {
    std::array<int64_t, kSlices> bytes{};
    // Whether more than one hash key was written: all the traffic of one
    // key (one partition key) stays in one child however the shard splits.
    bool several_keys = false;
  };

  explicit ShardTraffic(const HashKeyRange& range);

  // Counts `bytes` written at `hash_key`. REQUIRES: the key is in the range.
  void Add(absl::uint128 hash_key, int64_t bytes);

  // The bytes per slice since the last Take(), and starts counting anew.
  Snapshot Take();

  // ShardTraffic::SplitPoint()
  //
  // The hash key at which `traffic` (a snapshot of this shard's) divides in
  // two halves, interpolated within its slice, clamped so that each child
  // keeps at least two keys as SplitShard requires (above the starting key
  // + 1, below the ending key). Empty when the range is too small to split
  // or no traffic was counted.
  absl::optional<absl::uint128> SplitPoint(const Snapshot& traffic) const;

 private:
  const HashKeyRange range_;
  // Keys per slice; the last slice may be shorter.
  const absl::uint128 slice_width_;
  std::array<std::atomic<int64_t>, kSlices> bytes_{};
  // A digest of the first key written since the last Take() (0: none), and
  // whether another one followed.
  std::atomic<uint64_t> first_key_{0};
  std::atomic<bool> several_keys_{false};
};

}  // namespace brook

#endif  // BROOK_CAPACITY_SHARD_TRAFFIC_H_
