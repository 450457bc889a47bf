// -----------------------------------------------------------------------------
// File: brook/backup.h
// -----------------------------------------------------------------------------
//
// Online backup of a Broker's data directory (Broker::Backup) and restoring
// a backup (RestoreBackup). A backup is itself a complete data directory:
// Broker::Open() opens it as is, and RestoreBackup() copies it to where a
// Broker will own it.
//
// A backup is consistent: every shard holds a gap-free prefix of the records
// put to it (every acknowledged record up to the moment of the backup, and
// possibly some not yet acknowledged then), with the streams, shards,
// consumers and checkpoints of that same moment. A Broker that opens it
// hands out sequence numbers above every one it holds.
//
// Thread safety: plain values and a free function safe to call from any
// thread.

#ifndef BROOK_BACKUP_H_
#define BROOK_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace brook {

struct BackupRequest {
  // The directory to make the backup in. It must not exist (it is created,
  // with its parents) or be an empty directory, and must not lie inside the
  // Broker's data directory. On the data directory's file system, files
  // that never change are hard-linked rather than copied.
  std::string destination;
};

struct BackupResult {
  // The size of the backup's files, and how many there are.
  int64_t bytes = 0;
  int files = 0;
  // How long the backup took.
  absl::Duration duration;
};

// RestoreBackup()
//
// Copies the backup (or any closed data directory) `backup` to
// `destination`, which must not exist or be an empty directory, syncing
// every file; a Broker can then open `destination`. Fails with
// ResourceNotFoundException (no `backup`), InvalidArgumentException
// (`backup` is not a Brook data directory, or `destination` exists and is
// not empty), ResourceInUseException (a Broker holds `backup`) or
// InternalFailure (an I/O error; the code is kResourceExhausted when the
// disk is full). A failed restore removes what it wrote.
absl::StatusOr<BackupResult> RestoreBackup(absl::string_view backup,
                                           absl::string_view destination);

}  // namespace brook

#endif  // BROOK_BACKUP_H_
