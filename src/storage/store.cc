#include "storage/store.h"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/clock.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/listener.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "storage/flush_pacer.h"
#include "storage/rocksdb_status.h"

namespace brook {
namespace {

constexpr char kRecordsFamily[] = "records";
// Batches are large sequential values: bigger memtables mean fewer, larger
// flushes.
constexpr size_t kRecordMemtableBytes = size_t{64} << 20;
constexpr int kRecordMemtables = 4;

rocksdb::ColumnFamilyOptions RecordFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = kRecordMemtableBytes;
  options.max_write_buffer_number = kRecordMemtables;
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
  // One flush thread and one compaction thread; the flush pacer counts on
  // one flush at a time.
  options.max_background_jobs = 2;
  options.keep_log_file_num = 2;
  // The meta family is written rarely; without a bound its memtable would
  // keep every log file alive.
  options.max_total_wal_size = size_t{512} << 20;
  // Flushes and compactions write through the page cache; RocksDB starts
  // the writeback of each MiB as it is written. With direct I/O, it keeps
  // one write of its buffer in flight at a time: on a disk whose every
  // write waits behind the log's cache flushes, a memtable flush then ran at
  // a third of the disk's bandwidth, and puts stalled behind the memtables
  // waiting for it. Through the page cache, 1 KiB durable puts ran 1.3 to
  // 2.6 times as fast (docs/benchmarks.md, "Flush I/O"). The records
  // family's flushes are paced besides (storage/flush_pacer.h).
  options.bytes_per_sync = size_t{1} << 20;
  // Readers scan: a consumer reads a shard's batches in key order, and so
  // each blob file front to back. RocksDB's default hint of random access
  // turns off the kernel's readahead, which then fills the page cache one
  // 4 KiB page at a time; without it, the cache holds large folios, and a
  // warm read of a batch costs the kernel a few folio lookups instead of one
  // per page (a third of the blob read in a profile of a 512 MiB drain).
  // Flushes and compactions do their own I/O, and point reads of the meta
  // family touch small files.
  options.advise_random_on_open = false;
  // Point-in-time recovery takes the first damaged or missing byte of the
  // log for its end, so a deleted or shortened log would open as a shorter
  // history, acknowledged writes silently gone. With tracking, the manifest
  // records each closed log's synced size, and opening fails (Corruption,
  // so DataLoss) if such a log is missing or shorter. RocksDB 7.8 tracks no
  // size of the live log, whose damage stays undetected: see "What damage
  // to the write-ahead log is detected" in docs/storage-format.md.
  options.track_and_verify_wals_in_manifest = true;
  return options;
}

// Whether the store directory `path` holds files with data in them (tables,
// blob files, logs) but no CURRENT file naming the manifest that lists
// them. RocksDB would create an empty store there, and its first cleanup
// would delete those files as obsolete.
bool DataFilesWithoutCurrent(rocksdb::FileSystem& file_system,
                             const std::string& path) {
  std::vector<std::string> children;
  if (!file_system.GetChildren(path, rocksdb::IOOptions(), &children, nullptr)
           .ok()) {
    return false;  // No directory yet: a new store.
  }
  bool current = false;
  bool data = false;
  for (const std::string& name : children) {
    current = current || name == "CURRENT";
    data = data || absl::EndsWith(name, ".sst") ||
           absl::EndsWith(name, ".blob") || absl::EndsWith(name, ".log");
  }
  return data && !current;
}

// Discards RocksDB's informational log, so that a read-only open leaves the
// directory's files as they were (a new log file would rotate the old one).
class SilentLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

absl::string_view ReasonText(rocksdb::BackgroundErrorReason reason) {
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush:
    case rocksdb::BackgroundErrorReason::kFlushNoWAL:
      return "flushing a memtable";
    case rocksdb::BackgroundErrorReason::kCompaction:
      return "compacting";
    case rocksdb::BackgroundErrorReason::kWriteCallback:
      return "writing the write-ahead log";
    case rocksdb::BackgroundErrorReason::kMemTable:
      return "writing a memtable";
    case rocksdb::BackgroundErrorReason::kManifestWrite:
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
      return "writing the manifest";
  }
  return "in the background";
}

