#include "storage/store.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "storage/rocksdb_status.h"

namespace brook {
namespace {

rocksdb::ColumnFamilyOptions RecordFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  // Batches are large sequential values: bigger memtables mean fewer,
  // larger flushes.
  options.write_buffer_size = size_t{64} << 20;
  options.max_write_buffer_number = 4;
  // Batch values go to blob files when their memtable flushes and are never
  // rewritten by compaction, which then moves only keys: each record is
  // written twice (log and blob file) instead of once per LSM level. Blob
  // garbage collection stays off: records are deleted oldest first (whole
  // streams, and retention), so a blob file becomes garbage as a whole and
  // is dropped without relocating anything, while collection would copy
  // live blobs on every compaction.
  options.enable_blob_files = true;
  options.min_blob_size = 256;
  options.blob_file_size = size_t{256} << 20;
  // Record data is the application's: often already compressed, and
  // compressing it here costs more CPU than the disk it saves.
  options.compression = rocksdb::kNoCompression;
  options.blob_compression_type = rocksdb::kNoCompression;
  return options;
}

rocksdb::DBOptions DatabaseOptions() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 2;
  // The meta family is written rarely; without a bound its memtable would
  // keep every log file alive.
  options.max_total_wal_size = size_t{512} << 20;
  // Flushes and compactions write large files once and never read them back
  // soon: bypassing the page cache saves a copy per byte and keeps dirty
  // pages from stalling the log writes that acknowledgements wait for.
  options.use_direct_io_for_flush_and_compaction = true;
  options.bytes_per_sync = size_t{1} << 20;
  return options;
}

// Discards RocksDB's informational log, so that a read-only open leaves the
// directory's files as they were (a new log file would rotate the old one).
class SilentLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

}  // namespace

// -----------------------------------------------------------------------------
// StoreIterator
// -----------------------------------------------------------------------------

struct StoreIterator::Rep {
  Rep(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, KeyRange range)
      : range(std::move(range)),
        lower(this->range.begin),
        upper(this->range.end) {
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower;
    options.iterate_upper_bound = &upper;
    iterator.reset(db->NewIterator(options, family));
  }

  // The bounds the RocksDB iterator points at.
  const KeyRange range;
  const rocksdb::Slice lower;
  const rocksdb::Slice upper;
  std::unique_ptr<rocksdb::Iterator> iterator;
};

StoreIterator::StoreIterator(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
StoreIterator::StoreIterator(StoreIterator&&) noexcept = default;
StoreIterator& StoreIterator::operator=(StoreIterator&&) noexcept = default;
StoreIterator::~StoreIterator() = default;

void StoreIterator::SeekToFirst() { rep_->iterator->SeekToFirst(); }
void StoreIterator::SeekToLast() { rep_->iterator->SeekToLast(); }
void StoreIterator::Seek(absl::string_view key) {
  rep_->iterator->Seek(ToSlice(key));
}
void StoreIterator::SeekForPrev(absl::string_view key) {
  rep_->iterator->SeekForPrev(ToSlice(key));
}
void StoreIterator::Next() { rep_->iterator->Next(); }
bool StoreIterator::Valid() const { return rep_->iterator->Valid(); }
absl::string_view StoreIterator::key() const {
  return ToView(rep_->iterator->key());
}
absl::string_view StoreIterator::value() const {
  return ToView(rep_->iterator->value());
}
absl::Status StoreIterator::status() const {
  return FromRocksDb("reading the store", rep_->iterator->status());
}

// -----------------------------------------------------------------------------
// Store
// -----------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& path, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store);
  rocksdb::DBOptions db_options = DatabaseOptions();
  if (options.file_system.get() != nullptr) {
    store->env_ = rocksdb::NewCompositeEnv(options.file_system.get());
    db_options.env = store->env_.get();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"records", RecordFamilyOptions()},
      {"time_index", rocksdb::ColumnFamilyOptions()},
  };
  if (options.read_only) db_options.info_log = std::make_shared<SilentLogger>();
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors,
                                         &store->families_, &db)
          : rocksdb::DB::Open(db_options, path, descriptors, &store->families_,
                              &db);
  BROOK_RETURN_IF_ERROR(FromRocksDb(
      absl::StrCat("cannot open the store at '", path, "'"), opened));
  store->db_.reset(db);
  store->read_only_ = options.read_only;
  return store;
}

