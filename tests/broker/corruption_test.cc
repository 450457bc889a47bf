// Damaged bytes are reported as data loss (kDataLoss, Kinesis name
// InternalFailure), never returned as records: a damaged batch, a key of
// the wrong shape, a damaged metadata value, a flipped bit in a table or
// blob file, and a flipped bit that RocksDB's own checksums cannot see
// (the batch's CRC32C must), on GetRecords and on the fan-out path. The
// records before a damaged batch are still delivered, and the damage is
// reported to the read that reaches it. A damaged newest batch keeps
// neither the directory from opening nor other shards from working. A
// format-1 directory is still read, and still written in format 1.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/data_dir.h"
#include "storage/record_batch.h"
#include "storage/store.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;

constexpr char kShard[] = "shardId-000000000000";

auto IsDataLoss() {
  return AllOf(HasCode(absl::StatusCode::kDataLoss),
               HasErrorName(ErrorName::kInternalFailure));
}

class CorruptionTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  // Closes the broker, stores `value` under `key` of `family` as is, and
  // opens the broker again (returning how that went).
  absl::Status PlantAndReopen(Family family, const std::string& key,
                              const std::string& value) {
    EXPECT_OK(broker().Close());
    {
      absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
          DataDirLock::Acquire(dir(), false);
      EXPECT_OK(lock);
      absl::StatusOr<std::unique_ptr<Store>> store =
          Store::Open((*lock)->store_path());
      EXPECT_OK(store);
      EXPECT_OK((*store)->TEST_PutRaw(family, key, value));
      EXPECT_OK((*store)->Close());
    }
    return BrokerImpl::Open(options(), dir()).status();
  }

  // Closes the broker and flips `bit` of byte `offset` of the stored value
  // of the batch at `counter`, writing it back through RocksDB, so that
  // RocksDB's checksums hold for the damaged bytes.
  void FlipStoredBit(ShardRef shard, uint64_t counter, size_t offset,
                     char bit) {
    ASSERT_OK(broker().Close());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DataDirLock> lock,
                         DataDirLock::Acquire(dir(), false));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open(lock->store_path()));
    const std::string key = RecordKey(shard, counter);
    ASSERT_OK_AND_ASSIGN(absl::optional<std::string> value,
                         store->Get(Family::kRecords, key));
    ASSERT_TRUE(value.has_value());
    ASSERT_LT(offset, value->size());
    (*value)[offset] = static_cast<char>((*value)[offset] ^ bit);
    ASSERT_OK(store->TEST_PutRaw(Family::kRecords, key, *value));
    ASSERT_OK(store->Close());
  }

  // Reads the shard from TRIM_HORIZON, call after call, until a call fails
  // or reaches the newest record: returns the failure (OK if none), and
  // adds the data of the records read before it to `data`.
  absl::Status ReadFromTrimHorizon(std::vector<std::string>* data = nullptr) {
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
    for (int call = 0; call < 1000; ++call) {
      absl::StatusOr<GetRecordsResult> result = broker().GetRecords(request);
      if (!result.ok()) return result.status();
      for (const Record& record : result->records) {
        if (data != nullptr) data->push_back(record.data);
      }
      if (result->records.empty() && result->millis_behind_latest == 0) break;
      request.shard_iterator = result->next_shard_iterator;
    }
    return absl::OkStatus();
  }

  // What a damaged newest batch leaves working: the directory opens; the
  // other streams read and write as before; the damaged shard reads up to
  // the damage, then fails, also after new writes; its new records take
  // sequence numbers above every one the damaged batch can hold.
  void ExpectOnlyTheDamagedShardAffected(const PutRecordResult& damaged) {
    std::vector<std::string> data;
    EXPECT_THAT(ReadFromTrimHorizon(&data), IsDataLoss());
    EXPECT_EQ(data, std::vector<std::string>{"r0"});
    EXPECT_EQ(DataOf(ReadShard("other", kShard)),
              std::vector<std::string>{"o0"});
    Put("other", "k", "o1");
    EXPECT_EQ(DataOf(ReadShard("other", kShard)),
              (std::vector<std::string>{"o0", "o1"}));
    const PutRecordResult after = Put("s", "k", "after");
    EXPECT_GT(CounterOf(after.sequence_number),
              CounterOf(damaged.sequence_number));
    EXPECT_EQ(DataOf(ReadAll(Iterator("s", kShard,
                                      ShardIteratorType::kAtSequenceNumber,
                                      after.sequence_number))),
              std::vector<std::string>{"after"});
    // From the oldest record: the one before the damage, then the damage,
    // never the record written after it.
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
    ASSERT_OK_AND_ASSIGN(GetRecordsResult result, broker().GetRecords(request));
    EXPECT_EQ(DataOf(result.records), std::vector<std::string>{"r0"});
    EXPECT_GT(result.millis_behind_latest, 0);
    request.shard_iterator = result.next_shard_iterator;
    EXPECT_THAT(broker().GetRecords(request).status(), IsDataLoss());
  }
};

