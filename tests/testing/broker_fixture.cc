#include "testing/broker_fixture.h"

#include "testing/status_matchers.h"

namespace brook::testing {

BrokerTest::BrokerTest() {
  options_.clock = &clock_;
  options_.durability = Durability::kNoSync;
  // The scaling controller of on-demand streams measures rates on the
  // manual clock: it runs only when a test calls TEST_CheckCapacityNow().
  options_.on_demand.check_interval = absl::ZeroDuration();
}

BrokerTest::~BrokerTest() {
  if (broker_ != nullptr) {
    EXPECT_OK(broker_->Close());
  }
}

std::shared_ptr<FaultFileSystem> BrokerTest::UseFaultFileSystem(
    uint64_t min_free_disk_bytes) {
  auto file_system = std::make_shared<FaultFileSystem>();
  file_system_ = StoreFileSystem(file_system);
  options_.durability = Durability::kSync;
  options_.min_free_disk_bytes = min_free_disk_bytes;
  options_.disk_check_interval = absl::Hours(1);
  return file_system;
}

void BrokerTest::Open() { ASSERT_OK(TryOpen()); }

absl::Status BrokerTest::TryOpen() {
  absl::StatusOr<std::unique_ptr<BrokerImpl>> broker =
      BrokerImpl::OpenWithFileSystem(options_, dir_.path(), file_system_);
  if (!broker.ok()) return broker.status();
  broker_ = *std::move(broker);
  return absl::OkStatus();
}

void BrokerTest::CrashAndReopen() {
  if (broker_ != nullptr) broker_->TEST_SimulateCrash();
  broker_.reset();
  Open();
}

void BrokerTest::Reopen() {
  if (broker_ != nullptr) {
    ASSERT_OK(broker_->Close());
  }
  broker_.reset();
  Open();
}

void BrokerTest::CreateStream(const std::string& name, int shard_count,
                              const StreamLimits& limits) {
  CreateStreamRequest request;
  request.stream_name = name;
  request.shard_count = shard_count;
  request.options.limits = limits;
  ASSERT_OK(broker_->CreateStream(request));
}

PutRecordResult BrokerTest::Put(const std::string& stream,
                                const std::string& key,
                                const std::string& data) {
  PutRecordRequest request;
  request.stream = stream;
  request.partition_key = key;
  request.data = data;
  absl::StatusOr<PutRecordResult> result = broker_->PutRecord(request);
  EXPECT_OK(result);
  return result.ok() ? *result : PutRecordResult{};
}

std::string BrokerTest::Iterator(const std::string& stream,
                                 const std::string& shard_id,
                                 ShardIteratorType type,
                                 absl::optional<SequenceNumber> sequence,
                                 absl::optional<absl::Time> timestamp) {
  GetShardIteratorRequest request;
  request.stream = stream;
  request.shard_id = shard_id;
  request.shard_iterator_type = type;
  request.starting_sequence_number = sequence;
  request.timestamp = timestamp;
  absl::StatusOr<GetShardIteratorResult> result =
      broker_->GetShardIterator(request);
  EXPECT_OK(result);
  return result.ok() ? result->shard_iterator : "";
}

std::vector<Record> BrokerTest::ReadAll(std::string iterator) {
  std::vector<Record> records;
  for (;;) {
    GetRecordsRequest request;
    request.shard_iterator = iterator;
    absl::StatusOr<GetRecordsResult> result = broker_->GetRecords(request);
    EXPECT_OK(result);
    if (!result.ok()) return records;
    for (Record& record : result->records) records.push_back(std::move(record));
    // A closed shard ends with no next iterator.
    if (result->records.empty() || result->next_shard_iterator.empty()) {
      return records;
    }
    iterator = result->next_shard_iterator;
  }
}

std::vector<Record> BrokerTest::ReadShard(const std::string& stream,
                                          const std::string& shard_id) {
  return ReadAll(Iterator(stream, shard_id, ShardIteratorType::kTrimHorizon));
}

std::vector<std::string> BrokerTest::DataOf(
    const std::vector<Record>& records) {
  std::vector<std::string> data;
  for (const Record& record : records) data.push_back(record.data);
  return data;
}

}  // namespace brook::testing
