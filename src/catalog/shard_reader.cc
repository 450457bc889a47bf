#include "catalog/shard_reader.h"

#include <algorithm>
#include <utility>

namespace brook {

absl::StatusOr<VisibleRead> ReadVisible(const ShardLog& log,
                                        const ShardState& shard,
                                        uint64_t from_counter,
                                        size_t max_records, size_t max_bytes) {
  // Before the watermark: if the shard is closed and wholly visible now,
  // a read up to the watermark loaded next sees all it will ever hold.
  const bool final_watermark = shard.ClosedAndFullyVisible();
  const uint64_t visible = shard.last_visible_counter();
  // Records older than the retention period are gone; continue after them.
  const uint64_t from = std::max(from_counter, shard.trim_counter());
  VisibleRead result;
  if (from > visible) {
    result.read.next_counter = from;
  } else {
    absl::StatusOr<absl::optional<ShardReadResult>> cached =
        shard.tail()->Read(shard.ref(), from, visible, max_records, max_bytes);
    if (!cached.ok()) return cached.status();
    if (cached->has_value()) {
      result.read = **std::move(cached);
    } else {
      absl::StatusOr<ShardReadResult> read =
          log.Read(shard.ref(), from, visible, max_records, max_bytes);
      if (!read.ok()) return read.status();
      result.read = *std::move(read);
    }
  }
  result.reached_end =
      final_watermark && !result.read.next_arrival_ms.has_value();
  return result;
}

}  // namespace brook
