#include "resharding/reshard_planner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/shard_ref.h"
#include "common/uint128.h"
#include "routing/hash_key.h"

namespace brook {

ReshardPlanner::ReshardPlanner(StreamMeta current)
    : meta_(std::move(current)) {}

absl::Status ReshardPlanner::CheckOpen(uint32_t index) const {
  if (index >= meta_.shards.size()) {
    return ResourceNotFound(absl::StrCat(
        "shard ", ShardIdOf(index), " not found in stream '", meta_.name, "'"));
  }
  if (!meta_.shards[index].open()) {
    return InvalidArgument(absl::StrCat(
        "shard ", ShardIdOf(index), " in stream '", meta_.name,
        "' has already been merged or split, and thus is not eligible for "
        "merging or splitting"));
  }
  return absl::OkStatus();
}

int ReshardPlanner::CloseInPlan(uint32_t index) {
  // The counter is a placeholder until Finish() knows the first one.
  meta_.shards[index].ending_counter = 0;
  closed_.push_back(index);
  --open_shard_delta_;
  auto it = generation_.find(index);
  return it == generation_.end() ? -1 : it->second;
}

uint32_t ReshardPlanner::AddShard(const HashKeyRange& range, int generation,
                                  uint32_t parent,
                                  absl::optional<uint32_t> adjacent_parent) {
  ShardMeta shard;
  shard.index = static_cast<uint32_t>(meta_.shards.size());
  shard.parent_index = parent;
  shard.adjacent_parent_index = adjacent_parent;
  shard.hash_key_range = range;
  meta_.shards.push_back(shard);
  generation_[shard.index] = generation;
  max_generation_ = std::max(max_generation_, generation);
  ++open_shard_delta_;
  return shard.index;
}

absl::Status ReshardPlanner::Split(uint32_t index,
                                   absl::uint128 new_starting_hash_key) {
  if (absl::Status status = CheckOpen(index); !status.ok()) return status;
  const HashKeyRange range = meta_.shards[index].hash_key_range;
  if (new_starting_hash_key <= range.starting_hash_key ||
      new_starting_hash_key > range.ending_hash_key) {
    return InvalidArgument(absl::StrCat(
        "new starting hash key ", Uint128ToDecimal(new_starting_hash_key),
        " must be above ", Uint128ToDecimal(range.starting_hash_key),
        " and at most ", Uint128ToDecimal(range.ending_hash_key),
        ", inside the range of shard ", ShardIdOf(index)));
  }
  const int generation = CloseInPlan(index) + 1;
  AddShard({range.starting_hash_key, new_starting_hash_key - 1}, generation,
           index, absl::nullopt);
  AddShard({new_starting_hash_key, range.ending_hash_key}, generation, index,
           absl::nullopt);
  return absl::OkStatus();
}

absl::Status ReshardPlanner::Merge(uint32_t index, uint32_t adjacent_index) {
  if (absl::Status status = CheckOpen(index); !status.ok()) return status;
  if (absl::Status status = CheckOpen(adjacent_index); !status.ok()) {
    return status;
  }
  if (index == adjacent_index) {
    return InvalidArgument(
        absl::StrCat("cannot merge shard ", ShardIdOf(index), " with itself"));
  }
  const HashKeyRange& a = meta_.shards[index].hash_key_range;
  const HashKeyRange& b = meta_.shards[adjacent_index].hash_key_range;
  const bool a_below_b = a.ending_hash_key < b.starting_hash_key;
  const HashKeyRange& low = a_below_b ? a : b;
  const HashKeyRange& high = a_below_b ? b : a;
  if (low.ending_hash_key + 1 != high.starting_hash_key) {
    return InvalidArgument(absl::StrCat(
        "shards ", ShardIdOf(index), " and ", ShardIdOf(adjacent_index),
        " are not adjacent: their hash key ranges do not touch"));
  }
  const HashKeyRange merged{low.starting_hash_key, high.ending_hash_key};
  const int generation =
      std::max(CloseInPlan(index), CloseInPlan(adjacent_index)) + 1;
  AddShard(merged, generation, index, adjacent_index);
  return absl::OkStatus();
}

std::vector<uint32_t> ReshardPlanner::OpenShardsInKeyOrder() const {
  std::vector<uint32_t> open;
  for (const ShardMeta& shard : meta_.shards) {
    if (shard.open()) open.push_back(shard.index);
  }
  std::sort(open.begin(), open.end(), [this](uint32_t a, uint32_t b) {
    return meta_.shards[a].hash_key_range.starting_hash_key <
           meta_.shards[b].hash_key_range.starting_hash_key;
  });
  return open;
}

int ReshardPlanner::open_shard_count() const {
  return static_cast<int>(OpenShardsInKeyOrder().size());
}

absl::Status ReshardPlanner::ScaleUniformly(int target, int64_t now_ms) {
  const int open = open_shard_count();
  if (target > 2 * open || 2 * target < open) {
    return LimitExceeded(absl::StrCat(
        "target shard count ", target, " of stream '", meta_.name,
        "' must be from half to double its ", open, " open shards"));
  }
  if (target > kMaxShardsPerStream) {
    return LimitExceeded(absl::StrCat("a stream may have at most ",
                                      kMaxShardsPerStream, " open shards"));
  }
  constexpr int64_t kDayMs = int64_t{24} * 60 * 60 * 1000;
  std::vector<int64_t>& scalings = meta_.scaling_ms;
  scalings.erase(
      std::remove_if(scalings.begin(), scalings.end(),
                     [&](int64_t ms) { return ms <= now_ms - kDayMs; }),
      scalings.end());
  if (scalings.size() >= static_cast<size_t>(kMaxScalingsPerDay)) {
    return LimitExceeded(absl::StrCat(
        "stream '", meta_.name, "' was scaled ", kMaxScalingsPerDay,
        " times in the last 24 hours, the most Kinesis allows"));
  }
  scalings.push_back(now_ms);
  SplitAndMergeInto(SplitHashKeySpaceEvenly(target));
  return absl::OkStatus();
}

void ReshardPlanner::SplitAndMergeInto(
    const std::vector<HashKeyRange>& targets) {
  // Every target boundary inside a shard splits it; the upper piece may
  // hold the next boundary too.
  for (uint32_t index : OpenShardsInKeyOrder()) {
    for (size_t t = 1; t < targets.size(); ++t) {
      const absl::uint128 boundary = targets[t].starting_hash_key;
      const HashKeyRange& range = meta_.shards[index].hash_key_range;
      if (boundary <= range.starting_hash_key ||
          boundary > range.ending_hash_key) {
        continue;
      }
      Split(index, boundary).IgnoreError();  // Checked above.
      index = static_cast<uint32_t>(meta_.shards.size() - 1);
    }
  }
  // Each open shard now lies inside one target range: merge each range's
  // pieces from the lowest up.
  const std::vector<uint32_t> pieces = OpenShardsInKeyOrder();
  size_t next = 0;
  for (const HashKeyRange& range : targets) {
    uint32_t merged = pieces[next++];
    while (next < pieces.size() &&
           meta_.shards[pieces[next]].hash_key_range.ending_hash_key <=
               range.ending_hash_key) {
      Merge(merged, pieces[next++]).IgnoreError();  // Adjacent and open.
      merged = static_cast<uint32_t>(meta_.shards.size() - 1);
    }
  }
}

uint64_t ReshardPlanner::counters_needed() const {
  return static_cast<uint64_t>(max_generation_ + 1);
}

StreamMeta ReshardPlanner::Finish(uint64_t first_counter, int64_t now_ms) && {
  auto counter_of = [&](int generation) {
    return first_counter + static_cast<uint64_t>(generation);
  };
  for (const auto& [index, generation] : generation_) {
    meta_.shards[index].starting_counter = counter_of(generation);
  }
  for (uint32_t index : closed_) {
    auto it = generation_.find(index);
    meta_.shards[index].ending_counter =
        it == generation_.end() ? first_counter - 1 : counter_of(it->second);
    meta_.shards[index].closed_ms = now_ms;
  }
  return std::move(meta_);
}

}  // namespace brook
