// Offline verification of a whole data directory (brook verify), with the
// Broker closed: RocksDB's checksums of every table file, then the metadata
// (storage/meta_check.h) and every shard's records (storage/shard_check.h),
// records outside every known shard, consumers and checkpoints of streams
// that do not exist, and the counters that restart sequence numbering
// (the counter reservation above every counter used, the next stream id
// above every stream's).
//
// Nothing is written, and no file is created: the store is opened
// read-only, under the directory's lock (DataDirLock::AcquireToRead()), so
// that no Broker opens it meanwhile.
//
// Thread safety: one verification per directory at a time (the lock).

#ifndef BROOK_STORAGE_DATA_DIR_CHECK_H_
#define BROOK_STORAGE_DATA_DIR_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace brook {

// How far a verification has come; reported after each shard.
struct VerifyProgress {
  int shards_done = 0;
  int shards_total = 0;
  int64_t records = 0;
  int64_t bytes = 0;
};

struct VerifyReport {
  int streams = 0;
  int shards = 0;
  // Batches read whole, and batches damaged or unreadable (shard_check.h).
  int64_t batches = 0;
  int64_t damaged_batches = 0;
  int64_t records = 0;
  // Data plus partition key bytes of every record.
  int64_t bytes = 0;
  int consumers = 0;
  // Of local streams and of remote ones (brook/checkpoints.h).
  int checkpoints = 0;
  // One sentence per problem found; empty for a sound directory.
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
};

// VerifyDataDir()
//
// Checks the data directory `dir` and reports what it holds and every
// problem found, calling `progress` after each shard. Damage is always a
// problem of the report, even damage that stops the check (a damaged
// format marker, a store too damaged for RocksDB to open): then it is the
// only one; so is a store whose format marker is gone. Fails only when the
// check cannot run: ResourceNotFoundException (no such directory, or an
// empty one), InvalidArgumentException
// (not a Brook data directory), ResourceInUseException (a Broker holds it,
// or a newer Brook format that this build refuses to read) or
// InternalFailure (an I/O error).
absl::StatusOr<VerifyReport> VerifyDataDir(
    const std::string& dir,
    absl::FunctionRef<void(const VerifyProgress&)> progress);

}  // namespace brook

#endif  // BROOK_STORAGE_DATA_DIR_CHECK_H_
