// The RocksDB database behind a Broker and its column families:
//   meta        streams, counters and secrets (small, rarely written);
//   records     record batches, keyed by shard and first counter;
//   time_index  (shard, arrival time) -> first counter of a batch.
// Key layouts live in storage/keys.h; what reads and writes them, in
// storage/shard_log.h and catalog/.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization (RocksDB's guarantee).
// Lifetime: iterators from NewIterator() must be destroyed before the Store.

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
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace brook {

// A RocksDB iterator confined to [lower, upper), which owns its bounds.
class BoundedIterator {
 public:
  BoundedIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                  std::string lower, std::string upper);
  // Not movable: the RocksDB iterator points at the owned bounds.
  BoundedIterator(BoundedIterator&&) = delete;
  BoundedIterator& operator=(BoundedIterator&&) = delete;

  rocksdb::Iterator* operator->() { return iterator_.get(); }
  // OK, or InternalFailure if the iteration met an I/O error.
  absl::Status status() const;

 private:
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

class Store {
 public:
  // `env`, when set, replaces RocksDB's default environment (tests inject
  // faults through it); it must outlive the Store.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& path, rocksdb::Env* env = nullptr);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Store::Write()
  //
  // Applies `batch` atomically with the crash semantics of `durability`.
  absl::Status Write(rocksdb::WriteBatch* batch, Durability durability);

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

  // Store::GetMeta()
  //
  // Returns the value of `key` in the meta family, or nullopt if absent.
  absl::StatusOr<absl::optional<std::string>> GetMeta(absl::string_view key);

  BoundedIterator NewIterator(rocksdb::ColumnFamilyHandle* family,
                              std::string lower, std::string upper);

  // Store::Close()
  //
  // Flushes memtables (so that kNoWal writes reach disk) and closes the
  // database. Idempotent; other methods must not be called afterwards.
  absl::Status Close();

  // Closes without flushing, as a crash would leave the files (the log is
  // then all that holds the latest writes). For tests.
  void TEST_CloseWithoutFlush();

  rocksdb::ColumnFamilyHandle* meta() const { return families_[0]; }
  rocksdb::ColumnFamilyHandle* records() const { return families_[1]; }
  rocksdb::ColumnFamilyHandle* time_index() const { return families_[2]; }

 private:
  Store() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_STORE_H_