TEST_F(CorruptionTest, DamagedBatch_IsDataLoss) {
  const PutRecordResult first = Put("s", "k", "first");
  const PutRecordResult second = Put("s", "k", "second");
  const ShardRef shard = ShardOf(first.sequence_number);
  ASSERT_OK(PlantAndReopen(Family::kRecords,
                           RecordKey(shard, CounterOf(first.sequence_number)),
                           "\x01\x02 not a batch"));
  Reopen();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
  // A reader past the damaged batch still reads.
  EXPECT_EQ(
      DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtSequenceNumber,
                              second.sequence_number))),
      std::vector<std::string>{"second"});
}

TEST_F(CorruptionTest, GetRecords_ReturnsTheRecordsBeforeADamagedBatch) {
  // Four batches, the third damaged: a reader from the oldest gets the two
  // before it, with an iterator at the damage that fails the next call.
  Put("s", "k", "r0");
  clock().Advance(absl::Seconds(1));
  Put("s", "k", "r1");
  clock().Advance(absl::Seconds(1));
  const PutRecordResult damaged = Put("s", "k", "r2");
  clock().Advance(absl::Seconds(1));
  const PutRecordResult after = Put("s", "k", "r3");
  FlipStoredBit(ShardOf(damaged.sequence_number),
                CounterOf(damaged.sequence_number), 12, 0x08);
  Open();
  GetRecordsRequest request;
  request.shard_iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  ASSERT_OK_AND_ASSIGN(GetRecordsResult result, broker().GetRecords(request));
  EXPECT_EQ(DataOf(result.records), (std::vector<std::string>{"r0", "r1"}));
  // r1 arrived 2 s before r3, the newest record.
  EXPECT_EQ(result.millis_behind_latest, 2000);
  ASSERT_FALSE(result.next_shard_iterator.empty());
  request.shard_iterator = result.next_shard_iterator;
  EXPECT_THAT(broker().GetRecords(request).status(), IsDataLoss());
  // A read that starts at the damaged record fails: nothing skips it.
  request.shard_iterator =
      Iterator("s", kShard, ShardIteratorType::kAtSequenceNumber,
               damaged.sequence_number);
  EXPECT_THAT(broker().GetRecords(request).status(), IsDataLoss());
  EXPECT_EQ(
      DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtSequenceNumber,
                              after.sequence_number))),
      std::vector<std::string>{"r3"});
}

TEST_F(CorruptionTest, DamagedRecordKey_IsDataLoss) {
  const PutRecordResult put = Put("s", "k", "record");
  const ShardRef shard = ShardOf(put.sequence_number);
  // One byte past the shard's prefix: sorts before every batch of the shard,
  // and has no counter.
  ASSERT_OK(PlantAndReopen(Family::kRecords,
                           ShardKeys(shard).begin + std::string(1, '\0'),
                           "anything"));
  Reopen();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
}