Store::~Store() { Close().IgnoreError(); }

rocksdb::ColumnFamilyHandle* Store::handle(Family family) const {
  switch (family) {
    case Family::kMeta:
      return families_[0];
    case Family::kRecords:
      return families_[1];
    case Family::kTimeIndex:
      return families_[2];
  }
  return nullptr;
}

absl::Status Store::Write(const StoreWrite& write, Durability durability) {
  BROOK_RETURN_IF_ERROR(write.status_);
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  options.disableWAL = durability == Durability::kNoWal;
  return FromRocksDb("writing to the store",
                     db_->Write(options, write.batch_.get()));
}

absl::Status Store::CompactRecords() {
  // Flushing every family first lets RocksDB delete log files that only a
  // rarely written family (meta) still pinned.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  BROOK_RETURN_IF_ERROR(
      FromRocksDb("flushing the store", db_->Flush(flush, families_)));
  rocksdb::CompactRangeOptions options;
  // Range tombstones are dropped only by a compaction that reaches the
  // bottom of the tree.
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (Family family : {Family::kRecords, Family::kTimeIndex}) {
    BROOK_RETURN_IF_ERROR(FromRocksDb(
        "compacting the record store",
        db_->CompactRange(options, handle(family), nullptr, nullptr)));
  }
  return absl::OkStatus();
}

absl::Status Store::Checkpoint(const std::string& path) {
  rocksdb::Checkpoint* raw = nullptr;
  BROOK_RETURN_IF_ERROR(FromRocksDb(
      "preparing a checkpoint", rocksdb::Checkpoint::Create(db_.get(), &raw)));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // A log_size_for_flush of 0 flushes every memtable first.
  return FromRocksDb(absl::StrCat("writing a checkpoint to '", path, "'"),
                     checkpoint->CreateCheckpoint(path,
                                                  /*log_size_for_flush=*/0));
}

absl::Status Store::VerifyChecksums() {
  return FromRocksDb("verifying the store's checksums", db_->VerifyChecksum());
}

absl::Status Store::SyncWal() {
  return FromRocksDb("syncing the write-ahead log", db_->SyncWAL());
}

absl::StatusOr<absl::optional<std::string>> Store::Get(Family family,
                                                       absl::string_view key) {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), handle(family), ToSlice(key), &value);
  if (status.IsNotFound()) return absl::nullopt;
  BROOK_RETURN_IF_ERROR(FromRocksDb("reading the store", status));
  return value;
}

StoreIterator Store::NewIterator(Family family, KeyRange range) {
  return StoreIterator(std::make_unique<StoreIterator::Rep>(
      db_.get(), handle(family), std::move(range)));
}

absl::Status Store::TEST_PutRaw(Family family, absl::string_view key,
                                absl::string_view value) {
  return FromRocksDb("writing to the store",
                     db_->Put(rocksdb::WriteOptions(), handle(family),
                              ToSlice(key), ToSlice(value)));
}

void Store::TEST_CloseWithoutFlush() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    db_->DestroyColumnFamilyHandle(family).PermitUncheckedError();
  }
  families_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

absl::Status Store::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  absl::Status result;
  if (!read_only_) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    result = FromRocksDb("flushing the store", db_->Flush(flush, families_));
  }
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    result.Update(FromRocksDb("closing the store",
                              db_->DestroyColumnFamilyHandle(family)));
  }
  families_.clear();
  result.Update(FromRocksDb("closing the store", db_->Close()));
  db_.reset();
  return result;
}

}  // namespace brook
