// Encryption at rest through the Broker: StartStreamEncryption and
// StopStreamEncryption as Kinesis specifies them, records sealed on disk and
// read back transparently, and the failures of keys and stored bytes.

#include "brook/encryption.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/data_dir.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;

constexpr char kStream[] = "orders";
constexpr char kShard[] = "shardId-000000000000";
constexpr char kServiceKey[] = "alias/aws/kinesis";

// The files under `dir` that contain `marker`, by path.
std::vector<std::string> FilesContaining(const std::string& dir,
                                         const std::string& marker) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string contents((std::istreambuf_iterator<char>(file)),
                               std::istreambuf_iterator<char>());
    if (contents.find(marker) != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

class EncryptionTest : public testing::BrokerTest {
 protected:
  EncryptionTest() {
    keys_ = std::make_shared<KeyDirectory>(key_dir_.Sub("keys"), "us-east-1",
                                           "000000000000");
    options().key_provider = keys_;
  }

  void SetUp() override {
    Open();
    CreateStream(kStream, 1);
  }

  absl::Status Start(const std::string& key_id,
                     const std::string& stream = kStream) {
    StreamEncryptionRequest request;
    request.stream = stream;
    request.key_id = key_id;
    return broker().StartStreamEncryption(request);
  }
  absl::Status Stop(const std::string& key_id = kServiceKey) {
    StreamEncryptionRequest request;
    request.stream = kStream;
    request.key_id = key_id;
    return broker().StopStreamEncryption(request);
  }
  absl::StatusOr<PutRecordResult> TryPut(const std::string& data) {
    PutRecordRequest request;
    request.stream = kStream;
    request.partition_key = "key";
    request.data = data;
    return broker().PutRecord(request);
  }
  StreamDescriptionSummary Summary() {
    DescribeStreamSummaryRequest request;
    request.stream = kStream;
    absl::StatusOr<StreamDescriptionSummary> summary =
        broker().DescribeStreamSummary(request);
    EXPECT_OK(summary);
    return summary.ok() ? *summary : StreamDescriptionSummary();
  }
  std::vector<EncryptionType> TypesOf(const std::vector<Record>& records) {
    std::vector<EncryptionType> types;
    for (const Record& record : records)
      types.push_back(record.encryption_type);
    return types;
  }
  // Closes the broker and lets `edit` change its store directly.
  void EditStoreWhileClosed(absl::FunctionRef<void(Store&)> edit) {
    ASSERT_OK(broker().Close());
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(StorePathOf(dir()));
    ASSERT_OK(store);
    edit(**store);
    ASSERT_OK((*store)->Close());
    Open();
  }
  // The stored batches of the stream's first shard, by key.
  std::vector<std::pair<std::string, std::string>> StoredBatches(Store& store) {
    std::vector<std::pair<std::string, std::string>> batches;
    StoreIterator it = store.NewIterator(Family::kRecords, AllShardKeys());
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      batches.emplace_back(std::string(it.key()), std::string(it.value()));
    }
    EXPECT_OK(it.status());
    return batches;
  }

  absl::StatusOr<GetRecordsResult> ReadFromTrimHorizon() {
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator(kStream, kShard, ShardIteratorType::kTrimHorizon);
    return broker().GetRecords(request);
  }

  KeyDirectory& keys() { return *keys_; }
  std::string key_file(const std::string& uuid) const {
    return key_dir_.Sub(absl::StrCat("keys/key-", uuid));
  }

 private:
  testing::TempDir key_dir_;
  std::shared_ptr<KeyDirectory> keys_;
};

