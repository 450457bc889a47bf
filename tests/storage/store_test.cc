// The store's database lock: a reader may read and open more iterators
// while one is open, and the reopen that resuming after a full disk may
// need waits for a moment with no iterator open. Damage to the write-ahead
// log: what opening detects, and what it must accept. The flush pacer's
// wiring: which writes count as synced.

#include "storage/store.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/backup.h"
#include "storage/data_dir.h"
#include "storage/flush_pacer.h"
#include "storage/record_batch.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

// Store.cc's replacement of RocksDB's CRC32C.
namespace rocksdb::crc32c {
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
}  // namespace rocksdb::crc32c

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultFileSystem;
using ::brook::testing::FaultOp;
using ::brook::testing::HasCode;
using ::brook::testing::TempDir;
using ::testing::HasSubstr;

const ShardRef kShard{1, 0};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.file_system = StoreFileSystem(fs_);
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(temp_.path(), options);
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  absl::Status Append(uint64_t counter) {
    std::string encoded;
    EncodeRecordBatch(100, {{"k", "data"}}, &encoded);
    StoreWrite write = store_->NewWrite();
    write.AppendBatch(kShard, counter, 100, encoded);
    return store_->Write(write, Durability::kSync);
  }

  int CountBatches() {
    StoreIterator it = store_->NewIterator(Family::kRecords, ShardKeys(kShard));
    int batches = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++batches;
    EXPECT_OK(it.status());
    return batches;
  }

  // Fills the disk under a write with every memtable empty: the case in
  // which the store resumes by reopening its database.
  void StopOnAFullDiskWithNothingInMemory() {
    ASSERT_OK(Append(1));
    ASSERT_OK(store_->CompactRecords());
    fs_->Inject(Fault{FaultOp::kWrite, FaultError::kNoSpace, ".log"});
    EXPECT_THAT(Append(2), HasCode(absl::StatusCode::kResourceExhausted));
    fs_->ClearFaults();
    ASSERT_EQ(store_->write_state().status, WriteStatus::kStoppedNoSpace);
  }

  // Leaves the store as a crash would (closed without a flush), after
  // LeaveBatchInAClosedLog(). Returns the closed log's size before batch 1,
  // a record boundary.
  uint64_t CrashWithBatchInAClosedLog() {
    LeaveBatchInAClosedLog();
    store_->TEST_CloseWithoutFlush();
    return size_before_batch_;
  }

  // Leaves batch 1, acknowledged, held only by a closed write-ahead log:
  // the meta family's flush closes the log, which the records family's
  // memtable still needs, and the sync of batch 2, in the new live log,
  // records the closed log's synced size in the manifest.
  void LeaveBatchInAClosedLog() {
    ASSERT_OK(store_->TEST_PutRaw(Family::kMeta, "m", "v"));
    size_before_batch_ = std::filesystem::file_size(ClosedLog());
    ASSERT_OK(Append(1));
    ASSERT_OK(store_->TEST_Flush(Family::kMeta));
    ASSERT_OK(Append(2));
    ASSERT_EQ(LogFiles().size(), 2u);
  }

  // Flushes the families whose writes kept the closed log, which RocksDB
  // then deletes.
  void FlushTheClosedLogAway() {
    ASSERT_OK(store_->TEST_Flush(Family::kRecords));
    ASSERT_OK(store_->TEST_Flush(Family::kTimeIndex));
    ASSERT_OK(store_->TEST_WaitForBackgroundWork());
  }

  // The store's write-ahead logs, oldest first.
  std::vector<std::string> LogFiles() const {
    std::vector<std::string> logs;
    for (const auto& entry :
         std::filesystem::directory_iterator(temp_.path())) {
      if (entry.path().extension() == ".log") logs.push_back(entry.path());
    }
    std::sort(logs.begin(), logs.end());
    return logs;
  }
  std::string ClosedLog() const { return LogFiles().front(); }
  std::string LiveLog() const { return LogFiles().back(); }

  // Opens the store again (read-only: without changing a file) into
  // store_ on success.
  absl::Status Reopen(bool read_only, const std::string& path) {
    store_.reset();
    StoreOptions options;
    options.read_only = read_only;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path, options);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    return absl::OkStatus();
  }
  absl::Status Reopen(bool read_only) {
    return Reopen(read_only, temp_.path());
  }

  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
  TempDir temp_;
  uint64_t size_before_batch_ = 0;
  std::unique_ptr<Store> store_;
};