// Tells the gate of every failure RocksDB records, including those of its
// background flushes and compactions, which no write of Brook's returns.
// Runs on RocksDB's threads; must not call into the database.
class GateListener : public rocksdb::EventListener {
 public:
  explicit GateListener(WriteGate* gate) : gate_(gate) {}

  // Recovery from a stop is Brook's, on its own thread (write/
  // write_recovery.h), so that writes resume only after the watermarks are
  // republished, and so that RocksDB's own attempt cannot race it. A
  // compaction that found no room stops nothing; RocksDB may retry it.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason,
                            rocksdb::Status /*error*/,
                            bool* auto_recovery) override {
    if (reason != rocksdb::BackgroundErrorReason::kCompaction) {
      *auto_recovery = false;
    }
  }

  void OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                         rocksdb::Status* error) override {
    const absl::Status status = FromRocksDb(ReasonText(reason), *error);
    if (error->severity() >= rocksdb::Status::Severity::kHardError) {
      // RocksDB refuses writes from here on: so does Brook, at once.
      gate_->Fail(status);
    } else if (status.code() == absl::StatusCode::kResourceExhausted) {
      // A compaction found no room; writes go on, but not into a full disk.
      gate_->SetLowSpace(status);
    }
  }

 private:
  WriteGate* const gate_;
};

}  // namespace

// Counts the changes of RocksDB's write-stall condition into a delay or a
// stop. Runs on RocksDB's threads; must not call into the database.
class StallCounter : public rocksdb::EventListener {
 public:
  void OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) override {
    switch (info.condition.cur) {
      case rocksdb::WriteStallCondition::kDelayed:
        delayed_.fetch_add(1, std::memory_order_relaxed);
        break;
      case rocksdb::WriteStallCondition::kStopped:
        stopped_.fetch_add(1, std::memory_order_relaxed);
        break;
      case rocksdb::WriteStallCondition::kNormal:
        break;
    }
  }

  int64_t delayed() const { return delayed_.load(std::memory_order_relaxed); }
  int64_t stopped() const { return stopped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> delayed_{0};
  std::atomic<int64_t> stopped_{0};
};

namespace {

// What every call on a store without a database returns: after Close(), or
// after a reopen that failed (see Store::ResumeDatabase()).
absl::Status ClosedError() { return InternalFailure("the store is closed"); }

// Space is measured again after this many bytes of writes: a sixteenth of
// the floor, within [256 KiB, 16 MiB].
uint64_t CheckStepBytes(uint64_t min_free_bytes) {
  return std::clamp<uint64_t>(min_free_bytes / 16, uint64_t{256} << 10,
                              uint64_t{16} << 20);
}

}  // namespace

// -----------------------------------------------------------------------------
// StoreIterator
// -----------------------------------------------------------------------------

struct StoreIterator::Rep {
  // Counts itself in `live` for its life, so that the store does not reopen
  // its database under it (see Store::ResumeDatabase()). Created while the
  // store holds its database lock.
  Rep(std::atomic<int>* live, rocksdb::DB* db,
      rocksdb::ColumnFamilyHandle* family, KeyRange range, ReadChecks checks)
      : live(live),
        range(std::move(range)),
        lower(this->range.begin),
        upper(this->range.end) {
    live->fetch_add(1);
    if (db == nullptr) return;  // Closed: the iterator is empty, failed.
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower;
    options.iterate_upper_bound = &upper;
    options.verify_checksums = checks == ReadChecks::kStore;
    iterator.reset(db->NewIterator(options, family));
  }
  ~Rep() {
    iterator.reset();
    live->fetch_sub(1);
  }

