// Ownership of a Brook data directory: the format marker that says a
// directory is Brook's, and the advisory lock that keeps a second Broker
// (in this process or another), or an offline reader such as brook verify,
// out while one holds it.
//
// Thread safety: a DataDirLock is not thread-safe; the Broker owns it.
// Lifetime: the lock is held until the DataDirLock is destroyed.

#ifndef BROOK_STORAGE_DATA_DIR_H_
#define BROOK_STORAGE_DATA_DIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace brook {

// The on-disk format this build gives new directories; it reads this one
// and every older one. Bump it when a persisted layout changes
// incompatibly; older builds then refuse the directory.
//   1  the first format.
//   2  plaintext record batches carry a CRC32C (storage/record_batch.h),
//      which readers check instead of RocksDB's checksums.
// A directory keeps the format it was created with: Brook writes a format-1
// directory in format 1, so that the build that made it can still open it.
inline constexpr int kDataDirFormatVersion = 2;

// Whether the record batches of a directory of `format_version` are
// checksummed (storage/record_batch.h).
inline bool BatchesChecksummed(int format_version) {
  return format_version >= 2;
}

// Where the store of the data directory `dir` keeps its files.
std::string StorePathOf(const std::string& dir);

// Marks `dir`, an existing directory, as a Brook data directory of
// `format_version` (that of the store it holds). The marker appears whole or
// not at all (a temporary file renamed into place, both synced), so it is
// written last when a directory is filled from elsewhere (a backup): until then
// the directory is not taken for a Brook directory.
absl::Status MarkDataDir(const std::string& dir, int format_version);

// fsync()s the file or directory `path`; InternalFailure if it cannot.
absl::Status SyncPath(const std::string& path);

// OK if `dir` holds a Brook data directory of a format this build reads;
// else, as DataDirLock::Acquire() without create_if_missing.
absl::Status CheckDataDir(const std::string& dir);

class DataDirLock {
 public:
  // DataDirLock::Acquire()
  //
  // Checks that `dir` is a Brook directory of a format this build reads (or
  // creates it, when missing or empty and `create_if_missing`), then takes
  // its lock. Fails, touching nothing, with InvalidArgumentException (not a
  // Brook directory), ResourceInUseException (a newer format, or held by
  // another Broker), ResourceNotFoundException (missing or empty, and not
  // to be created) or DataLoss (the directory is Brook's, and damaged: a
  // marker that is not of the one form Brook writes, or a store without
  // its marker).
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(
      const std::string& dir, bool create_if_missing);

  // DataDirLock::AcquireToRead()
  //
  // As Acquire() without create_if_missing, for a reader that writes
  // nothing (brook verify, a restore's source): it creates no file, not
  // even the LOCK file a Broker leaves, yet keeps Brokers of this build out
  // while it holds the lock, and is refused while one holds it.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> AcquireToRead(
      const std::string& dir);

  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  // The data directory.
  const std::string& dir() const { return dir_; }
  // Where the store (storage/store.h) keeps its files, inside the directory.
  const std::string& store_path() const { return store_path_; }
  // The directory's format, from its marker.
  int format_version() const { return format_version_; }

 private:
  enum class Mode { kOpen, kCreateIfMissing, kRead };

  static absl::StatusOr<std::unique_ptr<DataDirLock>> Take(
      const std::string& dir, Mode mode);

  // `lock_fd` is -1 when a reader found no LOCK file.
  DataDirLock(int dir_fd, int lock_fd, std::string dir, int format_version)
      : dir_fd_(dir_fd),
        lock_fd_(lock_fd),
        dir_(std::move(dir)),
        store_path_(StorePathOf(dir_)),
        format_version_(format_version) {}

  int dir_fd_;
  int lock_fd_;
  std::string dir_;
  std::string store_path_;
  int format_version_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_DATA_DIR_H_
