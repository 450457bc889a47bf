// VerifyDataDir: a sound directory (resharded, with consumers, checkpoints
// and trimmed records) verifies clean; each kind of damage is reported.

#include "storage/data_dir_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/data_dir.h"
#include "storage/keys.h"
#include "storage/meta_reader.h"
#include "storage/record_batch.h"
#include "storage/store.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class DataDirCheckTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 2);
    for (int i = 0; i < 20; ++i) Put("s", absl::StrCat("k", i), "data");
  }

  // Closes the broker so that the directory can be verified or damaged.
  void CloseBroker() { ASSERT_OK(broker().Close()); }

  VerifyReport Verify() {
    absl::StatusOr<VerifyReport> report = VerifyDataDir(
        dir(), [&](const VerifyProgress& p) { last_progress_ = p; });
    EXPECT_OK(report);
    return report.ok() ? *std::move(report) : VerifyReport();
  }

  // Runs `damage` on the closed directory's store.
  template <typename Fn>
  void Damage(Fn damage) {
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(StorePathOf(dir()));
    ASSERT_OK(store);
    damage(**store);
    ASSERT_OK((*store)->Close());
  }

  // The stored stream "s".
  StoredStream StoredS(Store& store) {
    absl::StatusOr<std::vector<StoredStream>> streams =
        MetaReader(&store).Streams();
    EXPECT_OK(streams);
    return streams.ok() && !streams->empty() ? streams->front()
                                             : StoredStream();
  }

  // Closes the broker, changes the first stored batch of stream "s" with
  // `change` and writes it back through RocksDB (whose checksums then hold
  // for the new bytes), and returns what verify reports.
  template <typename Fn>
  VerifyReport ChangeFirstBatchAndVerify(Fn change) {
    CloseBroker();
    Damage([&](Store& store) {
      const ShardRef shard{StoredS(store).meta.id, 0};
      StoreIterator it = store.NewIterator(Family::kRecords, ShardKeys(shard));
      it.SeekToFirst();
      ASSERT_TRUE(it.Valid());
      std::string value(it.value());
      const std::string key(it.key());
      change(&value);
      ASSERT_OK(store.TEST_PutRaw(Family::kRecords, key, value));
    });
    return Verify();
  }

  VerifyProgress last_progress_;
};

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << contents;
}

// Every file under `dir` with its bytes, in path order.
std::vector<std::string> Contents(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files.push_back(
        absl::StrCat(entry.path().string(), ":",
                     std::string(std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>())));
  }
  std::sort(files.begin(), files.end());
  return files;
}

