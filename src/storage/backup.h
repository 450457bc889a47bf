// Backups of a data directory, and restoring one. A backup is itself a
// complete Brook data directory: it can be opened as is, or restored (copied)
// to where a Broker will own it.
//
//   dir/BROOK   the format marker (storage/data_dir.h), written last
//   dir/db/     the store: a checkpoint of the live one (Store::Checkpoint)
//
// The marker is written only once the store is complete, so a backup that a
// crash or an error interrupted is never taken for a data directory: opening
// it fails with InvalidArgumentException ("not a Brook data directory").
//
// Thread safety: safe for concurrent use; two backups to one destination
// conflict (one fails).

#ifndef BROOK_STORAGE_BACKUP_H_
#define BROOK_STORAGE_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace brook {

// What a backup or a restore wrote.
struct DataDirCopyStats {
  int64_t bytes = 0;
  int files = 0;
};

// BackupStore()
//
// Makes `destination` a data directory holding a consistent copy of
// `store`, the live store of the data directory `source_dir`: every shard
// holds a prefix of the records written to it, with the metadata, consumers,
// checkpoints and counter reservation of that same moment. `destination`
// must not exist or be an empty directory, and must not lie inside
// `source_dir`. Fails with InvalidArgumentException for a bad destination,
// NoSpace (kResourceExhausted) when the file system fills up, else
// InternalFailure; a failed backup removes what it wrote.
absl::StatusOr<DataDirCopyStats> BackupStore(Store& store,
                                             const std::string& source_dir,
                                             const std::string& destination);

// RestoreDataDir()
//
// Copies the data directory `backup` to `destination` (which must not
// exist, or be an empty directory), syncing every file, so that a Broker can
// open it there. Holds `backup`'s lock meanwhile: a directory that a Broker
// holds is refused (ResourceInUseException), and nothing is written to
// `backup`. Fails as DataDirLock::AcquireToRead() for a `backup` that is not
// a Brook data directory, with InvalidArgumentException for a bad
// destination, else as BackupStore; a failed restore removes what it wrote.
absl::StatusOr<DataDirCopyStats> RestoreDataDir(const std::string& backup,
                                                const std::string& destination);

}  // namespace brook

#endif  // BROOK_STORAGE_BACKUP_H_
