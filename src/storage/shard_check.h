// Offline check of one shard's stored records (brook verify): every batch
// key parses, every batch decodes whole (RocksDB's block and blob checksums
// are verified as it is read, and so is the batch's own CRC32C in a
// format-2 directory), batches follow each other without overlap
// inside the shard's counters, arrival times never decrease, and the time
// index holds exactly one entry per batch, with the batch's arrival time.
//
// Thread safety: pure function of the store's contents.

#ifndef BROOK_STORAGE_SHARD_CHECK_H_
#define BROOK_STORAGE_SHARD_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/optional.h"
#include "common/shard_ref.h"
#include "storage/meta_values.h"
#include "storage/store.h"

namespace brook {

// What a shard holds, as read.
struct ShardCheckStats {
  // Batches read whole; those found damaged or left unread past damage
  // (counted by their time index entries) are not among them.
  int64_t batches = 0;
  int64_t damaged_batches = 0;
  int64_t records = 0;
  // Data plus partition key bytes.
  int64_t bytes = 0;
  // The counter of the newest record read; nullopt if none.
  absl::optional<uint64_t> last_counter;
};

// The most problems reported per shard; more are counted in one line.
inline constexpr int kMaxProblemsPerShard = 10;

// CheckShardLog()
//
// Reads every batch and time index entry of `shard`, described by `meta`,
// and appends the problems found to `problems`, each prefixed by `where`.
// Returns the figures read, or InternalFailure when reading failed for
// another reason than damaged data (damage is a problem, not a failure).
absl::StatusOr<ShardCheckStats> CheckShardLog(
    Store& store, ShardRef shard, const ShardMeta& meta,
    const std::string& where, std::vector<std::string>* problems);

}  // namespace brook

#endif  // BROOK_STORAGE_SHARD_CHECK_H_