  std::atomic<int>* const live;
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

void StoreIterator::SeekToFirst() {
  if (rep_->iterator != nullptr) rep_->iterator->SeekToFirst();
}
void StoreIterator::SeekToLast() {
  if (rep_->iterator != nullptr) rep_->iterator->SeekToLast();
}
void StoreIterator::Seek(absl::string_view key) {
  if (rep_->iterator != nullptr) rep_->iterator->Seek(ToSlice(key));
}
void StoreIterator::SeekForPrev(absl::string_view key) {
  if (rep_->iterator != nullptr) rep_->iterator->SeekForPrev(ToSlice(key));
}
void StoreIterator::Next() { rep_->iterator->Next(); }
bool StoreIterator::Valid() const {
  return rep_->iterator != nullptr && rep_->iterator->Valid();
}
absl::string_view StoreIterator::key() const {
  return ToView(rep_->iterator->key());
}
absl::string_view StoreIterator::value() const {
  return ToView(rep_->iterator->value());
}
absl::Status StoreIterator::status() const {
  if (rep_->iterator == nullptr) return ClosedError();
  return FromRocksDbOnStoreFiles("reading the store", rep_->iterator->status());
}

// -----------------------------------------------------------------------------
// Store
// -----------------------------------------------------------------------------

Store::Store(std::string path, std::shared_ptr<rocksdb::FileSystem> file_system,
             const StoreOptions& options)
    : path_(std::move(path)),
      file_system_(std::move(file_system)),
      read_only_(options.read_only),
      format_version_(options.format_version),
      clock_(options.clock),
      listener_(std::make_shared<GateListener>(&gate_)),
      stalls_(std::make_shared<StallCounter>()),
      min_free_bytes_(options.min_free_disk_bytes),
      reserve_(file_system_, options.reserve_dir, options.min_free_disk_bytes),
      check_step_bytes_(CheckStepBytes(options.min_free_disk_bytes)) {
  if (options.file_system.get() != nullptr) {
    env_ = rocksdb::NewCompositeEnv(file_system_);
  }
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& path, const StoreOptions& options) {
  std::shared_ptr<rocksdb::FileSystem> file_system = options.file_system.get();
  if (file_system == nullptr) file_system = rocksdb::FileSystem::Default();
  std::unique_ptr<Store> store(new Store(path, file_system, options));
  BROOK_RETURN_IF_ERROR(store->OpenDatabase());
  // Failing to measure, or to allocate the reserve file, leaves writes as
  // they are: the background check tries again.
  store->CheckSpace().IgnoreError();
  return store;
}

absl::Status Store::OpenDatabase() {
  BROOK_ASSIGN_OR_RETURN(const bool below_floor, MakeRoomToOpen());
  absl::MutexLock lock(&db_mu_);
  return OpenDatabaseLocked(below_floor);
}

absl::StatusOr<bool> Store::MakeRoomToOpen() {
  if (min_free_bytes_ == 0 || read_only_) return false;
  absl::MutexLock lock(&space_mu_);
  absl::StatusOr<uint64_t> free_bytes = reserve_.FreeBytes();
  if (!free_bytes.ok() ||
      reserve_.CheckFloor(*free_bytes, /*unflushed_bytes=*/0).ok()) {
    return false;
  }
  BROOK_RETURN_IF_ERROR(reserve_.ReleaseFile());
  return true;
}

absl::Status Store::OpenDatabaseLocked(bool below_floor) {
  rocksdb::DBOptions db_options = DatabaseOptions();
  if (env_ != nullptr) db_options.env = env_.get();
  db_options.listeners.push_back(listener_);
  db_options.listeners.push_back(stalls_);
  pacer_ = std::make_shared<FlushPacer>(kRecordsFamily, kRecordMemtableBytes,
                                        kRecordMemtables, clock_);
  pacer_->InstallIn(db_options);
  // Opening writes a new manifest and log, and by default flushes what the
  // log replays: on a full disk, keep the replayed writes in the log until
  // a later flush.
  db_options.avoid_flush_during_recovery = below_floor;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kRecordsFamily, RecordFamilyOptions()},
      {"time_index", rocksdb::ColumnFamilyOptions()},
  };
  if (read_only_) db_options.info_log = std::make_shared<SilentLogger>();
  if (DataFilesWithoutCurrent(*file_system_, path_)) {
    return DataLoss(absl::StrCat(
        "cannot open the store at '", path_,
        "': it holds data files but no CURRENT file (damaged); a new store "
        "is not created over them"));
  }
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened =
      read_only_
          ? rocksdb::DB::OpenForReadOnly(db_options, path_, descriptors,
                                         &families_, &db)
          : rocksdb::DB::Open(db_options, path_, descriptors, &families_, &db);
  BROOK_RETURN_IF_ERROR(FromRocksDbOnStoreFiles(
      absl::StrCat("cannot open the store at '", path_, "'"), opened));
  db_.reset(db);
  return absl::OkStatus();
}

Store::~Store() { Close().IgnoreError(); }