auto NoRepublish() {
  return [] { return absl::OkStatus(); };
}

TEST_F(StoreTest, ReadsAndWrites_WhileAnIteratorIsOpen) {
  ASSERT_OK(Append(1));
  StoreIterator outer =
      store_->NewIterator(Family::kRecords, ShardKeys(kShard));
  outer.SeekToFirst();
  ASSERT_TRUE(outer.Valid());
  // The same thread reads, iterates and writes with `outer` open.
  EXPECT_EQ(CountBatches(), 1);
  ASSERT_OK(store_->Get(Family::kRecords, RecordKey(kShard, 1)));
  ASSERT_OK(Append(2));
  EXPECT_EQ(CountBatches(), 2);
}

// Whether the store holds the batch that starts at `counter`.
bool Holds(Store& store, uint64_t counter) {
  absl::StatusOr<absl::optional<std::string>> batch =
      store.Get(Family::kRecords, RecordKey(kShard, counter));
  EXPECT_OK(batch);
  return batch.ok() && batch->has_value();
}

// A cleared write applies only what was added after Clear(), whether it kept
// its buffer (the batch fit twice its reservation) or replaced it.
TEST_F(StoreTest, Clear_ReusedWriteAppliesOnlyWhatFollows) {
  for (size_t record_bytes : {size_t{10}, size_t{4096}}) {
    SCOPED_TRACE(record_bytes);
    ASSERT_OK(Reopen(/*read_only=*/false));
    const uint64_t base = record_bytes * 10;
    std::string encoded;
    EncodeRecordBatch(100, {{"k", std::string(record_bytes, 'x')}}, &encoded);
    StoreWrite write = store_->NewWrite(/*reserved_bytes=*/1024);
    write.AppendBatch(kShard, base + 1, 100, encoded);
    EXPECT_TRUE(write.adds_data());
    write.Clear();
    EXPECT_FALSE(write.adds_data());
    write.AppendBatch(kShard, base + 2, 100, encoded);
    ASSERT_OK(store_->Write(write, Durability::kSync));
    EXPECT_FALSE(Holds(*store_, base + 1));
    EXPECT_TRUE(Holds(*store_, base + 2));

    write.Clear();
    write.AppendBatch(kShard, base + 3, 100, encoded);
    ASSERT_OK(store_->Write(write, Durability::kSync));
    EXPECT_TRUE(Holds(*store_, base + 3));
  }
}

// RocksDB's calls resolve to the CRC32C that store.cc defines: the
// definition the shared library's calls bind to (the first in the global
// scope) is the program's own, not the library's (the next one). And it
// keeps RocksDB's convention (the CRC of A extended by B is the CRC of
// A + B), with the catalogue check value of "123456789" (RFC 3720's CRC32C).
TEST(StoreCrc32cTest, RocksDbUsesBrooks) {
  constexpr char kExtend[] = "_ZN7rocksdb6crc32c6ExtendEjPKcm";
  void* bound = dlsym(RTLD_DEFAULT, kExtend);
  EXPECT_NE(bound, dlsym(RTLD_NEXT, kExtend));
  EXPECT_EQ(bound, reinterpret_cast<void*>(&rocksdb::crc32c::Extend));
  const uint32_t head = rocksdb::crc32c::Extend(0, "1234", 4);
  EXPECT_EQ(rocksdb::crc32c::Extend(head, "56789", 5), 0xE3069283u);
}

// The names of the files in `dir`.
std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// Removes the files of `dir` whose names start with `prefix`.
void RemoveFiles(const std::string& dir, const std::string& prefix) {
  for (const std::string& name : FilesIn(dir)) {
    if (name.rfind(prefix, 0) == 0) std::filesystem::remove(dir + "/" + name);
  }
}