MATCHER_P(HasProblem, text, "") {
  return std::any_of(
      arg.problems.begin(), arg.problems.end(),
      [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST_F(DataDirCheckTest, Verify_SoundDirectory_HasNoProblems) {
  ASSERT_OK(broker().SplitShard(
      {"s", "shardId-000000000000", "85070591730234615865843651857942052864"}));
  ASSERT_OK(broker().MergeShards(
      {"s", "shardId-000000000002", "shardId-000000000003"}));
  ASSERT_OK(broker().UpdateShardCount({"s", 3}).status());
  for (int i = 0; i < 20; ++i) Put("s", absl::StrCat("k", i), "more data");
  RegisterStreamConsumerRequest consumer;
  consumer.stream = "s";
  consumer.consumer_name = "c";
  ASSERT_OK(broker().RegisterStreamConsumer(consumer).status());
  const PutRecordResult put = Put("s", "k", "checkpointed");
  PutCheckpointRequest checkpoint;
  checkpoint.stream = "s";
  checkpoint.application_name = "app";
  checkpoint.shard_id = put.shard_id;
  checkpoint.sequence_number = put.sequence_number;
  ASSERT_OK(broker().PutCheckpoint(checkpoint));
  checkpoint.shard_id = "shardId-000000000001";
  checkpoint.shard_end = true;
  ASSERT_OK(broker().PutCheckpoint(checkpoint));
  checkpoint.remote_endpoint = "https://kinesis.eu-west-1.amazonaws.com:443";
  checkpoint.stream = "far";
  ASSERT_OK(broker().PutCheckpoint(checkpoint));
  // A keyed batch: a record put with an explicit hash key.
  PutRecordRequest keyed;
  keyed.stream = "s";
  keyed.partition_key = "k";
  keyed.data = "aimed";
  keyed.explicit_hash_key = "7";
  ASSERT_OK(broker().PutRecord(keyed).status());
  CreateStream("deleted", 1);
  Put("deleted", "k", "gone");
  ASSERT_OK(broker().DeleteStream({"deleted"}));
  CloseBroker();

  const VerifyReport report = Verify();
  EXPECT_THAT(report.problems, IsEmpty())
      << absl::StrJoin(report.problems, "\n");
  EXPECT_EQ(report.streams, 1);
  EXPECT_EQ(report.records, 42);
  EXPECT_EQ(report.consumers, 1);
  EXPECT_EQ(report.checkpoints, 3);
  EXPECT_EQ(last_progress_.shards_done, report.shards);
  EXPECT_EQ(last_progress_.shards_total, report.shards);
}

TEST_F(DataDirCheckTest, Verify_DamagedBatch_IsReported) {
  const VerifyReport report = ChangeFirstBatchAndVerify([](std::string* value) {
    value->resize(value->size() - 2);  // Cut the last record short.
  });
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("record batch checksum mismatch"));
  // Once: its time index entry is not a second problem.
  EXPECT_EQ(report.problems.size(), 1u) << absl::StrJoin(report.problems, "\n");
  EXPECT_EQ(report.damaged_batches, 1);
  EXPECT_EQ(report.batches, 19);
}

TEST_F(DataDirCheckTest, Verify_UnreadableBlock_IsReportedOnceAndCounted) {
  // Small batches live in table files; RocksDB stops reading a shard at a
  // block whose checksum fails. The batches past it are counted by their
  // time index entries, not each reported.
  CreateStream("one", 1);
  constexpr int kBatches = 300;
  for (int i = 0; i < kBatches; ++i) {
    Put("one", "k",
        i == kBatches / 2 ? "flip-a-bit-here-0123456789"
                          : absl::StrCat("record ", i));
  }
  CloseBroker();
  int flipped = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(StorePathOf(dir()))) {
    if (entry.path().extension() != ".sst") continue;
    std::fstream file(entry.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    const size_t at = bytes.find("flip-a-bit-here");
    if (at == std::string::npos) continue;
    file.seekp(static_cast<std::streamoff>(at + 3));
    file.put(static_cast<char>(bytes[at + 3] ^ 0x04));
    ++flipped;
  }
  ASSERT_EQ(flipped, 1);
  const VerifyReport report = Verify();
  std::vector<std::string> of_one;
  for (const std::string& problem : report.problems) {
    if (absl::StartsWith(problem, "stream 'one'")) of_one.push_back(problem);
  }
  ASSERT_EQ(of_one.size(), 1u) << absl::StrJoin(report.problems, "\n");
  EXPECT_THAT(of_one[0], HasSubstr("cannot be read past the batch at counter"));
  EXPECT_GT(report.damaged_batches, 0);
  // Every batch of "one" is either read whole or counted as damaged.
  EXPECT_EQ(report.batches + report.damaged_batches, 20 + kBatches);
}

TEST_F(DataDirCheckTest, Verify_FlippedBitUnderValidStoreChecksums_IsReported) {
  // Written back through RocksDB, the damaged bytes pass its checksums:
  // only the batch's CRC32C tells.
  const VerifyReport report = ChangeFirstBatchAndVerify([](std::string* value) {
    (*value)[value->size() - 6] =
        static_cast<char>((*value)[value->size() - 6] ^ 1);
  });
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("record batch checksum mismatch"));
}

TEST_F(DataDirCheckTest, Verify_OverlappingBatch_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    const StoredStream s = StoredS(store);
    const ShardRef shard{s.meta.id, 0};
    StoreIterator it = store.NewIterator(Family::kRecords, ShardKeys(shard));
    it.SeekToLast();
    ASSERT_TRUE(it.Valid());
    ASSERT_OK_AND_ASSIGN(uint64_t last, ParseRecordKey(shard, it.key()));
    // A batch of three records that starts at `last` - 1 is not possible
    // unless it overlaps; plant it one above the one before last.
    std::string batch;
    const RecordView records[] = {{"k", "a"}, {"k", "b"}, {"k", "c"}};
    EncodeRecordBatch(0, records, &batch);
    for (uint64_t counter : {last + 1, last + 2}) {
      const std::string key = RecordKey(shard, counter);
      ASSERT_OK(store.TEST_PutRaw(Family::kRecords, key,
                                  ChecksummedBatch(key, batch).value()));
    }
  });
  const VerifyReport report = Verify();
  EXPECT_THAT(report, HasProblem("overlaps the one at counter"));
  EXPECT_THAT(report, HasProblem("arrived before the one before it"));
  EXPECT_THAT(report, HasProblem("has no time index entry"));
}

