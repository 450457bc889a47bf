// A RocksDB FileSystem for tests of what storage meets in production, as
// LevelDB's and SQLite's test file systems do:
//   - faults: fail a chosen write, sync, rename or allocation with EIO or
//     ENOSPC, after letting a number of matching operations through;
//   - a small disk: a byte quota past which writes fail with ENOSPC, and
//     space taken by "another process", both reflected in GetFreeSpace();
//   - power loss: it remembers how many bytes of each write-ahead log file
//     were synced, so that a test can cut each log back to that size;
//   - a slow disk: writes to chosen files wait until the test lets them go,
//     so that a flush or compaction stays in progress.
// Injected failures happen before the operation: nothing is written,
// synced, renamed or allocated.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization (RocksDB calls it from its own threads).

#ifndef BROOK_TESTS_TESTING_FAULT_FS_H_
#define BROOK_TESTS_TESTING_FAULT_FS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace brook::testing {

enum class FaultOp { kWrite, kSync, kRename, kAllocate };
enum class FaultError { kIoError, kNoSpace };

struct Fault {
  FaultOp op = FaultOp::kWrite;
  FaultError error = FaultError::kIoError;
  // Only files whose name contains this (".log", ".sst", "MANIFEST",
  // "CURRENT", "RESERVE"); empty for any file.
  std::string file_part;
  // How many matching operations succeed before the first failure.
  int skip = 0;
  // How many matching operations then fail; -1 for every one until
  // ClearFaults().
  int times = 1;
};

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // What the file system knows of one file written through it.
  struct FileState {
    absl::Mutex mu;
    std::string name;
    bool is_log = false;
    uint64_t size ABSL_GUARDED_BY(mu) = 0;
    uint64_t allocated ABSL_GUARDED_BY(mu) = 0;
    uint64_t synced ABSL_GUARDED_BY(mu) = 0;
  };

  FaultFileSystem();

  const char* Name() const override { return "FaultFileSystem"; }

  // Arms `fault`, besides any armed already.
  void Inject(const Fault& fault);
  void ClearFaults();
  // How many operations failed by injection (faults or quota).
  int failures() const;
  // How many appends reached write-ahead log files.
  int64_t log_appends() const;

  // Limits the disk to `quota_bytes`, counting what `dir` holds now and
  // every byte written or allocated through this file system from now on.
  void SetQuota(const std::string& dir, uint64_t quota_bytes);
  // Space that another process holds on the same disk (replaces the last
  // figure), counted against the quota.
  void SetSpaceTakenElsewhere(uint64_t bytes);
  uint64_t used_bytes() const;

  // Holds each write to a file whose name contains `file_part` until
  // ReleaseWrites(). WaitForHeldWrite() returns once one is held.
  void HoldWrites(const std::string& file_part);
  void WaitForHeldWrite();
  void ReleaseWrites();

  // Truncates every log file written through this file system to its synced
  // size. REQUIRES: the database using it is closed.
  void DropUnsyncedLogData();

  // Fails with the armed fault of `op` on `name`, if any, or OK; first
  // waits while a write to `name` is held.
  rocksdb::IOStatus MaybeFail(FaultOp op, const std::string& name);
  // Charges `bytes` more to the quota: ENOSPC, charging nothing, past it.
  rocksdb::IOStatus Charge(const std::string& name, uint64_t bytes);
  void Refund(uint64_t bytes);

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus RenameFile(const std::string& source,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path,
                                 const rocksdb::IOOptions& options,
                                 uint64_t* free_bytes,
                                 rocksdb::IODebugContext* debug) override;

 private:
  struct ArmedFault {
    Fault fault;
    int skipped = 0;
    int failed = 0;
  };

  // Wraps `file`, opened at `name` with `existing_size` bytes, so that its
  // operations are counted and can fail.
  void Wrap(const std::string& name, uint64_t existing_size,
            std::unique_ptr<rocksdb::FSWritableFile>* file);
  // The bytes `name` takes on disk, and forgets it.
  uint64_t Forget(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<ArmedFault> faults_ ABSL_GUARDED_BY(mu_);
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t log_appends_ ABSL_GUARDED_BY(mu_) = 0;
  bool has_quota_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t quota_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t used_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t taken_elsewhere_ ABSL_GUARDED_BY(mu_) = 0;
  // Writes to files whose name contains hold_part_ wait while holding_.
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
  std::string hold_part_ ABSL_GUARDED_BY(mu_);
  int held_ ABSL_GUARDED_BY(mu_) = 0;
  // Every file written through this file system, by name.
  std::map<std::string, std::shared_ptr<FileState>> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_FAULT_FS_H_
