// Ownership of a Brook data directory: the format marker that says a
// directory is Brook's, and the advisory lock that keeps a second Broker
// (in this process or another) out while one holds it.
//
// Thread safety: a DataDirLock is not thread-safe; the Broker owns it.
// Lifetime: the lock is held until the DataDirLock is destroyed.

#ifndef BROOK_STORAGE_DATA_DIR_H_
#define BROOK_STORAGE_DATA_DIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace brook {

// The on-disk format this build writes and reads. Bump it when a persisted
// layout changes incompatibly; older builds then refuse the directory.
inline constexpr int kDataDirFormatVersion = 1;

class DataDirLock {
 public:
  // DataDirLock::Acquire()
  //
  // Checks that `dir` is a Brook directory of a format this build reads (or
  // creates it, when missing or empty and `create_if_missing`), then takes
  // its lock. Fails, touching nothing, with InvalidArgumentException (not a
  // Brook directory), ResourceInUseException (a newer format, or held by
  // another Broker) or ResourceNotFoundException (missing, and not to be
  // created).
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(
      const std::string& dir, bool create_if_missing);

  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  // Where the store (storage/store.h) keeps its files, inside the directory.
  const std::string& store_path() const { return store_path_; }

 private:
  DataDirLock(int fd, std::string store_path)
      : fd_(fd), store_path_(std::move(store_path)) {}

  int fd_;
  std::string store_path_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_DATA_DIR_H_
