// Reading a shard as consumers see it: from no earlier than the trim point,
// up to the visible watermark, and knowing when a closed shard has been
// read to its end; from the shard's in-memory tail when it holds the
// records asked for, else from the log. GetRecords and fan-out
// subscriptions both read this way.

#ifndef BROOK_CATALOG_SHARD_READER_H_
#define BROOK_CATALOG_SHARD_READER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "catalog/stream_state.h"
#include "storage/shard_log.h"

namespace brook {

struct VisibleRead {
  // Records from max(from_counter, trim point) on, none older than the
  // stream's retention period at `now` (records the background trim has
  // not removed yet are skipped all the same); `next_counter` is where the
  // next read continues.
  ShardReadResult read;
  // The shard is closed and this read returned its last record (or there
  // was none left): nothing more will ever be read from it.
  bool reached_end = false;
  // Kinesis' MillisBehindLatest: 0 when the read reached the shard's
  // newest record; otherwise how long before the newest record the last
  // record returned (or, with none returned, the next one) arrived, and
  // at least 1. Example: r0 arrived at T and r1 at T + 10 s; a read of one
  // record from r0 returns r0 and 10,000.
  int64_t millis_behind_latest = 0;
};

// Reads up to `max_records` records (and `max_bytes`, past the first
// record) of `shard`, of `stream`, from `from_counter`, at `now`.
absl::StatusOr<VisibleRead> ReadVisible(const ShardLog& log,
                                        const StreamState& stream,
                                        const ShardState& shard,
                                        uint64_t from_counter,
                                        size_t max_records, size_t max_bytes,
                                        absl::Time now);

}  // namespace brook

#endif  // BROOK_CATALOG_SHARD_READER_H_
