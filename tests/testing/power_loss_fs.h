// A RocksDB FileSystem for tests that remembers, for every write-ahead log
// file, how many of its bytes were synced, so that a test can cut each log
// back to that size: what a power loss leaves of log writes that reached
// the OS but not the disk.

#ifndef BROOK_TESTS_TESTING_POWER_LOSS_FS_H_
#define BROOK_TESTS_TESTING_POWER_LOSS_FS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace brook::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // How much of one log file was written and synced.
  struct LogState {
    absl::Mutex mu;
    uint64_t written ABSL_GUARDED_BY(mu) = 0;
    uint64_t synced ABSL_GUARDED_BY(mu) = 0;
  };

  PowerLossFileSystem();

  const char* Name() const override { return "PowerLossFileSystem"; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* debug) override;

  // Truncates every log file written through this file system to its synced
  // size. REQUIRES: the database using it is closed.
  void DropUnsyncedLogData();

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<LogState>> logs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_POWER_LOSS_FS_H_