TEST_F(DataDirCheckTest, Verify_TimeIndexOfNoBatch_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    const StoredStream s = StoredS(store);
    ASSERT_OK(store.TEST_PutRaw(Family::kTimeIndex,
                                TimeIndexKey({s.meta.id, 1}, 1, 3), ""));
  });
  EXPECT_THAT(Verify(), HasProblem("where no batch starts"));
}

TEST_F(DataDirCheckTest, Verify_RecordsOfNoStream_AreReported) {
  CloseBroker();
  Damage([&](Store& store) {
    std::string batch;
    const RecordView records[] = {{"k", "stray"}};
    EncodeRecordBatch(0, records, &batch);
    ASSERT_OK(
        store.TEST_PutRaw(Family::kRecords, RecordKey({99, 0}, 5), batch));
  });
  EXPECT_THAT(Verify(), HasProblem("stream id 99 shard index 0"));
}

TEST_F(DataDirCheckTest, Verify_CounterReservationTooLow_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    ASSERT_OK(store.TEST_PutRaw(Family::kMeta, kCounterReservationKey,
                                EncodeCounterReservation(1)));
  });
  EXPECT_THAT(Verify(), HasProblem("could be handed out again"));
}

TEST_F(DataDirCheckTest, Verify_BrokenLineage_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    StoredStream s = StoredS(store);
    s.meta.shards[1].hash_key_range.starting_hash_key += 7;
    StoreWrite write = store.NewWrite();
    write.PutStreamMeta(s.meta);
    ASSERT_OK(store.Write(write, Durability::kSync));
  });
  EXPECT_THAT(Verify(), HasProblem("leave keys unowned"));
}

TEST_F(DataDirCheckTest, Verify_CheckpointOfNoShard_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    const StoredStream s = StoredS(store);
    StoreWrite write = store.NewWrite();
    write.PutCheckpoint(s.meta.id, "app", 7, StoredCheckpoint{5, 0, false});
    ASSERT_OK(store.Write(write, Durability::kSync));
  });
  EXPECT_THAT(Verify(), HasProblem("names a shard the stream does not have"));
}

TEST_F(DataDirCheckTest, Verify_DamagedRemoteCheckpoint_IsReported) {
  CloseBroker();
  Damage([&](Store& store) {
    ASSERT_OK(store.TEST_PutRaw(
        Family::kMeta,
        RemoteCheckpointKey({"http://h:1", "far"}, "app", "shardId-1"),
        std::string("\x01\x00\x00not digits", 13)));
  });
  EXPECT_THAT(Verify(), HasProblem("damaged remote checkpoint"));
}

TEST_F(DataDirCheckTest, Verify_FlippedBytesInAFile_AreReported) {
  CloseBroker();
  // The largest table or blob file holds the records.
  std::filesystem::path largest;
  uintmax_t largest_size = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(StorePathOf(dir()))) {
    const std::string ext = entry.path().extension().string();
    if ((ext == ".sst" || ext == ".blob") && entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  }
  ASSERT_GT(largest_size, 64u);
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(largest_size / 3));
    file.write("\xde\xad\xbe\xef", 4);
  }
  // Whether the store refuses to open as damaged or the check finds it,
  // the damage is a problem of the report.
  EXPECT_FALSE(Verify().ok()) << largest;
}

TEST_F(DataDirCheckTest, Verify_StoreThatCannotOpen_IsReportedUnchanged) {
  CloseBroker();
  WriteFile(StorePathOf(dir()) + "/CURRENT", "not a manifest name\n");
  const std::vector<std::string> before = Contents(dir());
  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("cannot open the store"));
  EXPECT_THAT(report, HasProblem("nothing more checked"));
  EXPECT_EQ(Contents(dir()), before);
}

