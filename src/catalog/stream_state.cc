#include "catalog/stream_state.h"

#include <algorithm>
#include <cassert>

#include "routing/hash_key.h"

namespace brook {

namespace {

// The fixed fields of `meta`: everything but how it closed.
ShardMeta WithoutClosing(ShardMeta meta) {
  meta.ending_counter.reset();
  meta.closed_ms = 0;
  return meta;
}

}  // namespace

StreamMeta NewStreamMeta(uint32_t id, std::string name, int shard_count,
                         uint64_t starting_counter) {
  StreamMeta meta;
  meta.id = id;
  meta.name = std::move(name);
  const std::vector<HashKeyRange> ranges = SplitHashKeySpaceEvenly(shard_count);
  meta.shards.resize(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    meta.shards[i].index = static_cast<uint32_t>(i);
    meta.shards[i].hash_key_range = ranges[i];
    meta.shards[i].starting_counter = starting_counter;
  }
  return meta;
}

ShardState::ShardState(ShardRef ref, const ShardMeta& meta,
                       const StreamLimits& limits, int64_t max_record_bytes,
                       absl::Time now)
    : ref_(ref),
      fixed_(WithoutClosing(meta)),
      ending_counter_(meta.ending_counter.value_or(kOpen)),
      closed_ms_(meta.closed_ms),
      // A closed shard's records were all durable before it closed (the
      // closing was a synced write), so all of them are visible.
      last_visible_counter_(meta.ending_counter.value_or(0)),
      limiter_(limits, max_record_bytes, now),
      traffic_(meta.hash_key_range) {}

ShardMeta ShardState::meta() const {
  ShardMeta meta = fixed_;
  meta.ending_counter = ending_counter();
  if (meta.ending_counter.has_value()) meta.closed_ms = closed_ms();
  return meta;
}

absl::optional<uint64_t> ShardState::ending_counter() const {
  const uint64_t ending = ending_counter_.load(std::memory_order_acquire);
  if (ending == kOpen) return absl::nullopt;
  return ending;
}

void ShardState::Close(uint64_t ending_counter, int64_t closed_ms) {
  assert(open());
  assert(ending_counter >= last_visible_counter());
  closed_ms_.store(closed_ms);
  ending_counter_.store(ending_counter, std::memory_order_release);
  // Readers compare the watermark with the ending counter to tell that
  // they are done; and watchers waiting for records must learn there will
  // be none.
  if (ending_counter > last_visible_counter()) Publish(ending_counter);
}

bool ShardState::ClosedAndFullyVisible() const {
  const absl::optional<uint64_t> ending = ending_counter();
  return ending.has_value() && last_visible_counter() >= *ending;
}

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

ShardRouter::ShardRouter(std::vector<ShardState*> open_shards)
    : open_shards_(std::move(open_shards)) {
  std::sort(open_shards_.begin(), open_shards_.end(),
            [](const ShardState* a, const ShardState* b) {
              return a->hash_key_range().starting_hash_key <
                     b->hash_key_range().starting_hash_key;
            });
}

ShardState& ShardRouter::ShardFor(absl::uint128 hash_key) const {
  // The open shards' ranges cover the whole space without overlap, so the
  // owner is the last shard that starts at or below the key.
  auto after =
      std::upper_bound(open_shards_.begin(), open_shards_.end(), hash_key,
                       [](absl::uint128 key, const ShardState* shard) {
                         return key < shard->hash_key_range().starting_hash_key;
                       });
  return **(after - 1);
}

StreamState::StreamState(StreamMeta meta, std::string arn,
                         const StreamLimits& limits, absl::Time now)
    : id_(meta.id),
      name_(std::move(meta.name)),
      arn_(std::move(arn)),
      creation_ms_(meta.creation_ms),
      max_record_size_kib_(meta.max_record_size_kib),
      retention_hours_(meta.retention_hours),
      limits_(limits),
      stream_mode_(meta.stream_mode) {
  absl::MutexLock lock(&shards_mu_);
  std::vector<ShardState*> open;
  shards_.reserve(meta.shards.size());
  for (const ShardMeta& shard : meta.shards) {
    shards_.push_back(std::make_unique<ShardState>(
        ShardRef{id_, shard.index}, shard, limits,
        int64_t{max_record_size_kib()} * 1024, now));
    if (shard.open()) open.push_back(shards_.back().get());
  }
  router_ = std::make_shared<const ShardRouter>(std::move(open));
  scaling_ms_ = std::move(meta.scaling_ms);
  mode_change_ms_ = std::move(meta.mode_change_ms);
}

std::vector<int64_t> StreamState::mode_change_ms() const {
  absl::MutexLock lock(&shards_mu_);
  return mode_change_ms_;
}

void StreamState::SetStreamMode(StreamMode mode,
                                std::vector<int64_t> mode_change_ms) {
  absl::MutexLock lock(&shards_mu_);
  mode_change_ms_ = std::move(mode_change_ms);
  stream_mode_.store(mode);
}

void StreamState::SetMaxRecordSize(int kib, absl::Time now) {
  max_record_size_kib_.store(kib);
  write_capacity_.SetMaxRecordBytes(int64_t{kib} * 1024, now);
  absl::MutexLock lock(&shards_mu_);
  for (const std::unique_ptr<ShardState>& shard : shards_) {
    shard->limiter().SetMaxRecordBytes(int64_t{kib} * 1024, now);
  }
}

StreamMeta StreamState::meta() const {
  StreamMeta meta;
  meta.id = id_;
  meta.name = name_;
  meta.creation_ms = creation_ms_;
  meta.max_record_size_kib = max_record_size_kib();
  meta.retention_hours = retention_hours();
  absl::MutexLock lock(&shards_mu_);
  meta.shards.reserve(shards_.size());
  for (const std::unique_ptr<ShardState>& shard : shards_) {
    meta.shards.push_back(shard->meta());
  }
  meta.scaling_ms = scaling_ms_;
  meta.stream_mode = stream_mode();
  meta.mode_change_ms = mode_change_ms_;
  return meta;
}

int StreamState::shard_count() const {
  absl::MutexLock lock(&shards_mu_);
  return static_cast<int>(shards_.size());
}

ShardState* StreamState::shard(uint32_t index) const {
  absl::MutexLock lock(&shards_mu_);
  return index < shards_.size() ? shards_[index].get() : nullptr;
}

std::vector<ChildShard> StreamState::ChildShardsOf(uint32_t index) const {
  std::vector<ChildShard> children;
  absl::MutexLock lock(&shards_mu_);
  for (size_t i = index + 1; i < shards_.size(); ++i) {
    const ShardState& shard = *shards_[i];
    if (shard.parent_index() != index &&
        shard.adjacent_parent_index() != index) {
      continue;
    }
    ChildShard child;
    child.shard_id = ShardIdOf(shard.index());
    child.parent_shards.push_back(ShardIdOf(*shard.parent_index()));
    if (shard.adjacent_parent_index().has_value()) {
      child.parent_shards.push_back(ShardIdOf(*shard.adjacent_parent_index()));
    }
    child.hash_key_range = shard.hash_key_range();
    children.push_back(std::move(child));
  }
  return children;
}

int64_t StreamState::ShardStartMs(const ShardState& shard) const {
  if (!shard.parent_index().has_value()) return creation_ms_;
  const ShardState* parent = this->shard(*shard.parent_index());
  return parent != nullptr ? parent->closed_ms() : creation_ms_;
}

bool StreamState::ShardExpired(const ShardState& shard, absl::Time now) const {
  return !shard.open() &&
         shard.closed_ms() <
             absl::ToUnixMillis(now - absl::Hours(retention_hours()));
}

std::shared_ptr<const ShardRouter> StreamState::router() const {
  absl::MutexLock lock(&shards_mu_);
  return router_;
}

StreamTags StreamState::tags() const {
  absl::MutexLock lock(&tags_mu_);
  return tags_;
}

StreamSettings StreamState::settings() const {
  absl::MutexLock lock(&tags_mu_);
  return settings_;
}

void StreamState::set_settings(StreamSettings settings) {
  absl::MutexLock lock(&tags_mu_);
  settings_ = std::move(settings);
}

void StreamState::set_tags(StreamTags tags) {
  absl::MutexLock lock(&tags_mu_);
  tags_ = std::move(tags);
}

StreamLimits StreamState::limits() const {
  absl::MutexLock lock(&limits_mu_);
  return limits_;
}

void StreamState::UpdateLimits(const StreamLimits& limits, absl::Time now) {
  absl::MutexLock lock(&limits_mu_);
  limits_ = limits;
  absl::MutexLock shards_lock(&shards_mu_);
  for (const std::unique_ptr<ShardState>& shard : shards_) {
    shard->limiter().Update(limits, now);
  }
}

void StreamState::ApplyReshard(const StreamMeta& after, absl::Time now) {
  absl::MutexLock limits_lock(&limits_mu_);
  absl::MutexLock lock(&shards_mu_);
  assert(after.shards.size() >= shards_.size());
  for (const ShardMeta& shard : after.shards) {
    if (shard.index < shards_.size()) {
      ShardState& existing = *shards_[shard.index];
      if (existing.open() && !shard.open()) {
        existing.Close(*shard.ending_counter, shard.closed_ms);
      }
      continue;
    }
    shards_.push_back(std::make_unique<ShardState>(
        ShardRef{id_, shard.index}, shard, limits_,
        int64_t{max_record_size_kib()} * 1024, now));
  }
  std::vector<ShardState*> open;
  for (const std::unique_ptr<ShardState>& shard : shards_) {
    if (shard->open()) open.push_back(shard.get());
  }
  router_ = std::make_shared<const ShardRouter>(std::move(open));
  scaling_ms_ = after.scaling_ms;
}

}  // namespace brook
