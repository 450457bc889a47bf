// The store behind a Broker: a RocksDB database with three column families,
//   meta        streams, consumers, checkpoints, counters and secrets (small,
//               rarely written);
//   records     record batches, keyed by shard and first counter;
//   time_index  (shard, arrival time) -> first counter of a batch.
// Key layouts live in storage/keys.h, value layouts in storage/record_batch.h
// and storage/meta_values.h. Everything is written through StoreWrite and
// Store::Write(), and read through ShardLog (records) and MetaReader (meta).
//
// storage/ is the only part of Brook that knows RocksDB: this is where its
// statuses become Brook's (corruption is DataLoss, a full disk NoSpace, any
// other failure InternalFailure; see storage/rocksdb_status.h).
//
// Failures stop writes (storage/write_gate.h): after a failed write, log
// sync or background flush, every later write fails fast while reads go
// on. A full disk stops them until Resume(); any other failure until the
// store is reopened. Below its free-space floor (storage/disk_reserve.h)
// the store refuses writes that add data and takes those that delete.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: StoreWrites and StoreIterators must be destroyed before the
// Store, and StoreIterators before Close().

#ifndef BROOK_STORAGE_STORE_H_
#define BROOK_STORAGE_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "brook/clock.h"
#include "brook/options.h"
#include "brook/write_state.h"
#include "storage/data_dir.h"
#include "storage/disk_reserve.h"
#include "storage/file_system.h"
#include "storage/keys.h"
#include "storage/store_write.h"
#include "storage/write_gate.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class EventListener;
class FileSystem;
}  // namespace rocksdb

namespace brook {

enum class Family { kMeta, kRecords, kTimeIndex };

// Who checks the bytes an iterator reads: RocksDB (its block, blob and log
// checksums), or the caller alone, for reads of which it verifies every
// value itself (checksummed and sealed record batches).
enum class ReadChecks { kStore, kCallerVerifiesEveryValue };

// An iterator over the keys of one family within a KeyRange, in key order.
// Not thread-safe.
class StoreIterator {
 public:
  StoreIterator(StoreIterator&&) noexcept;
  StoreIterator& operator=(StoreIterator&&) noexcept;
  ~StoreIterator();

  void SeekToFirst();
  void SeekToLast();
  // To the first key at or after `key`.
  void Seek(absl::string_view key);
  // To the last key at or before `key`.
  void SeekForPrev(absl::string_view key);
  // REQUIRES: Valid().
  void Next();

  // Whether the iterator stands on a key; false past either end or after an
  // error (see status()).
  bool Valid() const;
  // REQUIRES: Valid(). Valid until the iterator moves.
  absl::string_view key() const;
  absl::string_view value() const;
  // OK, or what stopped the iteration: DataLoss if RocksDB found damage,
  // InternalFailure on an I/O error.
  absl::Status status() const;

 private:
  friend class Store;
  struct Rep;
  explicit StoreIterator(std::unique_ptr<Rep> rep);

  std::unique_ptr<Rep> rep_;
};

struct StoreOptions {
  // Where the store's files live (a test seam; see storage/file_system.h).
  StoreFileSystem file_system;
  // Open without changing any file (the log is replayed in memory only), for
  // offline checks; Write() and the other changing methods then fail.
  bool read_only = false;
  // The free-space floor (see storage/disk_reserve.h); 0 for none.
  uint64_t min_free_disk_bytes = 0;
  // The directory of the reserve file: the data directory.
  std::string reserve_dir;
  // The format of the data directory the store belongs to
  // (storage/data_dir.h): in format 2 and later, plaintext record batches
  // are stored checksummed.
  int format_version = kDataDirFormatVersion;
  // The clock by which the flush pacer (storage/flush_pacer.h) times how
  // long memtables take to fill (a test seam). Must outlive the store.
  Clock* clock = Clock::Real();
};

// What RocksDB reports of its own health, for metrics.
struct StoreStats {
  // Times RocksDB began to delay writes, and to stop them, since the store
  // opened (each column family counts on its own).
  int64_t write_stalls_delayed = 0;
  int64_t write_stalls_stopped = 0;
  // Whether writes are delayed or stopped now.
  bool write_stalled = false;
  // Bytes compaction estimates it must rewrite, over every family.
  uint64_t pending_compaction_bytes = 0;
};

class FlushPacer;
class StallCounter;

class Store {
 public:
  // Store::Open()
  //
  // Opens (creating if needed) the database at `path`. Below the free-space
  // floor it first deletes the reserve file and does not flush what the log
  // replays, so that a full disk still opens. Fails with DataLoss if RocksDB
  // finds its files damaged (including a closed write-ahead log that is
  // missing or shorter than when it was synced), NoSpace if even so there is
  // no room, else InternalFailure.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& path, const StoreOptions& options = StoreOptions());

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A write to fill and hand to Write(), its buffer sized for
  // `reserved_bytes` (it grows past that as needed).
  StoreWrite NewWrite(size_t reserved_bytes = 0) const {
    return StoreWrite(this, reserved_bytes);
  }