// Without its CURRENT file RocksDB would create an empty store beside the
// data files and delete them at its first cleanup; the store refuses to
// open instead, read-write or read-only, and leaves the files as they were.
TEST_F(StoreTest, Open_DataFilesWithoutCurrentAreDamage) {
  ASSERT_OK(Append(1));
  ASSERT_OK(store_->CompactRecords());
  ASSERT_OK(Append(2));
  store_.reset();
  RemoveFiles(temp_.path(), "CURRENT");
  const std::set<std::string> before = FilesIn(temp_.path());
  StoreOptions options;
  EXPECT_THAT(Store::Open(temp_.path(), options).status(),
              HasCode(absl::StatusCode::kDataLoss));
  options.read_only = true;
  EXPECT_THAT(Store::Open(temp_.path(), options).status(),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_EQ(FilesIn(temp_.path()), before);
}

// A missing file the store lists is damage, like a corrupt one.
TEST_F(StoreTest, Open_MissingManifestIsDamage) {
  ASSERT_OK(Append(1));
  store_.reset();
  RemoveFiles(temp_.path(), "MANIFEST-");
  StoreOptions options;
  options.read_only = true;
  EXPECT_THAT(Store::Open(temp_.path(), options).status(),
              HasCode(absl::StatusCode::kDataLoss));
  options.read_only = false;
  EXPECT_THAT(Store::Open(temp_.path(), options).status(),
              HasCode(absl::StatusCode::kDataLoss));
}

// The names and sizes of the store's files, RocksDB's info logs aside
// (opening read-write starts a new one even when it then fails).
std::set<std::string> DataFilesIn(const std::string& dir) {
  std::set<std::string> files;
  for (const std::string& name : FilesIn(dir)) {
    if (name.rfind("LOG", 0) == 0) continue;
    files.insert(
        absl::StrCat(name, ":", std::filesystem::file_size(dir + "/" + name)));
  }
  return files;
}

// Point-in-time recovery would replay the logs that remain and open without
// batch 1: the manifest knows the closed log was synced, so its absence is
// damage, and neither open changes the store's files.
TEST_F(StoreTest, Open_MissingClosedLogIsDamage) {
  CrashWithBatchInAClosedLog();
  std::filesystem::remove(ClosedLog());
  const std::set<std::string> before = DataFilesIn(temp_.path());
  for (bool read_only : {true, false}) {
    const absl::Status opened = Reopen(read_only);
    EXPECT_THAT(opened, HasCode(absl::StatusCode::kDataLoss)) << read_only;
    EXPECT_THAT(opened.message(), HasSubstr("Missing WAL")) << read_only;
  }
  EXPECT_EQ(DataFilesIn(temp_.path()), before);
}

// Cut at a record boundary, the log would replay cleanly without batch 1;
// it is shorter than its synced size.
TEST_F(StoreTest, Open_ShortenedClosedLogIsDamage) {
  const uint64_t boundary = CrashWithBatchInAClosedLog();
  std::filesystem::resize_file(ClosedLog(), boundary);
  for (bool read_only : {true, false}) {
    EXPECT_THAT(Reopen(read_only), HasCode(absl::StatusCode::kDataLoss))
        << read_only;
  }
}

// Zeroed in place, the log keeps its size. Zeroes inside a record fail its
// checksum: replay stops there, and RocksDB's own check finds a family
// flushed past the log. (Zeroes that start on a record's header read as
// unused preallocated space and are skipped without a word: not detected,
// as docs/storage-format.md says.)
TEST_F(StoreTest, Open_ZeroedClosedLogIsDamage) {
  const uint64_t boundary = CrashWithBatchInAClosedLog();
  std::fstream log(ClosedLog(),
                   std::ios::binary | std::ios::in | std::ios::out);
  log.seekp(static_cast<std::streamoff>(boundary + 10));
  log << std::string(20, '\0');
  log.close();
  for (bool read_only : {true, false}) {
    EXPECT_THAT(Reopen(read_only), HasCode(absl::StatusCode::kDataLoss))
        << read_only;
  }
}

// A crash can leave a torn tail on the live log: a write that was never
// acknowledged. Opening drops it, and every acknowledged batch is there.
TEST_F(StoreTest, Open_TornTailOfTheLiveLogIsNotDamage) {
  CrashWithBatchInAClosedLog();
  std::ifstream in(LiveLog(), std::ios::binary);
  const std::string log((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  ASSERT_GT(log.size(), 20u);
  // The start of a copy of the log's first record: a header announcing more
  // bytes than follow it.
  std::ofstream(LiveLog(), std::ios::binary | std::ios::app)
      << log.substr(0, 20);
  for (bool read_only : {true, false}) {
    ASSERT_OK(Reopen(read_only)) << read_only;
    EXPECT_EQ(CountBatches(), 2) << read_only;
  }
}

// Logs deleted by RocksDB itself, after a flush or an open, are recorded as
// deleted: clean closes, crashes and reopens of either kind all open.
TEST_F(StoreTest, Open_LogsDeletedAfterAFlushAreNotDamage) {
  LeaveBatchInAClosedLog();
  const std::string closed = ClosedLog();
  FlushTheClosedLogAway();
  EXPECT_FALSE(std::filesystem::exists(closed));
  ASSERT_OK(Append(3));
  store_->TEST_CloseWithoutFlush();
  for (bool read_only : {true, false, false, true, false}) {
    ASSERT_OK(Reopen(read_only)) << read_only;
    EXPECT_EQ(CountBatches(), 3) << read_only;
  }
  ASSERT_OK(store_->Close());
  ASSERT_OK(Reopen(/*read_only=*/false));
  EXPECT_EQ(CountBatches(), 3);
}

// A manifest cut back to before a flush still needs the log that flush
// deleted, and lists none of the tables that hold the log's writes: an open
// that went on would delete them as orphans (without tracking, it opens
// with no batch at all). The tracked log's absence stops it first.
TEST_F(StoreTest, Open_ManifestCutBeforeAFlushIsDamage) {
  LeaveBatchInAClosedLog();
  std::ifstream current(temp_.Sub("CURRENT"));
  std::string manifest;
  std::getline(current, manifest);
  manifest = temp_.Sub(manifest);
  const uint64_t before_flush = std::filesystem::file_size(manifest);
  FlushTheClosedLogAway();
  ASSERT_EQ(LogFiles().size(), 1u);
  store_->TEST_CloseWithoutFlush();
  std::filesystem::resize_file(manifest, before_flush);
  const std::set<std::string> before = DataFilesIn(temp_.path());
  for (bool read_only : {true, false}) {
    EXPECT_THAT(Reopen(read_only), HasCode(absl::StatusCode::kDataLoss))
        << read_only;
  }
  EXPECT_EQ(DataFilesIn(temp_.path()), before);
}

// A backup taken while a closed log is tracked, and a restore of it, open.
TEST_F(StoreTest, Open_BackupAndRestoreOfATrackedLogOpen) {
  LeaveBatchInAClosedLog();
  TempDir copies;
  const std::string backup = copies.Sub("backup");
  const std::string restored = copies.Sub("restored");
  ASSERT_OK(BackupStore(*store_, temp_.path(), backup));
  ASSERT_OK(RestoreDataDir(backup, restored));
  for (const std::string& dir : {backup, restored}) {
    for (bool read_only : {true, false}) {
      ASSERT_OK(Reopen(read_only, StorePathOf(dir))) << dir;
      EXPECT_EQ(CountBatches(), 2) << dir;
    }
  }
}

TEST_F(StoreTest, Resume_ReopensOnlyWithNoIteratorOpen) {
  StopOnAFullDiskWithNothingInMemory();
  {
    StoreIterator open =
        store_->NewIterator(Family::kRecords, ShardKeys(kShard));
    open.SeekToFirst();
    EXPECT_THAT(store_->Resume(NoRepublish()),
                HasCode(absl::StatusCode::kInternal));
    EXPECT_EQ(store_->write_state().status, WriteStatus::kStoppedNoSpace);
    // The iterator still reads the database it was opened on.
    ASSERT_TRUE(open.Valid());
    EXPECT_EQ(CountBatches(), 1);
  }
  ASSERT_OK(store_->Resume(NoRepublish()));
  EXPECT_EQ(store_->write_state().status, WriteStatus::kAccepting);
  ASSERT_OK(Append(3));
  EXPECT_EQ(CountBatches(), 2);
}

// RocksDB stalls writes when level 0 holds too many files; the store counts
// each stall as it begins and reports whether writes stall now. Lowering
// the triggers below the one file there is makes RocksDB decide at once.
TEST_F(StoreTest, Stats_CountWriteStallsAsRocksDbDecidesThem) {
  ASSERT_OK(Append(1));
  ASSERT_OK(store_->TEST_Flush(Family::kRecords));
  EXPECT_EQ(store_->Stats().write_stalls_delayed, 0);
  EXPECT_FALSE(store_->Stats().write_stalled);

  ASSERT_OK(store_->TEST_SetFamilyOptions(
      Family::kRecords, {{"level0_slowdown_writes_trigger", "1"}}));
  StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.write_stalls_delayed, 1);
  EXPECT_EQ(stats.write_stalls_stopped, 0);
  EXPECT_TRUE(stats.write_stalled);

  ASSERT_OK(store_->TEST_SetFamilyOptions(
      Family::kRecords, {{"level0_stop_writes_trigger", "1"}}));
  stats = store_->Stats();
  EXPECT_EQ(stats.write_stalls_stopped, 1);
  EXPECT_TRUE(stats.write_stalled);

  ASSERT_OK(store_->TEST_SetFamilyOptions(
      Family::kRecords, {{"level0_slowdown_writes_trigger", "20"},
                         {"level0_stop_writes_trigger", "36"}}));
  stats = store_->Stats();
  EXPECT_FALSE(stats.write_stalled);
  EXPECT_EQ(stats.write_stalls_delayed, 1);  // A counter: it stays.
  EXPECT_EQ(stats.write_stalls_stopped, 1);
}

// Compaction debt appears once level 0 holds enough files to compact and
// compaction does not run.
TEST_F(StoreTest, Stats_ReportPendingCompactionBytes) {
  ASSERT_OK(store_->TEST_SetFamilyOptions(
      Family::kRecords, {{"disable_auto_compactions", "true"}}));
  EXPECT_EQ(store_->Stats().pending_compaction_bytes, 0u);
  for (uint64_t counter = 1; counter <= 4; ++counter) {
    ASSERT_OK(Append(counter));
    ASSERT_OK(store_->TEST_Flush(Family::kRecords));
  }
  EXPECT_GT(store_->Stats().pending_compaction_bytes, 0u);
}

TEST_F(StoreTest, ApproximateBytes_GrowWithTheRangesRecords) {
  const KeyRange range = ShardKeys(kShard);
  const uint64_t empty = store_->ApproximateBytes(range);
  for (uint64_t counter = 1; counter <= 100; ++counter) {
    ASSERT_OK(Append(counter));
  }
  ASSERT_OK(store_->TEST_Flush(Family::kRecords));
  const uint64_t stored = store_->ApproximateBytes(range);
  EXPECT_GT(stored, empty);
  // Another shard's keys are not counted.
  EXPECT_EQ(store_->ApproximateBytes(ShardKeys(ShardRef{2, 0})), 0u);
}

// The store tells the flush pacer of each sync of the log: a memtable
// filled by synced writes is flushed at a pace set by how fast it filled,
// one filled without any sync at the pacer's maximum (storage/flush_pacer.h).
class StoreFlushPaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.file_system = StoreFileSystem(fs_);
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(temp_.path(), options);
    ASSERT_OK(store);
    store_ = *std::move(store);
    // Memtables of 1 MiB fill in a few writes. The pacer still reckons with
    // the family's usual size, so a pace measured over these fills lies
    // between its floor and its ceiling.
    ASSERT_OK(store_->TEST_SetFamilyOptions(
        Family::kRecords, {{"write_buffer_size", "1048576"}}));
  }

  // A test that fails while it holds a flush must not leave the store's
  // close waiting for it.
  void TearDown() override { fs_->ReleaseWrites(); }

  // Writes 1.5 MiB of records, 64 KiB a write, the clock moving 50 ms
  // before each. RocksDB seals a memtable with the write after the one that
  // fills it, so each call seals at least one, time having passed since the
  // last seal, and starts its flush. `sync_log`: the log is synced after
  // each write.
  void WriteMemtables(Durability durability, bool sync_log = false) {
    constexpr int kWrites = 24;
    const std::string data(64 << 10, 'r');
    for (int i = 0; i < kWrites; ++i) {
      clock_.Advance(absl::Milliseconds(50));
      std::string encoded;
      EncodeRecordBatch(100, {{"k", data}}, &encoded);
      StoreWrite write = store_->NewWrite();
      write.AppendBatch(kShard, ++counter_, 100, encoded);
      ASSERT_OK(store_->Write(write, durability));
      if (sync_log) ASSERT_OK(store_->SyncWal());
    }
  }

  // WriteMemtables(), then waits for the flushes it started.
  void FillMemtables(Durability durability, bool sync_log = false) {
    ASSERT_NO_FATAL_FAILURE(WriteMemtables(durability, sync_log));
    ASSERT_OK(store_->TEST_WaitForBackgroundWork());
  }

  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
  TempDir temp_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  uint64_t counter_ = 0;
};

