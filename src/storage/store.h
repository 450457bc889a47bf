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
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: StoreWrites and StoreIterators must be destroyed before the
// Store.

#ifndef BROOK_STORAGE_STORE_H_
#define BROOK_STORAGE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/options.h"
#include "storage/file_system.h"
#include "storage/keys.h"
#include "storage/store_write.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
}  // namespace rocksdb

namespace brook {

enum class Family { kMeta, kRecords, kTimeIndex };

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
};

class Store {
 public:
  // Store::Open()
  //
  // Opens (creating if needed) the database at `path`. Fails with DataLoss
  // if RocksDB finds its files damaged, else InternalFailure.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& path, const StoreOptions& options = StoreOptions());

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A write to fill and hand to Write().
  StoreWrite NewWrite() const { return StoreWrite(this); }

  // Store::Write()
  //
  // The one way to change the store: applies `write` atomically with the
  // crash semantics of `durability`.
  absl::Status Write(const StoreWrite& write, Durability durability);

  // Store::SyncWal()
  //
  // Makes every write so far durable, as if each had been written with
  // Durability::kSync.
  absl::Status SyncWal();

  // Store::CompactRecords()
  //
  // Flushes every family and compacts the records and time index families,
  // so that deleted ranges release their files.
  absl::Status CompactRecords();

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

  // An iterator over `range` of `family`.
  StoreIterator NewIterator(Family family, KeyRange range);

  // Store::Close()
  //
  // Flushes memtables (so that kNoWal writes reach disk) and closes the
  // database. Idempotent; other methods must not be called afterwards.
  absl::Status Close();

  // Closes without flushing, as a crash would leave the files (the log is
  // then all that holds the latest writes). For tests.
  void TEST_CloseWithoutFlush();

  // Stores `value` under `key` as is, bypassing every layout: for tests that
  // plant damaged keys and values.
  absl::Status TEST_PutRaw(Family family, absl::string_view key,
                           absl::string_view value);

 private:
  friend class StoreWrite;
  Store() = default;

  rocksdb::ColumnFamilyHandle* handle(Family family) const;

  // Owned here when the store runs on a file system other than the
  // default; must outlive db_.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  bool read_only_ = false;
};

}  // namespace brook

#endif  // BROOK_STORAGE_STORE_H_
