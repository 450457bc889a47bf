#include "catalog/stream_state.h"

#include <algorithm>
#include <cassert>

namespace brook {

void ShardState::Publish(uint64_t last_counter) {
  assert(last_counter > last_visible_counter_.load(std::memory_order_relaxed));
  last_visible_counter_.store(last_counter, std::memory_order_release);
}

StreamState::StreamState(StreamMeta meta, std::string arn)
    : meta_(std::move(meta)), arn_(std::move(arn)) {
  shards_.reserve(meta_.shards.size());
  for (const ShardMeta& shard : meta_.shards) {
    shards_.push_back(
        std::make_unique<ShardState>(ShardRef{meta_.id, shard.index}, &shard));
    if (shard.open()) open_shards_.push_back(shards_.back().get());
  }
  std::sort(open_shards_.begin(), open_shards_.end(),
            [](const ShardState* a, const ShardState* b) {
              return a->meta().hash_key_range.starting_hash_key <
                     b->meta().hash_key_range.starting_hash_key;
            });
}

ShardState* StreamState::shard(uint32_t index) const {
  return index < shards_.size() ? shards_[index].get() : nullptr;
}

ShardState& StreamState::ShardForHashKey(absl::uint128 hash_key) const {
  // The open shards' ranges cover the whole space without overlap, so the
  // owner is the last shard that starts at or below the key.
  auto after = std::upper_bound(
      open_shards_.begin(), open_shards_.end(), hash_key,
      [](absl::uint128 key, const ShardState* shard) {
        return key < shard->meta().hash_key_range.starting_hash_key;
      });
  return **(after - 1);
}

}  // namespace brook