  // Store::Write()
  //
  // The one way to change the store: applies `write` atomically with the
  // crash semantics of `durability`. Fails fast, writing nothing, while the
  // gate refuses it (see WriteGate::Admit()). If the write itself fails,
  // writes stop and the write may or may not have reached the log.
  absl::Status Write(const StoreWrite& write, Durability durability);

  // Store::SyncWal()
  //
  // Makes every write so far durable, as if each had been written with
  // Durability::kSync. Fails fast while writes are stopped; a failure stops
  // writes.
  absl::Status SyncWal();

  // Whether the store takes writes, and why not.
  WriteState write_state() const { return gate_.state(); }

  // OK if a write that adds data would be let through now, else the status
  // that Write() would refuse it with: for callers that refuse early.
  absl::Status AdmitWrite() const { return gate_.Admit(/*adds_data=*/true); }

  // Store::CheckSpace()
  //
  // Measures free space: enters or leaves the low-space state, deletes the
  // reserve file while writes are stopped by a full disk, and creates it
  // again once there is room for it. Writes measure space too, but only
  // this call touches the reserve file, so that no write waits for it.
  absl::Status CheckSpace();

  // Store::Resume()
  //
  // After a full disk stopped writes (kStoppedNoSpace): lets RocksDB resume,
  // which flushes every memtable, so that every write that reached the log
  // is durable; then runs `republish` while writes are still stopped; then
  // opens the gate (to low space if below the floor). Fails, leaving writes
  // stopped, if there is still no room. Does nothing in any other state.
  absl::Status Resume(absl::FunctionRef<absl::Status()> republish);

  // Store::CompactRecords()
  //
  // Flushes every family and compacts the records and time index families
  // (within `range` only, when given), so that deleted ranges release their
  // files.
  absl::Status CompactRecords(
      const absl::optional<KeyRange>& range = absl::nullopt);

  // Store::Checkpoint()
  //
  // Makes `path` (which must not exist) a consistent copy of the store as it
  // is now, openable by Open(): a prefix of the writes applied so far,
  // whole writes only. Immutable files are hard-linked when `path` is on the
  // same file system, copied otherwise; memtables are flushed first, so that
  // writes made without the log (Durability::kNoWal) are in the copy. Writes
  // go on meanwhile. Fails with NoSpace when the file system is full, else
  // InternalFailure; a failed checkpoint leaves no `path` behind.
  absl::Status Checkpoint(const std::string& path);

  // Store::Stats()
  //
  // RocksDB's write stalls and compaction debt, now. Zero without a
  // database.
  StoreStats Stats() const;

  // Store::ApproximateBytes()
  //
  // RocksDB's estimate of the bytes the keys in `range` take in the
  // records and time index families, on disk and in memtables; 0 without a
  // database.
  uint64_t ApproximateBytes(const KeyRange& range) const;

  // Store::VerifyChecksums()
  //
  // Reads every table file and checks its block checksums: DataLoss names
  // the first damaged file.
  absl::Status VerifyChecksums();

  // Store::Get()
  //
  // Returns the value of `key` in `family`, or nullopt if absent.
  absl::StatusOr<absl::optional<std::string>> Get(Family family,
                                                  absl::string_view key);

  // An iterator over `range` of `family`. With
  // ReadChecks::kCallerVerifiesEveryValue RocksDB skips its own checksums:
  // only for a caller that verifies every value it reads.
  StoreIterator NewIterator(Family family, KeyRange range,
                            ReadChecks checks = ReadChecks::kStore);

  // The data directory's format, and whether plaintext record batches are
  // stored checksummed in it (see StoreOptions).
  int format_version() const { return format_version_; }
  bool checksummed_batches() const {
    return BatchesChecksummed(format_version_);
  }

  // Store::Close()
  //
  // Flushes memtables (so that kNoWal writes reach disk) and closes the
  // database; a stopped store closes without flushing (the log holds what
  // it took). Idempotent; other methods must not be called afterwards.
  absl::Status Close();

  // Closes without flushing, as a crash would leave the files (the log is
  // then all that holds the latest writes). For tests.
  void TEST_CloseWithoutFlush();

