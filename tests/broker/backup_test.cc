// Broker::Backup and RestoreBackup: a backup taken under a steady write load
// holds, for every shard, a gap-free prefix of the acknowledged records that
// includes every record acknowledged before the backup began, with the
// metadata, consumers and checkpoints of that moment; a Broker that opens it
// continues above its newest sequence numbers; the original is untouched.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::SizeIs;

constexpr int kShards = 4;
constexpr int kProducers = 4;

// The records acknowledged so far, by shard, in sequence-number order per
// producer (and so, once sorted, per shard).
class AckLog {
 public:
  void Add(const std::string& shard_id, SequenceNumber sequence_number,
           const std::string& data) {
    absl::MutexLock lock(&mu_);
    shards_[shard_id][sequence_number] = data;
  }
  std::map<std::string, std::map<SequenceNumber, std::string>> Snapshot() {
    absl::MutexLock lock(&mu_);
    return shards_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::map<SequenceNumber, std::string>> shards_
      ABSL_GUARDED_BY(mu_);
};

std::vector<std::string> ShardIds() {
  std::vector<std::string> ids;
  for (int i = 0; i < kShards; ++i) {
    ids.push_back(absl::StrCat("shardId-00000000000", i));
  }
  return ids;
}

// Every record of a shard, from the trim horizon to the newest.
std::vector<Record> RecordsOf(Broker& broker, const std::string& shard_id) {
  GetShardIteratorRequest start;
  start.stream = "s";
  start.shard_id = shard_id;
  start.shard_iterator_type = ShardIteratorType::kTrimHorizon;
  absl::StatusOr<GetShardIteratorResult> iterator =
      broker.GetShardIterator(start);
  EXPECT_OK(iterator);
  std::vector<Record> records;
  if (!iterator.ok()) return records;
  GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  while (true) {
    absl::StatusOr<GetRecordsResult> page = broker.GetRecords(get);
    EXPECT_OK(page);
    if (!page.ok() || page->records.empty()) return records;
    for (Record& record : page->records) records.push_back(std::move(record));
    get.shard_iterator = page->next_shard_iterator;
  }
}

class BackupTest : public testing::BrokerTest,
                   public ::testing::WithParamInterface<Durability> {
 protected:
  void SetUp() override {
    options().durability = GetParam();
    options().clock = nullptr;  // Real time: iterators must not expire.
    Open();
    CreateStream("s", kShards);
  }

  // Puts records from kProducers threads until `stop`, logging each
  // acknowledgement.
  std::vector<std::thread> StartProducers(std::atomic<bool>& stop,
                                          AckLog& acks) {
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&, p] {
        for (int i = 0; !stop.load(); ++i) {
          PutRecordsRequest put;
          put.stream = "s";
          for (int r = 0; r < 20; ++r) {
            put.records.push_back(
                {absl::StrCat("key-", p, "-", r),
                 absl::StrCat("p", p, "-", i, "-", r, std::string(200, 'x')),
                 ""});
          }
          absl::StatusOr<PutRecordsResult> result = broker().PutRecords(put);
          ASSERT_OK(result);
          for (size_t r = 0; r < result->records.size(); ++r) {
            const PutRecordsResultEntry& entry = result->records[r];
            ASSERT_OK(entry.status);
            acks.Add(entry.shard_id, entry.sequence_number,
                     put.records[r].data);
          }
        }
      });
    }
    return producers;
  }

  testing::TempDir backups_;
};

