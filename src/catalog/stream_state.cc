#include "catalog/stream_state.h"

#include <algorithm>
#include <cassert>

namespace brook {

void ShardState::Publish(uint64_t last_counter) {
  assert(last_counter > last_visible_counter_.load(std::memory_order_relaxed));
  last_visible_counter_.store(last_counter);
  if (!has_watchers_.load()) return;
  std::vector<absl::AnyInvocable<void() &&>> woken;
  {
    absl::MutexLock lock(&watchers_mu_);
    woken.swap(watchers_);
    has_watchers_.store(false);
  }
  for (auto& wake : woken) std::move(wake)();
}

void ShardState::TrimTo(uint64_t counter) {
  uint64_t current = trim_counter_.load();
  while (current < counter &&
         !trim_counter_.compare_exchange_weak(current, counter)) {
  }
}

void ShardState::WatchOnce(absl::AnyInvocable<void() &&> wake) {
  absl::MutexLock lock(&watchers_mu_);
  watchers_.push_back(std::move(wake));
  has_watchers_.store(true);
}

void ShardCounters::AddIncoming(int64_t records, int64_t bytes) {
  Add(incoming_records_, records);
  Add(incoming_bytes_, bytes);
}

void ShardCounters::AddOutgoing(int64_t records, int64_t bytes,
                                int64_t millis_behind) {
  Add(outgoing_records_, records);
  Add(outgoing_bytes_, bytes);
  iterator_age_ms_.store(millis_behind, std::memory_order_relaxed);
}

void ShardCounters::Snapshot(ShardMetrics* metrics) const {
  auto load = [](const std::atomic<int64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
  };
  metrics->incoming_bytes = load(incoming_bytes_);
  metrics->incoming_records = load(incoming_records_);
  metrics->outgoing_bytes = load(outgoing_bytes_);
  metrics->outgoing_records = load(outgoing_records_);
  metrics->write_provisioned_throughput_exceeded = load(write_throttled_);
  metrics->read_provisioned_throughput_exceeded = load(read_throttled_);
  metrics->iterator_age_milliseconds = load(iterator_age_ms_);
}

StreamState::StreamState(StreamMeta meta, std::string arn,
                         const StreamLimits& limits, absl::Time now)
    : meta_(std::move(meta)),
      arn_(std::move(arn)),
      retention_hours_(meta_.retention_hours),
      limits_(limits) {
  const int64_t max_record_bytes = int64_t{meta_.max_record_size_kib} * 1024;
  shards_.reserve(meta_.shards.size());
  for (const ShardMeta& shard : meta_.shards) {
    shards_.push_back(
        std::make_unique<ShardState>(ShardRef{meta_.id, shard.index}, &shard,
                                     limits, max_record_bytes, now));
    if (shard.open()) open_shards_.push_back(shards_.back().get());
  }
  std::sort(open_shards_.begin(), open_shards_.end(),
            [](const ShardState* a, const ShardState* b) {
              return a->meta().hash_key_range.starting_hash_key <
                     b->meta().hash_key_range.starting_hash_key;
            });
}

StreamLimits StreamState::limits() const {
  absl::MutexLock lock(&limits_mu_);
  return limits_;
}

void StreamState::UpdateLimits(const StreamLimits& limits, absl::Time now) {
  absl::MutexLock lock(&limits_mu_);
  limits_ = limits;
  for (const std::unique_ptr<ShardState>& shard : shards_) {
    shard->limiter().Update(limits, now);
  }
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
