// Damaged bytes are reported as data loss (kDataLoss, Kinesis name
// InternalFailure), never returned as records: a damaged batch, a key of
// the wrong shape, a damaged metadata value, and a block whose checksum no
// longer matches.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/data_dir.h"
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

  absl::Status ReadFromTrimHorizon() {
    GetRecordsRequest request;
    request.shard_iterator =
        Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
    return broker().GetRecords(request).status();
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

// Flips one bit of the stored bytes `pattern` in the table files (once,
// where it occurs) and returns how many files held it.
int FlipBitOf(const std::string& db_dir, const std::string& pattern,
              size_t offset, char bit) {
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db_dir)) {
    if (entry.path().extension() != ".sst") continue;
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
  ASSERT_EQ(FlipBitOf(dir() + "/db", marker, 3, 0x01), 1);
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
  ASSERT_EQ(FlipBitOf(dir() + "/db", std::string(16, 'B'), 5, 0x10), 1);
  Open();
  EXPECT_THAT(ReadFromTrimHorizon(), IsDataLoss());
}

}  // namespace
}  // namespace brook