TEST_P(BackupTest, Backup_UnderLoad_HoldsAGapFreePrefixOfEveryShard) {
  RegisterStreamConsumerRequest consumer;
  consumer.stream = "s";
  consumer.consumer_name = "reader";
  ASSERT_OK(broker().RegisterStreamConsumer(consumer).status());
  const PutRecordResult checkpointed = Put("s", "k", "checkpointed");
  PutCheckpointRequest checkpoint;
  checkpoint.stream = "s";
  checkpoint.application_name = "app";
  checkpoint.shard_id = checkpointed.shard_id;
  checkpoint.sequence_number = checkpointed.sequence_number;
  ASSERT_OK(broker().PutCheckpoint(checkpoint));

  AckLog acks;
  acks.Add(checkpointed.shard_id, checkpointed.sequence_number, "checkpointed");
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers = StartProducers(stop, acks);
  // Let the load reach a steady state, and some flushes happen.
  while (acks.Snapshot().size() < kShards) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(300));

  const auto acknowledged_before = acks.Snapshot();
  const std::string copy = backups_.Sub("copy");
  ASSERT_OK_AND_ASSIGN(BackupResult result, broker().Backup({copy}));
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  for (std::thread& producer : producers) producer.join();
  const auto acknowledged = acks.Snapshot();
  EXPECT_GT(result.bytes, 0);
  EXPECT_GT(result.files, 0);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> restored,
                       Broker::Open(BrokerOptions(), copy));
  for (const std::string& shard_id : ShardIds()) {
    SCOPED_TRACE(shard_id);
    const std::vector<Record> copied = RecordsOf(*restored, shard_id);
    const std::map<SequenceNumber, std::string>& all =
        acknowledged.at(shard_id);
    // Every record acknowledged before the backup began is in it...
    EXPECT_THAT(copied, SizeIs(Ge(acknowledged_before.at(shard_id).size())));
    // ...and what it holds is the shard's first records, none skipped.
    ASSERT_LE(copied.size(), all.size());
    auto expected = all.begin();
    for (const Record& record : copied) {
      ASSERT_EQ(record.sequence_number, expected->first);
      ASSERT_EQ(record.data, expected->second);
      ++expected;
    }
    // New puts continue above the copy's newest record.
    PutRecordRequest put;
    put.stream = "s";
    put.partition_key = "after";
    put.data = "after";
    put.explicit_hash_key = "0";
    if (shard_id == "shardId-000000000000" && !copied.empty()) {
      ASSERT_OK_AND_ASSIGN(PutRecordResult after, restored->PutRecord(put));
      EXPECT_GT(after.sequence_number, copied.back().sequence_number);
    }
  }
  // The consumer and the checkpoint made before the backup are in it.
  ConsumerRef ref;
  ref.stream = "s";
  ref.consumer_name = "reader";
  EXPECT_OK(restored->DescribeStreamConsumer(ref).status());
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult checkpoints,
                       restored->GetCheckpoints({"s", "app"}));
  ASSERT_THAT(checkpoints.checkpoints, SizeIs(1));
  EXPECT_EQ(checkpoints.checkpoints[0].sequence_number,
            checkpointed.sequence_number);
  ASSERT_OK(restored->Close());

  // The original was not touched: it holds every acknowledged record, and
  // not the record put to the copy.
  for (const std::string& shard_id : ShardIds()) {
    const std::vector<Record> original = RecordsOf(broker(), shard_id);
    EXPECT_EQ(original.size(), acknowledged.at(shard_id).size()) << shard_id;
    for (const Record& record : original) EXPECT_NE(record.data, "after");
  }
}

INSTANTIATE_TEST_SUITE_P(Durabilities, BackupTest,
                         ::testing::Values(Durability::kSync,
                                           Durability::kNoSync,
                                           Durability::kNoWal),
                         [](const auto& info) {
                           switch (info.param) {
                             case Durability::kSync:
                               return "Sync";
                             case Durability::kNoSync:
                               return "NoSync";
                             case Durability::kNoWal:
                               return "NoWal";
                           }
                           return "";
                         });

class BackupDestinationTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
    Put("s", "k", "one");
  }
  testing::TempDir backups_;
};