TEST_F(StoreFlushPaceTest, SyncedWritesPaceTheFlush) {
  ASSERT_EQ(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
  ASSERT_NO_FATAL_FAILURE(FillMemtables(Durability::kSync));
  EXPECT_GT(store_->TEST_FlushPace(), FlushPacer::kMinBytesPerSecond);
  EXPECT_LT(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(StoreFlushPaceTest, SyncingTheLogPacesTheFlush) {
  ASSERT_EQ(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
  ASSERT_NO_FATAL_FAILURE(FillMemtables(Durability::kNoSync,
                                        /*sync_log=*/true));
  EXPECT_GT(store_->TEST_FlushPace(), FlushPacer::kMinBytesPerSecond);
  EXPECT_LT(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
}

// Compacting, closing and checkpointing flush every family and wait for
// it: a paced flush already running then goes on at the maximum, rather
// than holding the caller up to a second at its pace. Each test holds that
// flush, runs `flush_and_wait` beside it, and reads the pace meanwhile
// (sealing the next memtable raises it too, but not to the maximum).
class StoreUnpaceTest : public StoreFlushPaceTest {
 protected:
  void ExpectUnpacedBy(absl::AnyInvocable<absl::Status()> flush_and_wait) {
    fs_->HoldWrites(".blob");
    ASSERT_NO_FATAL_FAILURE(WriteMemtables(Durability::kSync));
    fs_->WaitForHeldWrite();
    const int64_t paced = store_->TEST_FlushPace();
    std::thread caller([&] { EXPECT_OK(flush_and_wait()); });
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (store_->TEST_FlushPace() != FlushPacer::kMaxBytesPerSecond &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    const int64_t during = store_->TEST_FlushPace();
    fs_->ReleaseWrites();
    caller.join();
    EXPECT_LT(paced, FlushPacer::kMaxBytesPerSecond);
    EXPECT_EQ(during, FlushPacer::kMaxBytesPerSecond);
  }
};

TEST_F(StoreUnpaceTest, Compacting) {
  ExpectUnpacedBy([&] { return store_->CompactRecords(); });
}

TEST_F(StoreUnpaceTest, Checkpointing) {
  const std::string checkpoint = temp_.path() + "-checkpoint";
  ExpectUnpacedBy([&] { return store_->Checkpoint(checkpoint); });
  std::filesystem::remove_all(checkpoint);
}

// Writes that wait for no sync of the log leave no put waiting behind the
// flush of their memtable.
class StoreUnsyncedFlushPaceTest
    : public StoreFlushPaceTest,
      public ::testing::WithParamInterface<Durability> {};

TEST_P(StoreUnsyncedFlushPaceTest, FlushesAtTheMaximum) {
  // Paced first, so that only the unsynced writes can bring the maximum.
  ASSERT_NO_FATAL_FAILURE(FillMemtables(Durability::kSync));
  ASSERT_LT(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
  ASSERT_NO_FATAL_FAILURE(FillMemtables(GetParam()));
  EXPECT_EQ(store_->TEST_FlushPace(), FlushPacer::kMaxBytesPerSecond);
}

INSTANTIATE_TEST_SUITE_P(Unsynced, StoreUnsyncedFlushPaceTest,
                         ::testing::Values(Durability::kNoSync,
                                           Durability::kNoWal),
                         [](const ::testing::TestParamInfo<Durability>& info) {
                           return info.param == Durability::kNoSync ? "NoSync"
                                                                    : "NoWal";
                         });

}  // namespace
}  // namespace brook
