// Durability against power loss: log writes that were never synced are cut
// off after the process stops, as a power cut would. In Durability::kSync
// every acknowledged put survives; Durability::kNoSync loses them, which
// shows the simulation has teeth.

#include <memory>
#include <string>

#include "broker/broker_impl.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

constexpr int kPuts = 200;

// Puts kPuts records in `durability`, cuts the unsynced log bytes off, and
// returns how many records a reopened Broker reads back.
int SurvivingRecords(Durability durability) {
  testing::TempDir dir;
  auto file_system = std::make_shared<testing::FaultFileSystem>();
  BrokerOptions options;
  options.durability = durability;
  {
    absl::StatusOr<std::unique_ptr<BrokerImpl>> broker =
        BrokerImpl::OpenWithFileSystem(options, dir.path(),
                                       StoreFileSystem(file_system));
    EXPECT_OK(broker);
    if (!broker.ok()) return -1;
    CreateStreamRequest create;
    create.stream_name = "s";
    create.options.limits = StreamLimits::Unlimited();
    EXPECT_OK((*broker)->CreateStream(create));
    for (int i = 0; i < kPuts; ++i) {
      PutRecordRequest put;
      put.stream = "s";
      put.partition_key = "k";
      put.data = std::to_string(i);
      EXPECT_OK((*broker)->PutRecord(put));  // Acknowledged.
    }
    (*broker)->TEST_SimulateCrash();
  }
  file_system->DropUnsyncedLogData();

  absl::StatusOr<std::unique_ptr<Broker>> reopened =
      Broker::Open(BrokerOptions(), dir.path());
  EXPECT_OK(reopened);
  if (!reopened.ok()) return -1;
  GetShardIteratorRequest start;
  start.stream = "s";
  start.shard_id = "shardId-000000000000";
  start.shard_iterator_type = ShardIteratorType::kTrimHorizon;
  absl::StatusOr<GetShardIteratorResult> iterator =
      (*reopened)->GetShardIterator(start);
  EXPECT_OK(iterator);
  if (!iterator.ok()) return -1;
  GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  absl::StatusOr<GetRecordsResult> records = (*reopened)->GetRecords(get);
  EXPECT_OK(records);
  int count = 0;
  if (records.ok()) {
    for (const Record& record : records->records) {
      EXPECT_EQ(record.data, std::to_string(count));
      ++count;
    }
  }
  EXPECT_OK((*reopened)->Close());
  return count;
}

TEST(PowerLossTest, SyncDurability_KeepsEveryAcknowledgedPut) {
  EXPECT_EQ(SurvivingRecords(Durability::kSync), kPuts);
}

TEST(PowerLossTest, NoSyncDurability_LosesUnsyncedPuts) {
  EXPECT_LT(SurvivingRecords(Durability::kNoSync), kPuts);
}

}  // namespace
}  // namespace brook