TEST_F(BackupDestinationTest, Backup_ToANonEmptyDirectory_FailsAndTouchesIt) {
  const std::string dest = backups_.Sub("full");
  std::filesystem::create_directories(dest);
  std::ofstream(dest + "/keep") << "mine";
  EXPECT_THAT(broker().Backup({dest}).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_TRUE(std::filesystem::exists(dest + "/keep"));
  EXPECT_FALSE(std::filesystem::exists(dest + "/db"));
}

TEST_F(BackupDestinationTest, Backup_InsideTheDataDirectory_Fails) {
  EXPECT_THAT(broker().Backup({dir() + "/backup"}).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(broker().Backup({""}).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_FALSE(std::filesystem::exists(dir() + "/backup"));
}

TEST_F(BackupDestinationTest, Backup_ThatCannotBeWritten_LeavesNothing) {
  const std::string file = backups_.Sub("a-file");
  std::ofstream(file) << "not a directory";
  EXPECT_THAT(broker().Backup({file + "/backup"}).status(),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_FALSE(std::filesystem::exists(file + "/backup"));
}

TEST_F(BackupDestinationTest, Backup_ToAnEmptyDirectory_FillsIt) {
  const std::string dest = backups_.Sub("empty");
  std::filesystem::create_directories(dest);
  ASSERT_OK(broker().Backup({dest}).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> copy,
                       Broker::Open(BrokerOptions(), dest));
  EXPECT_OK(copy->Close());
}

TEST_F(BackupDestinationTest, Backup_AfterClose_Fails) {
  ASSERT_OK(broker().Close());
  EXPECT_THAT(broker().Backup({backups_.Sub("late")}).status(),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_FALSE(std::filesystem::exists(backups_.Sub("late")));
}

// Opens the data directory `copy` and returns the data of shard 0 of "s"
// from its oldest record (one page), then closes it.
std::vector<std::string> DataOfCopy(const BrokerOptions& options,
                                    const std::string& copy) {
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options, copy);
  EXPECT_OK(broker);
  if (!broker.ok()) return {};
  GetShardIteratorRequest start;
  start.stream = "s";
  start.shard_id = "shardId-000000000000";
  std::vector<std::string> data;
  absl::StatusOr<GetShardIteratorResult> iterator =
      (*broker)->GetShardIterator(start);
  EXPECT_OK(iterator);
  if (iterator.ok()) {
    absl::StatusOr<GetRecordsResult> page =
        (*broker)->GetRecords({iterator->shard_iterator});
    EXPECT_OK(page);
    if (page.ok()) {
      for (const Record& record : page->records) data.push_back(record.data);
    }
  }
  EXPECT_OK((*broker)->Close());
  return data;
}

TEST_F(BackupDestinationTest, RestoreBackup_CopiesABackupThatOpens) {
  const std::string backup = backups_.Sub("backup");
  ASSERT_OK(broker().Backup({backup}).status());
  const std::string restored = backups_.Sub("restored");
  ASSERT_OK_AND_ASSIGN(BackupResult result, RestoreBackup(backup, restored));
  EXPECT_GT(result.bytes, 0);
  // The fixture's clock: the records are not past their retention.
  EXPECT_THAT(DataOfCopy(options(), restored), ElementsAre("one"));
}

std::string MarkerOf(const std::string& dir) {
  std::ifstream in(dir + "/BROOK");
  std::string marker;
  std::getline(in, marker);
  return marker;
}

class FormatOneBackupTest : public testing::BrokerTest {
 protected:
  testing::TempDir backups_;
};

TEST_F(FormatOneBackupTest, BackupAndRestoreKeepTheSourceFormat) {
  // A format-1 directory's batches carry no CRC32C: a copy marked format 2
  // would fail every read.
  std::ofstream(dir() + "/BROOK") << "brook-data-dir format 1\n";
  Open();
  CreateStream("s", 1);
  Put("s", "k", "one");
  const std::string backup = backups_.Sub("backup");
  ASSERT_OK(broker().Backup({backup}).status());
  EXPECT_EQ(MarkerOf(backup), "brook-data-dir format 1");
  const std::string restored = backups_.Sub("restored");
  ASSERT_OK(RestoreBackup(backup, restored).status());
  EXPECT_EQ(MarkerOf(restored), "brook-data-dir format 1");
  EXPECT_THAT(DataOfCopy(options(), restored), ElementsAre("one"));
}

TEST_F(BackupDestinationTest, Backup_OfANewDirectory_IsFormatTwo) {
  const std::string backup = backups_.Sub("backup");
  ASSERT_OK(broker().Backup({backup}).status());
  EXPECT_EQ(MarkerOf(backup), "brook-data-dir format 2");
}

TEST_F(BackupDestinationTest, RestoreBackup_OfAHeldDirectory_IsRefused) {
  EXPECT_THAT(RestoreBackup(dir(), backups_.Sub("restored")).status(),
              HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_FALSE(std::filesystem::exists(backups_.Sub("restored")));
}

TEST_F(BackupDestinationTest, RestoreBackup_OfSomethingElse_IsRefused) {
  const std::string other = backups_.Sub("other");
  std::filesystem::create_directories(other);
  std::ofstream(other + "/file") << "x";
  EXPECT_THAT(RestoreBackup(other, backups_.Sub("restored")).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      RestoreBackup(backups_.Sub("missing"), backups_.Sub("r2")).status(),
      HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_FALSE(std::filesystem::exists(backups_.Sub("restored")));
}

TEST_F(BackupDestinationTest, RestoreBackup_OverAnExistingDirectory_Fails) {
  const std::string backup = backups_.Sub("backup");
  ASSERT_OK(broker().Backup({backup}).status());
  const std::string dest = backups_.Sub("busy");
  std::filesystem::create_directories(dest);
  std::ofstream(dest + "/keep") << "mine";
  EXPECT_THAT(RestoreBackup(backup, dest).status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_TRUE(std::filesystem::exists(dest + "/keep"));
}

// A directory that a backup left without its marker (interrupted before
// the end, once the store's files were there) is never taken for a sound
// data directory: it is refused as damage, which is what it is.
TEST_F(BackupDestinationTest, InterruptedBackup_IsRefusedAsDamage) {
  const std::string backup = backups_.Sub("backup");
  ASSERT_OK(broker().Backup({backup}).status());
  std::filesystem::remove(backup + "/BROOK");
  BrokerOptions options;
  EXPECT_THAT(Broker::Open(options, backup).status(),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(RestoreBackup(backup, backups_.Sub("r")).status(),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_FALSE(std::filesystem::exists(backups_.Sub("r")));
  EXPECT_FALSE(std::filesystem::exists(backup + "/BROOK"));
}

}  // namespace
}  // namespace brook