TEST_F(CorruptionTest, DamagedStreamDescription_FailsOpenWithDataLoss) {
  Put("s", "k", "record");
  EXPECT_THAT(PlantAndReopen(Family::kMeta, StreamMetaKey(1),
                             std::string("\x02\x00\x00", 3)),
              IsDataLoss());
}

TEST_F(CorruptionTest, DamagedCheckpoint_IsDataLoss) {
  const PutRecordResult put = Put("s", "k", "record");
  PutCheckpointRequest checkpoint;
  checkpoint.stream = "s";
  checkpoint.application_name = "app";
  checkpoint.shard_id = kShard;
  checkpoint.sequence_number = put.sequence_number;
  ASSERT_OK(broker().PutCheckpoint(checkpoint));
  ASSERT_OK(PlantAndReopen(Family::kMeta, CheckpointKey(1, "app", 0),
                           std::string("\x01\x07", 2)));
  Reopen();
  EXPECT_THAT(broker().GetCheckpoints({"s", "app"}), IsDataLoss());
}

// Flips one bit of the stored bytes `pattern` in the files named
// *`extension` (".sst" table files, ".blob" blob files), once where it
// occurs, and returns how many files held it.
int FlipBitOf(const std::string& db_dir, const std::string& extension,
              const std::string& pattern, size_t offset, char bit) {
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db_dir)) {
    if (entry.path().extension() != extension) continue;
    std::fstream file(entry.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
    const size_t at = bytes.find(pattern);
    if (at == std::string::npos) continue;
    file.seekp(static_cast<std::streamoff>(at + offset));
    file.put(static_cast<char>(bytes[at + offset] ^ bit));
    ++damaged;
  }
  return damaged;
}

TEST_F(CorruptionTest, ChecksumMismatch_IsDataLoss) {
  // Enough small batches for several blocks, so that opening (which reads
  // the newest) does not meet the damaged one.
  const std::string marker = "damage-me-here-0123456789";
  Put("s", "k", marker);
  for (int i = 0; i < 400; ++i) {
    Put("s", "k", "filler-" + std::to_string(i) + std::string(60, 'f'));
  }
  ASSERT_OK(broker().Close());  // Flushes: the batches are in table files.
  ASSERT_EQ(FlipBitOf(dir() + "/db", ".sst", marker, 3, 0x01), 1);
  Open();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
}

TEST_F(CorruptionTest, FlippedBitInExplicitHashKey_IsDataLoss) {
  // The hash key 0x4242...42 (every byte 'B') is stored as 16 bytes in the
  // batch; one flipped bit of it must fail the read, not route the record
  // to another hash key.
  PutRecordRequest put;
  put.stream = "s";
  put.partition_key = "k";
  put.data = "keyed";
  put.explicit_hash_key = "88073083203066425837579310158810595906";
  ASSERT_OK(broker().PutRecord(put).status());
  for (int i = 0; i < 400; ++i) {
    Put("s", "k", "filler-" + std::to_string(i) + std::string(60, 'f'));
  }
  ASSERT_OK(broker().Close());
  ASSERT_EQ(FlipBitOf(dir() + "/db", ".sst", std::string(16, 'B'), 5, 0x10), 1);
  Open();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
}

TEST_F(CorruptionTest, FlippedBitInABlobFile_IsDataLoss) {
  // Batches of 256 bytes or more live in blob files, read without RocksDB's
  // blob checksum: the batch's own CRC32C must catch the flip.
  // Small batches on either side (in table files): opening reads the
  // oldest and the newest batch of each shard with RocksDB's checks on.
  const std::string marker = "blob-damage-me" + std::string(600, 'b');
  Put("s", "k", "before");
  Put("s", "k", marker);
  Put("s", "k", "after");
  ASSERT_OK(broker().Close());
  ASSERT_EQ(FlipBitOf(dir() + "/db", ".blob", marker, 0, 0x02), 1);
  options().tail_cache_bytes = 0;
  Open();
  std::vector<std::string> data;
  EXPECT_THAT(ReadFromTrimHorizon(&data), IsDataLoss());
  EXPECT_EQ(data, std::vector<std::string>{"before"});
}