rocksdb::ColumnFamilyHandle* Store::handle(Family family) const {
  if (families_.empty()) return nullptr;
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
  // Refused here rather than by RocksDB, whose refusal would stop writes.
  if (read_only_) return InternalFailure("the store is open read-only");
  if (write.adds_data()) CheckSpaceBefore(write.batch_->GetDataSize());
  BROOK_RETURN_IF_ERROR(gate_.Admit(write.adds_data()));
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  options.disableWAL = durability == Durability::kNoWal;
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  absl::Status status = FromRocksDb("writing to the store",
                                    db_->Write(options, write.batch_.get()));
  if (!status.ok()) return Stop(std::move(status));
  if (options.sync) pacer_->LogSynced();
  return absl::OkStatus();
}

absl::Status Store::Stop(absl::Status failure) {
  gate_.Fail(failure);
  return failure;
}

void Store::CheckSpaceBefore(size_t bytes) {
  if (min_free_bytes_ == 0) return;
  const uint64_t since = bytes_since_check_.fetch_add(bytes) + bytes;
  if (since >= check_step_bytes_ || gate_.status() == WriteStatus::kLowSpace) {
    absl::MutexLock lock(&space_mu_);
    // An error measuring leaves the state as it was; the next check retries.
    MeasureSpace().status().IgnoreError();
  }
}

absl::StatusOr<uint64_t> Store::MeasureSpace() {
  bytes_since_check_.store(0);
  BROOK_ASSIGN_OR_RETURN(uint64_t free_bytes, reserve_.FreeBytes());
  const uint64_t unflushed = UnflushedBytes();
  if (absl::Status floor = reserve_.CheckFloor(free_bytes, unflushed);
      !floor.ok()) {
    gate_.SetLowSpace(floor);
  } else {
    gate_.ClearLowSpace();
  }
  return free_bytes > unflushed ? free_bytes - unflushed : 0;
}