TEST_F(EncryptionTest, Start_SealsLaterRecordsAndReportsItAsKinesis) {
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kNone);
  EXPECT_EQ(Summary().key_id, "");
  const PutRecordResult before = Put(kStream, "key", "before");
  EXPECT_EQ(before.encryption_type, EncryptionType::kNone);

  ASSERT_OK(Start(kServiceKey));
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kKms);
  EXPECT_EQ(Summary().key_id, kServiceKey);  // As it was named.
  DescribeStreamRequest describe;
  describe.stream = kStream;
  ASSERT_OK_AND_ASSIGN(StreamDescription description,
                       broker().DescribeStream(describe));
  EXPECT_EQ(description.encryption_type, EncryptionType::kKms);
  EXPECT_EQ(description.key_id, kServiceKey);

  const PutRecordResult after = Put(kStream, "key", "after");
  EXPECT_EQ(after.encryption_type, EncryptionType::kKms);
  PutRecordsRequest batch;
  batch.stream = kStream;
  batch.records.push_back({"key", "batched", ""});
  ASSERT_OK_AND_ASSIGN(PutRecordsResult batched, broker().PutRecords(batch));
  EXPECT_EQ(batched.encryption_type, EncryptionType::kKms);

  const std::vector<Record> records = ReadShard(kStream, kShard);
  EXPECT_THAT(DataOf(records), ElementsAre("before", "after", "batched"));
  EXPECT_THAT(TypesOf(records),
              ElementsAre(EncryptionType::kNone, EncryptionType::kKms,
                          EncryptionType::kKms));
}

TEST_F(EncryptionTest, PlaintextNeverReachesAnyFileOnceEncrypting) {
  options().durability = Durability::kSync;  // As production writes its log.
  Reopen();
  const std::string plain_marker = "PLAIN-MARKER-7f3a";
  const std::string sealed_marker = "SEALED-MARKER-c91e";
  // 1 KiB records: their batches go to blob files when memtables flush.
  Put(kStream, "key", plain_marker + std::string(1024, 'p'));
  ASSERT_OK(Start(kServiceKey));
  for (int i = 0; i < 50; ++i) {
    Put(kStream, absl::StrCat("partition-", sealed_marker, i),
        absl::StrCat(sealed_marker, i, std::string(1024, 's')));
  }
  // The log holds them now; then a close flushes them to table and blob
  // files, and a reopen replays and rewrites.
  EXPECT_THAT(FilesContaining(dir(), sealed_marker), ::testing::IsEmpty());
  Reopen();
  EXPECT_THAT(FilesContaining(dir(), sealed_marker), ::testing::IsEmpty());
  bool has_blob_file = false;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir())) {
    has_blob_file = has_blob_file || entry.path().extension() == ".blob";
  }
  EXPECT_TRUE(has_blob_file);
  // The scan finds what is there: the record written before encryption.
  EXPECT_THAT(FilesContaining(dir(), plain_marker),
              ::testing::Not(::testing::IsEmpty()));
  // And every record reads back.
  EXPECT_EQ(ReadShard(kStream, kShard).size(), 51u);
}

TEST_F(EncryptionTest, ReadsDecryptAfterRestartAndCrash) {
  ASSERT_OK(Start(kServiceKey));
  Put(kStream, "key", "one");
  Reopen();
  Put(kStream, "key", "two");
  CrashAndReopen();
  options().tail_cache_bytes = 0;  // From the log, not memory.
  Reopen();
  const std::vector<Record> records = ReadShard(kStream, kShard);
  EXPECT_THAT(DataOf(records), ElementsAre("one", "two"));
  EXPECT_THAT(TypesOf(records),
              ElementsAre(EncryptionType::kKms, EncryptionType::kKms));
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kKms);
}

TEST_F(EncryptionTest, UnknownOrDisabledKey_FailsAndChangesNothing) {
  EXPECT_THAT(Start("alias/missing"),
              HasErrorName(ErrorName::kKMSNotFoundException));
  EXPECT_THAT(Start("12345678-1234-1234-1234-123456789012"),
              HasErrorName(ErrorName::kKMSNotFoundException));
  ASSERT_OK_AND_ASSIGN(std::string key, keys().CreateKey());
  ASSERT_OK(keys().Disable(key));
  EXPECT_THAT(Start(key), HasErrorName(ErrorName::kKMSDisabledException));
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kNone);
  EXPECT_EQ(Put(kStream, "key", "plain").encryption_type,
            EncryptionType::kNone);
}