TEST_F(CorruptionTest, DamagedNewestBatch_AffectsOnlyItsShard) {
  CreateStream("other", 1);
  Put("s", "k", "r0");
  Put("other", "k", "o0");
  const PutRecordResult damaged = Put("s", "k", "r1");
  // Too short for a batch's header, which opening reads.
  ASSERT_OK(PlantAndReopen(Family::kRecords,
                           RecordKey(ShardOf(damaged.sequence_number),
                                     CounterOf(damaged.sequence_number)),
                           "\x01"));
  Reopen();
  ExpectOnlyTheDamagedShardAffected(damaged);
}

TEST_F(CorruptionTest, FlippedBitInTheNewestBatchsBlob_AffectsOnlyItsShard) {
  // The damage RocksDB's blob checksum finds when opening reads the
  // newest batch: the batch cannot be read at all, not even its header.
  CreateStream("other", 1);
  Put("s", "k", "r0");
  Put("other", "k", "o0");
  const PutRecordResult damaged =
      Put("s", "k", "blob-damage-me" + std::string(600, 'b'));
  ASSERT_OK(broker().Close());
  ASSERT_EQ(FlipBitOf(dir() + "/db", ".blob", "blob-damage-me", 0, 0x02), 1);
  ASSERT_OK(TryOpen());
  ExpectOnlyTheDamagedShardAffected(damaged);
  // Reopened after the new writes, the shard ends where they do.
  Reopen();
  EXPECT_EQ(DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kLatest))),
            std::vector<std::string>{});
}

TEST_F(CorruptionTest, FlippedBitUnderValidStoreChecksums_IsDataLoss) {
  const PutRecordResult put = Put("s", "k", "payload");
  const ShardRef shard = ShardOf(put.sequence_number);
  FlipStoredBit(shard, CounterOf(put.sequence_number), 12, 0x08);
  options().tail_cache_bytes = 0;
  Open();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
}

// Records what a subscription ends with.
class EndRecorder : public SubscriptionHandler {
 public:
  Demand OnEvent(const SubscribeToShardEvent& event) override {
    absl::MutexLock lock(&mu_);
    records_ += event.records.size();
    return Demand::kMore;
  }
  void OnEnd(const absl::Status& status) override {
    {
      absl::MutexLock lock(&mu_);
      end_ = status;
    }
    ended_.Notify();
  }
  absl::optional<absl::Status> WaitForEnd() {
    ended_.WaitForNotificationWithTimeout(absl::Seconds(30));
    absl::MutexLock lock(&mu_);
    return end_;
  }
  size_t records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }

 private:
  absl::Mutex mu_;
  absl::Notification ended_;
  size_t records_ ABSL_GUARDED_BY(mu_) = 0;
  absl::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
};

// Registers consumer "app" of stream "s"; returns its ARN.
std::string RegisterConsumer(Broker& broker) {
  RegisterStreamConsumerRequest request;
  request.stream = "s";
  request.consumer_name = "app";
  absl::StatusOr<Consumer> consumer = broker.RegisterStreamConsumer(request);
  EXPECT_OK(consumer);
  return consumer.ok() ? consumer->consumer_arn : "";
}

// Subscribes consumer `consumer_arn` to the shard of "s" from TRIM_HORIZON
// and returns how the subscription ended (DeadlineExceeded if it did not),
// with its records counted in `handler`.
absl::Status SubscribeUntilEnd(Broker& broker, const std::string& consumer_arn,
                               EndRecorder& handler) {
  SubscribeToShardRequest request;
  request.consumer_arn = consumer_arn;
  request.shard_id = kShard;
  request.starting_position.type = ShardIteratorType::kTrimHorizon;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      broker.SubscribeToShard(request, &handler);
  if (!subscription.ok()) return subscription.status();
  return handler.WaitForEnd().value_or(
      absl::DeadlineExceededError("the subscription did not end"));
}