// A closed write-ahead log that held synced writes, deleted: the store's
// history would open shorter without a word. Verify reports it.
TEST_F(DataDirCheckTest, Verify_MissingClosedLog_IsReportedUnchanged) {
  CloseBroker();
  Damage([&](Store& store) {
    // Rewrites the first batch and the first stream's description as they
    // are; the meta family's flush closes the log that the batch's rewrite
    // is still in, and the sync records the closed log's synced size.
    for (auto [family, range] :
         {std::pair(Family::kRecords, AllShardKeys()),
          std::pair(Family::kMeta, AllStreamMetaKeys())}) {
      StoreIterator it = store.NewIterator(family, range);
      it.SeekToFirst();
      ASSERT_TRUE(it.Valid());
      ASSERT_OK(store.TEST_PutRaw(family, std::string(it.key()),
                                  std::string(it.value())));
    }
    ASSERT_OK(store.TEST_Flush(Family::kMeta));
    ASSERT_OK(store.SyncWal());
    store.TEST_CloseWithoutFlush();
  });
  std::vector<std::string> logs;
  for (const auto& entry :
       std::filesystem::directory_iterator(StorePathOf(dir()))) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path());
  }
  ASSERT_EQ(logs.size(), 2u);
  std::filesystem::remove(*std::min_element(logs.begin(), logs.end()));
  const std::vector<std::string> before = Contents(dir());
  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("Missing WAL"));
  EXPECT_THAT(report, HasProblem("nothing more checked"));
  EXPECT_EQ(Contents(dir()), before);
}

TEST_F(DataDirCheckTest, Verify_DamagedMarker_IsReportedUnchanged) {
  CloseBroker();
  WriteFile(dir() + "/BROOK", "garbage\n");
  const std::vector<std::string> before = Contents(dir());
  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("damaged Brook format marker"));
  EXPECT_EQ(Contents(dir()), before);
}

TEST_F(DataDirCheckTest, Verify_StoreWithoutMarker_IsReportedUnchanged) {
  CloseBroker();
  std::filesystem::remove(dir() + "/BROOK");
  const std::vector<std::string> before = Contents(dir());
  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report, HasProblem("no BROOK format marker"));
  EXPECT_EQ(Contents(dir()), before);
}

TEST_F(DataDirCheckTest, Verify_FormatBeyond64Bits_IsRefused) {
  CloseBroker();
  WriteFile(dir() + "/BROOK", "brook-data-dir format 99999999999999999999\n");
  EXPECT_THAT(VerifyDataDir(dir(), [](const VerifyProgress&) {}).status(),
              HasErrorName(ErrorName::kResourceInUseException));
}

TEST_F(DataDirCheckTest, Verify_NewerFormat_IsRefused) {
  // Not damage: a format this build cannot judge.
  CloseBroker();
  WriteFile(dir() + "/BROOK", absl::StrCat("brook-data-dir format ",
                                           kDataDirFormatVersion + 1, "\n"));
  EXPECT_THAT(VerifyDataDir(dir(), [](const VerifyProgress&) {}).status(),
              HasErrorName(ErrorName::kResourceInUseException));
}

TEST_F(DataDirCheckTest, Verify_HeldDirectory_IsRefused) {
  EXPECT_THAT(VerifyDataDir(dir(), [](const VerifyProgress&) {}).status(),
              HasErrorName(ErrorName::kResourceInUseException));
}

TEST_F(DataDirCheckTest, Verify_CreatesNoLockFile) {
  // As in a copy that no Broker has opened yet.
  CloseBroker();
  ASSERT_TRUE(std::filesystem::remove(dir() + "/LOCK"));
  const std::vector<std::string> before = Contents(dir());
  EXPECT_TRUE(Verify().ok());
  EXPECT_EQ(Contents(dir()), before);
  EXPECT_FALSE(std::filesystem::exists(dir() + "/LOCK"));
}

TEST_F(DataDirCheckTest, Verify_LeavesTheDirectoryAsItWas) {
  CloseBroker();
  auto listing = [&] {
    std::vector<std::string> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(StorePathOf(dir()))) {
      files.push_back(absl::StrCat(entry.path().filename().string(), ":",
                                   entry.file_size()));
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  const std::vector<std::string> before = listing();
  EXPECT_TRUE(Verify().ok());
  EXPECT_EQ(listing(), before);
}

}  // namespace
}  // namespace brook