  // Flushes the memtables of `family` to a new level-0 file, and changes
  // RocksDB options of `family` as DB::SetOptions does: for tests that make
  // RocksDB stall writes.
  absl::Status TEST_Flush(Family family);
  // Waits for the flushes and compactions running now to end (their errors
  // reported), for tests that must know the outcome of background work
  // started under an injected fault.
  absl::Status TEST_WaitForBackgroundWork();
  absl::Status TEST_SetFamilyOptions(
      Family family,
      const std::vector<std::pair<std::string, std::string>>& rocksdb_options);

  // The rate, in bytes/s, the flush pacer's limiter allows the records
  // family's flushes now.
  int64_t TEST_FlushPace() const;

  // Stores `value` under `key` as is, bypassing every layout: for tests that
  // plant damaged keys and values.
  absl::Status TEST_PutRaw(Family family, absl::string_view key,
                           absl::string_view value);

 private:
  friend class StoreWrite;
  Store(std::string path, std::shared_ptr<rocksdb::FileSystem> file_system,
        const StoreOptions& options);

  // Opens the database at path_ (below the floor: without the reserve file
  // and without flushing what the log replays).
  absl::Status OpenDatabase() ABSL_LOCKS_EXCLUDED(db_mu_, space_mu_);
  // Below the floor, releases the reserve file so that an open has room;
  // returns whether the store is below its floor.
  absl::StatusOr<bool> MakeRoomToOpen() ABSL_LOCKS_EXCLUDED(space_mu_);
  // Opens the database at path_; `below_floor`: without flushing what the
  // log replays.
  absl::Status OpenDatabaseLocked(bool below_floor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  // Resumes the stopped database: through RocksDB if a memtable holds
  // writes, else by reopening it, which fails while an iterator is live.
  absl::Status ResumeDatabase() ABSL_LOCKS_EXCLUDED(db_mu_);
  absl::Status CloseDatabase(bool flush) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  // The handle of `family`, or nullptr without a database.
  rocksdb::ColumnFamilyHandle* handle(Family family) const
      ABSL_SHARED_LOCKS_REQUIRED(db_mu_);
  // Measures space if `bytes` more bring the writes since the last check to
  // a step of the floor, or if space is low already.
  void CheckSpaceBefore(size_t bytes) ABSL_LOCKS_EXCLUDED(space_mu_);
  // Measures free space, enters or leaves the low-space state (unless
  // stopped), and returns the bytes free beyond what flushing will take.
  absl::StatusOr<uint64_t> MeasureSpace()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(space_mu_);
  // Flushes every family's memtables and waits, a flush already running at
  // the pacer's maximum.
  absl::Status FlushEveryFamily() ABSL_SHARED_LOCKS_REQUIRED(db_mu_);
  // Records a failed write or sync; returns `failure`.
  absl::Status Stop(absl::Status failure);
  // Bytes in memtables, which flushing them will write.
  uint64_t UnflushedBytes() ABSL_LOCKS_EXCLUDED(db_mu_);

  const std::string path_;
  WriteGate gate_;
  const std::shared_ptr<rocksdb::FileSystem> file_system_;
  // The environment of a file system other than the default, for RocksDB;
  // must outlive db_.
  std::unique_ptr<rocksdb::Env> env_;
  const bool read_only_;
  const int format_version_;
  Clock* const clock_;
  // Reports RocksDB's background failures to gate_.
  std::shared_ptr<rocksdb::EventListener> listener_;
  // Counts RocksDB's write stalls.
  std::shared_ptr<StallCounter> stalls_;

  const uint64_t min_free_bytes_;
  absl::Mutex space_mu_ ABSL_ACQUIRED_BEFORE(db_mu_);  // Serializes checks.
  DiskReserve reserve_ ABSL_GUARDED_BY(space_mu_);
  // Bytes written since space was last measured, and how many may be
  // written between measurements.
  std::atomic<uint64_t> bytes_since_check_{0};
  const uint64_t check_step_bytes_;

  // Held shared for the length of every call that uses the database, and
  // exclusively to open or close it. Never held across calls, so that a
  // thread may read or write while it has an iterator open.
  mutable absl::Mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  // Paces the records family's flushes of the open database; told of every
  // sync of the log.
  std::shared_ptr<FlushPacer> pacer_ ABSL_GUARDED_BY(db_mu_);
  std::vector<rocksdb::ColumnFamilyHandle*> families_ ABSL_GUARDED_BY(db_mu_);
  // Iterators not yet destroyed; the database reopens only when there are
  // none (they point into it).
  std::atomic<int> live_iterators_{0};
};

}  // namespace brook

#endif  // BROOK_STORAGE_STORE_H_
