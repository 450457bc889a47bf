#include "storage/store.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/table.h"

namespace brook {
namespace {

absl::Status FromRocksDb(absl::string_view context,
                         const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return InternalFailureFrom(context, status.ToString());
}

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

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

}  // namespace

BoundedIterator::BoundedIterator(rocksdb::DB* db,
                                 rocksdb::ColumnFamilyHandle* family,
                                 std::string lower, std::string upper)
    : lower_(std::move(lower)),
      upper_(std::move(upper)),
      lower_slice_(lower_),
      upper_slice_(upper_) {
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice_;
  options.iterate_upper_bound = &upper_slice_;
  iterator_.reset(db->NewIterator(options, family));
}

absl::Status BoundedIterator::status() const {
  return FromRocksDb("reading the record store", iterator_->status());
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   rocksdb::Env* env) {
  rocksdb::DBOptions db_options;
  if (env != nullptr) db_options.env = env;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 2;
  // The meta family is written rarely; without a bound its memtable would
  // keep every log file alive.
  db_options.max_total_wal_size = size_t{512} << 20;
  // Flushes and compactions write large files once and never read them back
  // soon: bypassing the page cache saves a copy per byte and keeps dirty
  // pages from stalling the log writes that acknowledgements wait for.
  db_options.use_direct_io_for_flush_and_compaction = true;
  db_options.bytes_per_sync = size_t{1} << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"records", RecordFamilyOptions()},
      {"time_index", rocksdb::ColumnFamilyOptions()},
  };
  std::unique_ptr<Store> store(new Store);
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, path, descriptors, &store->families_, &db);
  if (!status.ok()) {
    return FromRocksDb(absl::StrCat("cannot open the store at '", path, "'"),
                       status);
  }
  store->db_.reset(db);
  return store;
}

Store::~Store() { Close().IgnoreError(); }

absl::Status Store::Write(rocksdb::WriteBatch* batch, Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  options.disableWAL = durability == Durability::kNoWal;
  return FromRocksDb("writing to the store", db_->Write(options, batch));
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
  for (rocksdb::ColumnFamilyHandle* family : {records(), time_index()}) {
    BROOK_RETURN_IF_ERROR(
        FromRocksDb("compacting the record store",
                    db_->CompactRange(options, family, nullptr, nullptr)));
  }
  return absl::OkStatus();
}

absl::Status Store::SyncWal() {
  return FromRocksDb("syncing the write-ahead log", db_->SyncWAL());
}

absl::StatusOr<absl::optional<std::string>> Store::GetMeta(
    absl::string_view key) {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), meta(), ToSlice(key), &value);
  if (status.IsNotFound()) return absl::nullopt;
  if (!status.ok()) return FromRocksDb("reading metadata", status);
  return value;
}

BoundedIterator Store::NewIterator(rocksdb::ColumnFamilyHandle* family,
                                   std::string lower, std::string upper) {
  return BoundedIterator(db_.get(), family, std::move(lower), std::move(upper));
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
  rocksdb::FlushOptions flush;
  flush.wait = true;
  absl::Status result =
      FromRocksDb("flushing the store", db_->Flush(flush, families_));
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    db_->DestroyColumnFamilyHandle(family).PermitUncheckedError();
  }
  families_.clear();
  if (result.ok()) result = FromRocksDb("closing the store", db_->Close());
  db_.reset();
  return result;
}

}  // namespace brook
