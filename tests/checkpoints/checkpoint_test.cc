// Checkpoints through the Broker: kept per application and shard, durable
// across reopening, validated against the shard, deleted with the stream.

#include <string>
#include <vector>

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/data_dir.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::string kShard0 = "shardId-000000000000";
const std::string kShard1 = "shardId-000000000001";

class CheckpointTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 2);
  }

  absl::Status Checkpoint(const std::string& application,
                          const std::string& shard_id, SequenceNumber number,
                          int64_t sub_sequence = 0) {
    PutCheckpointRequest request;
    request.stream = "s";
    request.application_name = application;
    request.shard_id = shard_id;
    request.sequence_number = number;
    request.sub_sequence_number = sub_sequence;
    return broker().PutCheckpoint(request);
  }

  absl::Status CheckpointShardEnd(const std::string& shard_id) {
    PutCheckpointRequest request;
    request.stream = "s";
    request.application_name = "app";
    request.shard_id = shard_id;
    request.shard_end = true;
    return broker().PutCheckpoint(request);
  }

  std::vector<brook::Checkpoint> Checkpoints(const std::string& application) {
    absl::StatusOr<GetCheckpointsResult> result =
        broker().GetCheckpoints({"s", application});
    EXPECT_OK(result);
    return result.ok() ? result->checkpoints : std::vector<brook::Checkpoint>();
  }

  // A record of shard 0 (partition key "a" hashes there).
  SequenceNumber PutToShard0(const std::string& data) {
    PutRecordResult result = Put("s", "a", data);
    EXPECT_EQ(result.shard_id, kShard0);
    return result.sequence_number;
  }
};

TEST_F(CheckpointTest, PutAndGet_PerApplicationAndShardAcrossReopen) {
  const SequenceNumber first = PutToShard0("1");
  const SequenceNumber second = PutToShard0("2");
  ASSERT_OK(Checkpoint("app", kShard0, first));
  ASSERT_OK(Checkpoint("app", kShard0, second, 3));  // Replaces the first.
  ASSERT_OK(Checkpoint("other", kShard0, first));
  Reopen();
  const std::vector<brook::Checkpoint> app = Checkpoints("app");
  ASSERT_THAT(app, SizeIs(1));
  EXPECT_EQ(app[0].shard_id, kShard0);
  EXPECT_EQ(app[0].sequence_number, second);
  EXPECT_EQ(app[0].sub_sequence_number, 3);
  EXPECT_FALSE(app[0].shard_end);
  ASSERT_THAT(Checkpoints("other"), SizeIs(1));
  EXPECT_EQ(Checkpoints("other")[0].sequence_number, first);
  EXPECT_THAT(Checkpoints("never"), IsEmpty());
}

TEST_F(CheckpointTest, ShardEnd_OnlyForClosedShards) {
  PutToShard0("1");
  EXPECT_THAT(CheckpointShardEnd(kShard0),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK(broker().MergeShards({"s", kShard0, kShard1}));
  ASSERT_OK(CheckpointShardEnd(kShard0));
  const std::vector<brook::Checkpoint> checkpoints = Checkpoints("app");
  ASSERT_THAT(checkpoints, SizeIs(1));
  EXPECT_TRUE(checkpoints[0].shard_end);
}

TEST_F(CheckpointTest, Put_RejectsNumbersNotOfTheShard) {
  const SequenceNumber record = PutToShard0("1");
  EXPECT_THAT(Checkpoint("app", kShard1, record),
              HasErrorName(ErrorName::kInvalidArgumentException));
  const ShardRef shard0 = ShardOf(record);
  EXPECT_THAT(
      Checkpoint("app", kShard0,
                 MakeSequenceNumber(CounterOf(record) + 1000, shard0)),
      HasErrorName(ErrorName::kInvalidArgumentException));  // Never issued.
  EXPECT_THAT(Checkpoint("app", kShard0, MakeSequenceNumber(0, shard0)),
              HasErrorName(ErrorName::kInvalidArgumentException));
  // After the shard closed, numbers past its end are not of it.
  ASSERT_OK(broker().MergeShards({"s", kShard0, kShard1}));
  const SequenceNumber later = Put("s", "a", "2").sequence_number;
  EXPECT_THAT(
      Checkpoint("app", kShard0, MakeSequenceNumber(CounterOf(later), shard0)),
      HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Checkpoints("app"), IsEmpty());
}

TEST_F(CheckpointTest, Put_RejectsBadRequests) {
  const SequenceNumber record = PutToShard0("1");
  EXPECT_THAT(Checkpoint("app", kShard0, record, -1),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Checkpoint("bad name!", kShard0, record),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Checkpoint("", kShard0, record),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Checkpoint("app", "shardId-000000000009", record),
              HasErrorName(ErrorName::kResourceNotFoundException));
  PutCheckpointRequest missing;
  missing.stream = "missing";
  missing.application_name = "app";
  missing.shard_id = kShard0;
  missing.sequence_number = record;
  EXPECT_THAT(broker().PutCheckpoint(missing),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().GetCheckpoints({"s", "bad name!"}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().GetCheckpoints({"missing", "app"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Checkpoints("app"), IsEmpty());
}

TEST_F(CheckpointTest, DeleteStream_DeletesItsCheckpoints) {
  ASSERT_OK(Checkpoint("app", kShard0, PutToShard0("1")));
  ASSERT_OK(broker().DeleteStream({"s"}));
  CreateStream("s", 2);
  EXPECT_THAT(Checkpoints("app"), IsEmpty());
  ASSERT_OK(broker().Close());

  // Nothing is left in the store under the old stream either.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DataDirLock> lock,
                       DataDirLock::Acquire(dir(), false));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open(lock->store_path()));
  StoreIterator it =
      store->NewIterator(Family::kMeta, KeyRange{"checkpoint/", "checkpoint0"});
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
}

}  // namespace
}  // namespace brook