TEST_F(EncryptionTest, KeyMissingAtOpen_FailsPutsAndReadsWithKmsErrors) {
  ASSERT_OK_AND_ASSIGN(std::string key, keys().CreateKey());
  Put(kStream, "key", "plain");
  ASSERT_OK(Start(key));
  Put(kStream, "key", "sealed");
  options().tail_cache_bytes = 0;
  Reopen();
  ASSERT_OK(keys().Disable(key));
  // The data key was not unwrapped since the open: every use now asks.
  EXPECT_THAT(TryPut("refused"),
              HasErrorName(ErrorName::kKMSDisabledException));
  // The record stored before encryption is read; the call after it, which
  // starts at the sealed batch, fails.
  ASSERT_OK_AND_ASSIGN(GetRecordsResult read, ReadFromTrimHorizon());
  EXPECT_THAT(DataOf(read.records), ElementsAre("plain"));
  GetRecordsRequest request;
  request.shard_iterator = read.next_shard_iterator;
  EXPECT_THAT(broker().GetRecords(request),
              HasErrorName(ErrorName::kKMSDisabledException));
  // Nothing was written by the refused put: with the key back, the shard
  // holds what it held.
  ASSERT_OK(keys().Enable(key));
  EXPECT_THAT(DataOf(ReadShard(kStream, kShard)),
              ElementsAre("plain", "sealed"));
}

TEST_F(EncryptionTest, DeletedMasterKey_IsKmsNotFound) {
  ASSERT_OK_AND_ASSIGN(std::string key, keys().CreateKey());
  ASSERT_OK(Start(key));
  Put(kStream, "key", "sealed");
  options().tail_cache_bytes = 0;
  Reopen();
  ASSERT_TRUE(std::filesystem::remove(key_file(key)));
  EXPECT_THAT(ReadFromTrimHorizon(),
              HasErrorName(ErrorName::kKMSNotFoundException));
  EXPECT_THAT(TryPut("refused"),
              HasErrorName(ErrorName::kKMSNotFoundException));
}

