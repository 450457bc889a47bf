// The records of one shard on their way to another stream, batched so
// that no partition key's order can break whatever the destination does
// with a batch: a PutRecords request holds at most one record per
// partition key (the oldest not yet forwarded), so a record that fails
// (throttled, say) is never overtaken by a later record of its key in the
// same request, and stays first in line for its key until it lands.
//
// Example: pending A1 B1 A2 C1 B2. The first batch is A1 B1 C1. If B1 is
// throttled, the second is B1 A2 (B2 waits behind B1), and the forwarded
// prefix, which the mirror may checkpoint, ends at A1.
//
// Thread safety: not thread-safe.

#ifndef BROOK_MIRROR_ORDERED_BATCHER_H_
#define BROOK_MIRROR_ORDERED_BATCHER_H_

#include <cstddef>
#include <deque>
#include <vector>

#include "absl/types/optional.h"
#include "brook/records.h"

namespace brook {

class OrderedBatcher {
 public:
  // Adds records read from the shard, in order, after those already added.
  void Add(std::vector<Record> records);

  // The next batch: up to `max_records` records of `max_bytes` (data plus
  // partition keys) at most, the oldest pending record of each key, in
  // shard order; at least one record while any is pending. Call Complete()
  // before the next Batch().
  std::vector<const Record*> Batch(size_t max_records, size_t max_bytes);

  // Records which records of the last batch landed (`landed[i]` for the
  // i-th); the others stay pending in their places.
  void Complete(const std::vector<bool>& landed);

  // The last record of the longest forwarded prefix, if it moved since the
  // last call: everything up to it has landed.
  absl::optional<SequenceNumber> TakeForwardedPrefix();

  size_t pending() const { return pending_ - forwarded_in_queue_; }
  // When the oldest record not yet forwarded arrived (nullopt if none).
  absl::optional<absl::Time> oldest_pending_arrival() const;

 private:
  struct Entry {
    Record record;
    bool forwarded = false;
  };

  std::deque<Entry> queue_;
  // Positions in queue_ of the last batch's records.
  std::vector<size_t> batch_;
  size_t pending_ = 0;
  size_t forwarded_in_queue_ = 0;
  absl::optional<SequenceNumber> prefix_end_;
};

}  // namespace brook

#endif  // BROOK_MIRROR_ORDERED_BATCHER_H_
