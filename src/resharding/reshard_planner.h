// Plans a reshard of a stream: which shards close and which open, checked
// by Kinesis' rules, against a copy of the stream's description. The plan
// is applied later in one atomic step, so that no reader or restart ever
// sees a stream half resharded.
//
// A plan may chain steps: UpdateShardCount splits and merges repeatedly,
// and a shard opened by one step may close in the next. Each such
// generation of shards gets its own counter to start at, so that every
// child's sequence numbers are above all of its parents', also when the
// parent never held a record:
//
//   shards open before the plan    end at  first - 1
//   a shard of generation g        starts at first + g,
//                                  ends at first + g if it closes in the plan
//
// Thread safety: not thread-safe; one planner per reshard.

#ifndef BROOK_RESHARDING_RESHARD_PLANNER_H_
#define BROOK_RESHARDING_RESHARD_PLANNER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "storage/meta_values.h"

namespace brook {

// Kinesis' UpdateShardCount limits.
inline constexpr int kMaxShardsPerStream = 10000;
inline constexpr int kMaxScalingsPerDay = 10;

class ReshardPlanner {
 public:
  explicit ReshardPlanner(StreamMeta current);

  // ReshardPlanner::Split()
  //
  // Closes open shard `index` and opens two children: one owns its hash keys
  // below `new_starting_hash_key`, the other the rest. Fails with
  // ResourceNotFoundException (no such shard) or InvalidArgumentException
  // (a closed shard, or a key not above the shard's starting key and within
  // its range).
  absl::Status Split(uint32_t index, absl::uint128 new_starting_hash_key);

  // ReshardPlanner::Merge()
  //
  // Closes open shards `index` and `adjacent_index`, whose ranges must
  // touch, and opens one child owning both ranges (parent `index`, adjacent
  // parent `adjacent_index`). Fails with ResourceNotFoundException or
  // InvalidArgumentException (a closed shard, the same shard twice, ranges
  // that do not touch).
  absl::Status Merge(uint32_t index, uint32_t adjacent_index);

  // ReshardPlanner::ScaleUniformly()
  //
  // Splits every open shard at the boundaries of `target` even ranges (see
  // routing/hash_key.h), then merges the pieces of each range, leaving
  // exactly `target` open shards, one per range, and records a scaling at
  // `now_ms`. Fails, planning nothing, with LimitExceededException under
  // Kinesis' UpdateShardCount limits: a target above double or below half
  // the open shards or above 10,000, or an eleventh scaling within 24 hours.
  // REQUIRES: target >= 1.
  absl::Status ScaleUniformly(int target, int64_t now_ms);

  // Open shards, with the plan so far.
  int open_shard_count() const;
  // Open shards after the plan minus open shards before it.
  int open_shard_delta() const { return open_shard_delta_; }

  // The counters Finish() uses from its `first_counter` on: one per
  // generation of new shards.
  uint64_t counters_needed() const;

  // ReshardPlanner::Finish()
  //
  // The stream's description after the plan, with counters assigned from
  // `first_counter` (see above) and closed shards marked closed at
  // `now_ms`. REQUIRES: first_counter exceeds every counter handed out.
  StreamMeta Finish(uint64_t first_counter, int64_t now_ms) &&;

 private:
  // Checks that shard `index` exists and is open.
  absl::Status CheckOpen(uint32_t index) const;
  // Marks `index` closed by the plan and returns its generation.
  int CloseInPlan(uint32_t index);
  // Adds a shard of `generation`; returns its index.
  uint32_t AddShard(const HashKeyRange& range, int generation, uint32_t parent,
                    absl::optional<uint32_t> adjacent_parent);
  // Splits and merges the open shards into one per range of `targets`,
  // which cover the hash key space in order.
  void SplitAndMergeInto(const std::vector<HashKeyRange>& targets);
  // The open shards, by starting hash key.
  std::vector<uint32_t> OpenShardsInKeyOrder() const;

  StreamMeta meta_;
  // Of the shards this plan adds; shards open before it are generation -1.
  absl::flat_hash_map<uint32_t, int> generation_;
  std::vector<uint32_t> closed_;
  int max_generation_ = -1;
  int open_shard_delta_ = 0;
};

}  // namespace brook

#endif  // BROOK_RESHARDING_RESHARD_PLANNER_H_
