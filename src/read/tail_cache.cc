#include "read/tail_cache.h"

#include <utility>
#include <vector>

namespace brook {

absl::StatusOr<absl::optional<ShardReadResult>> ShardTailCache::Read(
    ShardRef shard, uint64_t from_counter, uint64_t last_visible_counter,
    size_t max_records, size_t max_bytes) const {
  // Decoded outside the lock: batches are immutable once shared.
  std::vector<std::shared_ptr<const CachedBatch>> batches;
  {
    absl::MutexLock lock(&mu_);
    if (from_counter < complete_from_) return absl::nullopt;
    // The batches that may hold `from_counter` or later: skip those below.
    auto first = batches_.begin();
    while (first != batches_.end() && (*first)->last_counter < from_counter) {
      ++first;
    }
    batches.assign(first, batches_.end());
  }
  ShardReadCollector collector(shard, from_counter, last_visible_counter,
                               max_records, max_bytes);
  for (const std::shared_ptr<const CachedBatch>& batch : batches) {
    absl::StatusOr<bool> more =
        collector.Add(batch->first_counter, batch->encoded, batch->encryption);
    if (!more.ok()) {
      absl::StatusOr<ShardReadResult> read = std::move(collector).FinishBefore(
          batch->first_counter, more.status());
      if (!read.ok()) return read.status();
      return *std::move(read);
    }
    if (!*more) break;
  }
  return std::move(collector).Finish();
}

void ShardTailCache::Append(std::shared_ptr<const CachedBatch> batch) {
  absl::MutexLock lock(&mu_);
  if (batches_.empty() && complete_from_ == UINT64_MAX) {
    complete_from_ = batch->first_counter;
  }
  batches_.push_back(std::move(batch));
}

void ShardTailCache::DropOldest() {
  absl::MutexLock lock(&mu_);
  // The shard's next batch, if any, starts above this one's last counter;
  // no record of the shard lies in between.
  complete_from_ = batches_.front()->last_counter + 1;
  batches_.pop_front();
}

void TailCache::Add(const std::shared_ptr<ShardTailCache>& tail,
                    std::shared_ptr<const CachedBatch> batch) {
  const size_t size = batch->encoded.size();
  tail->Append(std::move(batch));
  absl::MutexLock lock(&mu_);
  entries_.push_back({tail, size});
  bytes_ += size;
  while (bytes_ > budget_bytes_) {
    Entry oldest = std::move(entries_.front());
    entries_.pop_front();
    bytes_ -= oldest.bytes;
    if (std::shared_ptr<ShardTailCache> owner = oldest.tail.lock()) {
      owner->DropOldest();
    }
  }
}

}  // namespace brook