TEST_F(EncryptionTest, FlippedBitInAStoredBatch_IsDataLoss) {
  ASSERT_OK(Start(kServiceKey));
  Put(kStream, "key", "sealed record");
  options().tail_cache_bytes = 0;
  EditStoreWhileClosed([&](Store& store) {
    auto batches = StoredBatches(store);
    ASSERT_EQ(batches.size(), 1u);
    std::string value = batches[0].second;
    value[value.size() - 20] ^= 0x04;  // In the ciphertext.
    ASSERT_OK(store.TEST_PutRaw(Family::kRecords, batches[0].first, value));
  });
  EXPECT_THAT(ReadFromTrimHorizon(), HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(EncryptionTest, SwappedBatches_AreDataLoss) {
  ASSERT_OK(Start(kServiceKey));
  Put(kStream, "key", "first");
  Put(kStream, "key", "second");
  options().tail_cache_bytes = 0;
  EditStoreWhileClosed([&](Store& store) {
    auto batches = StoredBatches(store);
    ASSERT_EQ(batches.size(), 2u);
    // Each batch is whole and sealed under the right key, but at the
    // other's position.
    ASSERT_OK(store.TEST_PutRaw(Family::kRecords, batches[0].first,
                                batches[1].second));
    ASSERT_OK(store.TEST_PutRaw(Family::kRecords, batches[1].first,
                                batches[0].second));
  });
  EXPECT_THAT(ReadFromTrimHorizon(), HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(EncryptionTest, StopAndStart_InterleaveWithReaders) {
  ASSERT_OK_AND_ASSIGN(std::string other_key, keys().CreateKey());
  Put(kStream, "key", "a");
  ASSERT_OK(Start(kServiceKey));
  Put(kStream, "key", "b");
  ASSERT_OK(Stop());
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kNone);
  EXPECT_EQ(Summary().key_id, "");
  Put(kStream, "key", "c");
  ASSERT_OK(Start(other_key));
  EXPECT_EQ(Summary().key_id, other_key);
  Put(kStream, "key", "d");
  ASSERT_OK(Start(kServiceKey));  // A new data key under the first key.
  Put(kStream, "key", "e");
  const std::vector<EncryptionType> expected = {
      EncryptionType::kNone, EncryptionType::kKms, EncryptionType::kNone,
      EncryptionType::kKms, EncryptionType::kKms};
  // From memory, and from the log after a restart.
  std::vector<Record> records = ReadShard(kStream, kShard);
  EXPECT_THAT(DataOf(records), ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_EQ(TypesOf(records), expected);
  options().tail_cache_bytes = 0;
  Reopen();
  records = ReadShard(kStream, kShard);
  EXPECT_THAT(DataOf(records), ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_EQ(TypesOf(records), expected);
}

TEST_F(EncryptionTest, ConcurrentChanges_NeitherLoseNorGarbleRecords) {
  // Writers and a reader run while the stream's encryption flips: every
  // record reads back whole, in order, in the state it was written in.
  std::atomic<bool> done{false};
  std::thread flipper([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_OK(i % 2 == 0 ? Start(kServiceKey) : Stop());
    }
    done = true;
  });
  std::vector<std::string> written;
  std::vector<EncryptionType> written_types;
  for (int i = 0; !done || i < 50; ++i) {
    absl::StatusOr<PutRecordResult> put = TryPut(absl::StrCat("r", i));
    EXPECT_OK(put);
    if (!put.ok()) break;
    written.push_back(absl::StrCat("r", i));
    written_types.push_back(put->encryption_type);
    if (i % 10 == 0) ReadShard(kStream, kShard);
  }
  flipper.join();
  std::vector<Record> records = ReadShard(kStream, kShard);
  EXPECT_EQ(DataOf(records), written);
  EXPECT_EQ(TypesOf(records), written_types);
  options().tail_cache_bytes = 0;
  Reopen();
  records = ReadShard(kStream, kShard);
  EXPECT_EQ(DataOf(records), written);
  EXPECT_EQ(TypesOf(records), written_types);
}

TEST_F(EncryptionTest, Requests_AreCheckedAsKinesisChecksThem) {
  EXPECT_THAT(Start(""), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Start(std::string(2049, 'k')),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Start(kServiceKey, "no-such-stream"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  StreamEncryptionRequest none;
  none.stream = kStream;
  none.encryption_type = EncryptionType::kNone;
  none.key_id = kServiceKey;
  EXPECT_THAT(broker().StartStreamEncryption(none),
              HasErrorName(ErrorName::kInvalidArgumentException));
  // Stopping a stream that does not encrypt changes nothing.
  ASSERT_OK(Stop());
  EXPECT_EQ(Summary().encryption_type, EncryptionType::kNone);
}

TEST_F(EncryptionTest, Starts_AreLimitedTo25PerDay) {
  for (int i = 0; i < 25; ++i) ASSERT_OK(Start(kServiceKey)) << i;
  EXPECT_THAT(Start(kServiceKey),
              HasErrorName(ErrorName::kLimitExceededException));
  // The limit survives a restart, and rolls with the clock.
  Reopen();
  EXPECT_THAT(Start(kServiceKey),
              HasErrorName(ErrorName::kLimitExceededException));
  clock().Advance(absl::Hours(24) + absl::Seconds(1));
  ASSERT_OK(Start(kServiceKey));
}

}  // namespace
}  // namespace brook
