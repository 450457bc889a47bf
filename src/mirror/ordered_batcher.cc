#include "mirror/ordered_batcher.h"

#include <cassert>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace brook {

void OrderedBatcher::Add(std::vector<Record> records) {
  for (Record& record : records) {
    queue_.push_back(Entry{std::move(record), false});
    ++pending_;
  }
}

std::vector<const Record*> OrderedBatcher::Batch(size_t max_records,
                                                 size_t max_bytes) {
  assert(batch_.empty());
  std::vector<const Record*> batch;
  absl::flat_hash_set<absl::string_view> keys;
  size_t bytes = 0;
  for (size_t i = 0; i < queue_.size() && batch.size() < max_records; ++i) {
    const Entry& entry = queue_[i];
    if (entry.forwarded) continue;
    const Record& record = entry.record;
    // A key seen once (sent now or waiting) holds back its later records.
    if (!keys.insert(record.partition_key).second) continue;
    const size_t size = record.data.size() + record.partition_key.size();
    if (!batch.empty() && bytes + size > max_bytes) break;
    bytes += size;
    batch.push_back(&record);
    batch_.push_back(i);
  }
  return batch;
}

void OrderedBatcher::Complete(const std::vector<bool>& landed) {
  assert(landed.size() == batch_.size());
  for (size_t i = 0; i < batch_.size(); ++i) {
    if (!landed[i]) continue;
    queue_[batch_[i]].forwarded = true;
    ++forwarded_in_queue_;
  }
  batch_.clear();
  while (!queue_.empty() && queue_.front().forwarded) {
    prefix_end_ = queue_.front().record.sequence_number;
    queue_.pop_front();
    --pending_;
    --forwarded_in_queue_;
  }
}

absl::optional<SequenceNumber> OrderedBatcher::TakeForwardedPrefix() {
  return std::exchange(prefix_end_, absl::nullopt);
}

absl::optional<absl::Time> OrderedBatcher::oldest_pending_arrival() const {
  for (const Entry& entry : queue_) {
    if (!entry.forwarded) return entry.record.approximate_arrival_timestamp;
  }
  return absl::nullopt;
}

}  // namespace brook