absl::Status Store::CheckSpace() {
  if (min_free_bytes_ == 0 || read_only_) return absl::OkStatus();
  absl::MutexLock lock(&space_mu_);
  BROOK_ASSIGN_OR_RETURN(uint64_t usable_bytes, MeasureSpace());
  switch (gate_.status()) {
    case WriteStatus::kStoppedNoSpace:
      // Room for the store to flush and take deletions.
      return reserve_.ReleaseFile();
    case WriteStatus::kAccepting:
      return reserve_.ReplenishFile(usable_bytes);
    case WriteStatus::kLowSpace:
    case WriteStatus::kStopped:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

uint64_t Store::UnflushedBytes() {
  absl::ReaderMutexLock lock(&db_mu_);
  uint64_t bytes = 0;
  // Failing to read the property leaves 0: the floor alone then applies.
  if (db_ == nullptr || !db_->GetAggregatedIntProperty(
                            "rocksdb.cur-size-all-mem-tables", &bytes)) {
    return 0;
  }
  return bytes;
}

absl::Status Store::Resume(absl::FunctionRef<absl::Status()> republish) {
  if (gate_.status() != WriteStatus::kStoppedNoSpace) return absl::OkStatus();
  if (min_free_bytes_ > 0) {
    absl::MutexLock lock(&space_mu_);
    BROOK_RETURN_IF_ERROR(reserve_.ReleaseFile());
  }
  BROOK_RETURN_IF_ERROR(ResumeDatabase());
  BROOK_RETURN_IF_ERROR(republish());
  absl::Status floor;
  if (min_free_bytes_ > 0) {
    absl::MutexLock lock(&space_mu_);
    BROOK_ASSIGN_OR_RETURN(uint64_t free_bytes, reserve_.FreeBytes());
    floor = reserve_.CheckFloor(free_bytes, UnflushedBytes());
  }
  gate_.Resumed(floor);
  return absl::OkStatus();
}

absl::Status Store::ResumeDatabase() {
  {
    absl::ReaderMutexLock lock(&db_mu_);
    if (db_ == nullptr) return ClosedError();
    uint64_t entries = 0;
    if (db_->GetAggregatedIntProperty("rocksdb.num-entries-active-mem-table",
                                      &entries) &&
        entries > 0) {
      // RocksDB flushes every memtable to a new file, starting a new log,
      // before it takes writes again: the writes whose log sync failed are
      // in a memtable, and become durable here.
      return FromRocksDb("resuming the store", db_->Resume());
    }
  }
  // With every active memtable empty, RocksDB 7.8 resumes without starting
  // a new log, and the next write goes to the log file that failed, whose
  // writer refuses it for good (facebook/rocksdb#12998; in a build with
  // assertions, it aborts): reopen instead, as a restart would. Nothing in
  // memory is lost; the log is replayed.
  BROOK_ASSIGN_OR_RETURN(const bool below_floor, MakeRoomToOpen());
  absl::Status opened;
  {
    absl::MutexLock lock(&db_mu_);
    // Iterators hold no lock (a reader may write, or open another iterator,
    // while one is live): a reopen waits for a moment without any. Reads
    // are short, so the next round of the caller finds one.
    if (live_iterators_.load() > 0) {
      return InternalFailure(
          "reads are under way; the store reopens at the next check");
    }
    CloseDatabase(/*flush=*/false).IgnoreError();
    opened = OpenDatabaseLocked(below_floor);
  }
  // Without a database the store serves nothing; only reopening the Broker
  // can help now.
  if (!opened.ok()) gate_.Fail(InternalFailure(opened.message()));
  return opened;
}

absl::Status Store::CompactRecords(const absl::optional<KeyRange>& range) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  // Flushing every family first lets RocksDB delete log files that only a
  // rarely written family (meta) still pinned.
  BROOK_RETURN_IF_ERROR(FlushEveryFamily());
  rocksdb::CompactRangeOptions options;
  // Range tombstones are dropped only by a compaction that reaches the
  // bottom of the tree.
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForceOptimized;
  rocksdb::Slice begin;
  rocksdb::Slice end;
  if (range.has_value()) {
    begin = ToSlice(range->begin);
    end = ToSlice(range->end);
  }
  for (Family family : {Family::kRecords, Family::kTimeIndex}) {
    BROOK_RETURN_IF_ERROR(
        FromRocksDb("compacting the record store",
                    db_->CompactRange(options, handle(family),
                                      range.has_value() ? &begin : nullptr,
                                      range.has_value() ? &end : nullptr)));
  }
  return absl::OkStatus();
}

absl::Status Store::Checkpoint(const std::string& path) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  rocksdb::Checkpoint* raw = nullptr;
  BROOK_RETURN_IF_ERROR(FromRocksDb(
      "preparing a checkpoint", rocksdb::Checkpoint::Create(db_.get(), &raw)));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // A log_size_for_flush of 0 flushes every memtable first.
  pacer_->Unpace();
  return FromRocksDb(absl::StrCat("writing a checkpoint to '", path, "'"),
                     checkpoint->CreateCheckpoint(path,
                                                  /*log_size_for_flush=*/0));
}

StoreStats Store::Stats() const {
  StoreStats stats;
  stats.write_stalls_delayed = stalls_->delayed();
  stats.write_stalls_stopped = stalls_->stopped();
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return stats;
  // A property RocksDB cannot read leaves its figure at 0.
  uint64_t value = 0;
  for (Family family : {Family::kMeta, Family::kRecords, Family::kTimeIndex}) {
    if (db_->GetIntProperty(
            handle(family),
            rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &value)) {
      stats.pending_compaction_bytes += value;
    }
  }
  uint64_t stopped = 0;
  uint64_t delayed_rate = 0;  // Bytes per second; 0 while not delayed.
  db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped);
  db_->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate,
                      &delayed_rate);
  stats.write_stalled = stopped != 0 || delayed_rate != 0;
  return stats;
}

uint64_t Store::ApproximateBytes(const KeyRange& range) const {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return 0;
  const rocksdb::Range ranges[] = {{range.begin, range.end}};
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  uint64_t total = 0;
  for (Family family : {Family::kRecords, Family::kTimeIndex}) {
    uint64_t bytes = 0;
    if (db_->GetApproximateSizes(options, handle(family), ranges, 1, &bytes)
            .ok()) {
      total += bytes;
    }
  }
  return total;
}

absl::Status Store::VerifyChecksums() {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  return FromRocksDbOnStoreFiles("verifying the store's checksums",
                                 db_->VerifyChecksum());
}

