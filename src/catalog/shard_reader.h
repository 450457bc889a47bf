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
  // Records from max(from_counter, trim point) on; `next_counter` is where
  // the next read continues.
  ShardReadResult read;
  // The shard is closed and this read returned its last record (or there
  // was none left): nothing more will ever be read from it.
  bool reached_end = false;
};

// Reads up to `max_records` records (and `max_bytes`, past the first
// record) of `shard` from `from_counter`.
absl::StatusOr<VisibleRead> ReadVisible(const ShardLog& log,
                                        const ShardState& shard,
                                        uint64_t from_counter,
                                        size_t max_records, size_t max_bytes);

}  // namespace brook

#endif  // BROOK_CATALOG_SHARD_READER_H_