TEST_F(CorruptionTest, FlippedBit_EndsAFanOutSubscriptionWithDataLoss) {
  const std::string consumer_arn = RegisterConsumer(broker());
  const PutRecordResult put = Put("s", "k", "payload");
  FlipStoredBit(ShardOf(put.sequence_number), CounterOf(put.sequence_number),
                12, 0x08);
  options().tail_cache_bytes = 0;
  Open();
  EndRecorder handler;
  EXPECT_THAT(SubscribeUntilEnd(broker(), consumer_arn, handler), IsDataLoss());
  EXPECT_EQ(handler.records(), 0u);
}

TEST_F(CorruptionTest, FanOut_DeliversTheRecordsBeforeADamagedBatch) {
  const std::string consumer_arn = RegisterConsumer(broker());
  Put("s", "k", "r0");
  Put("s", "k", "r1");
  const PutRecordResult damaged = Put("s", "k", "r2");
  Put("s", "k", "r3");
  FlipStoredBit(ShardOf(damaged.sequence_number),
                CounterOf(damaged.sequence_number), 12, 0x08);
  Open();
  EndRecorder handler;
  EXPECT_THAT(SubscribeUntilEnd(broker(), consumer_arn, handler), IsDataLoss());
  EXPECT_EQ(handler.records(), 2u);
}

class FormatOneTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    std::ofstream(dir() + "/BROOK") << "brook-data-dir format 1\n";
    Open();
    CreateStream("s", 1);
  }
};

TEST_F(FormatOneTest, FlippedBitInATableFile_IsDataLoss) {
  // Format-1 batches have no CRC32C of their own: reads of them must keep
  // RocksDB's checksums on, or this bit would come back as data.
  const std::string marker = "damage-me-here-0123456789";
  Put("s", "k", marker);
  for (int i = 0; i < 400; ++i) {
    Put("s", "k", "filler-" + std::to_string(i) + std::string(60, 'f'));
  }
  ASSERT_OK(broker().Close());
  ASSERT_EQ(FlipBitOf(dir() + "/db", ".sst", marker, 3, 0x01), 1);
  options().tail_cache_bytes = 0;
  Open();
  GetRecordsRequest request;
  request.shard_iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  EXPECT_THAT(broker().GetRecords(request).status(), IsDataLoss());
}

TEST_F(FormatOneTest, IsReadAndWrittenInItsOwnFormat) {
  // A directory made before batches carried checksums: its marker says
  // format 1 and its batches have no CRC32C (RocksDB's checksums cover
  // them). This build reads it, appends to it in format 1, and leaves the
  // marker, so that the build that made it can still open it.
  const PutRecordResult small = Put("s", "k", "small");
  Put("s", "k", std::string(1000, 'L'));  // Into a blob file.
  Reopen();
  EXPECT_EQ(
      DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kTrimHorizon))),
      (std::vector<std::string>{"small", std::string(1000, 'L')}));
  ASSERT_OK(broker().Close());
  std::ifstream in(dir() + "/BROOK");
  std::string marker;
  std::getline(in, marker);
  EXPECT_EQ(marker, "brook-data-dir format 1");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DataDirLock> lock,
                       DataDirLock::Acquire(dir(), false));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open(lock->store_path()));
  ASSERT_OK_AND_ASSIGN(absl::optional<std::string> value,
                       store->Get(Family::kRecords,
                                  RecordKey(ShardOf(small.sequence_number),
                                            CounterOf(small.sequence_number))));
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ((*value)[0] & 0x20, 0) << "a format-1 batch has no checksum flag";
  EXPECT_THAT(VerifyBatchChecksum(RecordKey(ShardOf(small.sequence_number),
                                            CounterOf(small.sequence_number)),
                                  *value),
              IsDataLoss());
  ASSERT_OK(store->Close());
}

}  // namespace
}  // namespace brook