absl::Status Store::SyncWal() {
  BROOK_RETURN_IF_ERROR(gate_.Admit(/*adds_data=*/false));
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  absl::Status status =
      FromRocksDb("syncing the write-ahead log", db_->SyncWAL());
  if (!status.ok()) return Stop(std::move(status));
  pacer_->LogSynced();
  return absl::OkStatus();
}

absl::StatusOr<absl::optional<std::string>> Store::Get(Family family,
                                                       absl::string_view key) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), handle(family), ToSlice(key), &value);
  if (status.IsNotFound()) return absl::nullopt;
  BROOK_RETURN_IF_ERROR(FromRocksDbOnStoreFiles("reading the store", status));
  return value;
}

StoreIterator Store::NewIterator(Family family, KeyRange range,
                                 ReadChecks checks) {
  absl::ReaderMutexLock lock(&db_mu_);
  return StoreIterator(std::make_unique<StoreIterator::Rep>(
      &live_iterators_, db_.get(), db_ != nullptr ? handle(family) : nullptr,
      std::move(range), checks));
}

absl::Status Store::TEST_Flush(Family family) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  return FromRocksDb("flushing",
                     db_->Flush(rocksdb::FlushOptions(), handle(family)));
}

int64_t Store::TEST_FlushPace() const {
  absl::ReaderMutexLock lock(&db_mu_);
  return pacer_->pace();
}

absl::Status Store::TEST_WaitForBackgroundWork() {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  // Pausing waits for the running jobs; nothing else is paused after.
  BROOK_RETURN_IF_ERROR(
      FromRocksDb("pausing background work", db_->PauseBackgroundWork()));
  return FromRocksDb("resuming background work", db_->ContinueBackgroundWork());
}

absl::Status Store::TEST_SetFamilyOptions(
    Family family,
    const std::vector<std::pair<std::string, std::string>>& rocksdb_options) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  std::unordered_map<std::string, std::string> options(rocksdb_options.begin(),
                                                       rocksdb_options.end());
  return FromRocksDb("setting options",
                     db_->SetOptions(handle(family), options));
}

absl::Status Store::TEST_PutRaw(Family family, absl::string_view key,
                                absl::string_view value) {
  absl::ReaderMutexLock lock(&db_mu_);
  if (db_ == nullptr) return ClosedError();
  return FromRocksDb("writing to the store",
                     db_->Put(rocksdb::WriteOptions(), handle(family),
                              ToSlice(key), ToSlice(value)));
}

void Store::TEST_CloseWithoutFlush() {
  absl::MutexLock lock(&db_mu_);
  CloseDatabase(/*flush=*/false).IgnoreError();
}

absl::Status Store::Close() {
  // A stopped store cannot flush, and closing its log repeats the failure
  // that stopped it, which the gate has reported already: what it took is
  // in the log, which the next open replays.
  const WriteStatus status = gate_.status();
  const bool stopped =
      status == WriteStatus::kStopped || status == WriteStatus::kStoppedNoSpace;
  absl::MutexLock lock(&db_mu_);
  absl::Status closed = CloseDatabase(/*flush=*/!stopped && !read_only_);
  return stopped ? absl::OkStatus() : closed;
}

absl::Status Store::FlushEveryFamily() {
  pacer_->Unpace();
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocksDb("flushing the store", db_->Flush(options, families_));
}

absl::Status Store::CloseDatabase(bool flush) {
  if (db_ == nullptr) return absl::OkStatus();
  absl::Status result;
  if (flush) result = FlushEveryFamily();
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

// -----------------------------------------------------------------------------
// RocksDB's CRC32C
// -----------------------------------------------------------------------------

// RocksDB checksums every write-ahead log record, blob record and table
// block with CRC32C, through this one function. Debian builds RocksDB
// portable, without SSE4.2, so its own definition is the table-driven
// software loop: at 1 KiB records it was a fifth of brookd's CPU, half in
// the log and half in the blob files. This definition, in the program that
// links Brook, takes the place of the shared library's (which calls it
// through its procedure linkage table), and computes the same standard
// CRC32C with the crc32 instruction where the CPU has it. Files written
// with either verify with the other. A test (StoreCrc32cTest) checks that
// the replacement is in effect; a RocksDB that stopped calling this function
// would lose only the speed, not correctness.
namespace rocksdb::crc32c {

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  return brook::Crc32cExtend(init_crc, absl::string_view(data, n));
}

}  // namespace rocksdb::crc32c
