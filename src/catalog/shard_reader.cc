#include "catalog/shard_reader.h"

#include <algorithm>
#include <utility>

namespace brook {

namespace {

// Drops the records that arrived before `horizon_ms` (they lead: arrival
// times never decrease within a shard).
void DropExpired(int64_t horizon_ms, std::vector<Record>* records) {
  const auto first_kept =
      std::find_if(records->begin(), records->end(), [&](const Record& record) {
        return absl::ToUnixMillis(record.approximate_arrival_timestamp) >=
               horizon_ms;
      });
  records->erase(records->begin(), first_kept);
}

absl::StatusOr<int64_t> MillisBehind(const ShardLog& log,
                                     const ShardState& shard,
                                     const ShardReadResult& read) {
  if (!read.next_arrival_ms.has_value()) return 0;
  const int64_t behind_ms =
      read.records.empty()
          ? *read.next_arrival_ms
          : absl::ToUnixMillis(
                read.records.back().approximate_arrival_timestamp);
  absl::StatusOr<absl::optional<ShardTail>> tail = log.Tail(shard.ref());
  if (!tail.ok()) return tail.status();
  const int64_t newest_ms =
      tail->has_value() ? (*tail)->arrival_ms : *read.next_arrival_ms;
  return std::max<int64_t>(1, newest_ms - behind_ms);
}

}  // namespace

absl::StatusOr<VisibleRead> ReadVisible(const ShardLog& log,
                                        const StreamState& stream,
                                        const ShardState& shard,
                                        uint64_t from_counter,
                                        size_t max_records, size_t max_bytes,
                                        absl::Time now) {
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
      absl::StatusOr<ShardReadResult> read = log.Read(
          shard.ref(), from, visible, max_records, max_bytes, stream.keys());
      if (!read.ok()) return read.status();
      result.read = *std::move(read);
    }
  }
  DropExpired(absl::ToUnixMillis(now - absl::Hours(stream.retention_hours())),
              &result.read.records);
  result.reached_end =
      final_watermark && !result.read.next_arrival_ms.has_value();
  absl::StatusOr<int64_t> behind = MillisBehind(log, shard, result.read);
  if (!behind.ok()) return behind.status();
  result.millis_behind_latest = *behind;
  return result;
}

}  // namespace brook
