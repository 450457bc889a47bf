// A seeded random sequence of operations (create, delete, put, put-batch,
// get, reopen), each checked against a simple in-memory model of streams
// and shards, with a tail cache that holds everything, a few batches, or
// nothing. The seed is printed on failure; set BROOK_MODEL_SEED to replay
// one.
//
// The fault variant adds seeded fault episodes: a write, sync, rename or
// allocation fails with EIO or ENOSPC (testing/fault_fs.h) while puts and
// reads go on, then the broker reopens, after a clean close or a crash.
// Throughout, every acknowledged record is present and in order, a put
// that failed may or may not be there (its outcome is unknown), a put
// refused while writes were stopped never is, and a broker is either
// serving or stopped: never silently wrong. Set BROOK_FAULT_SEEDS to run
// more seeds by hand.

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/shard_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "routing/hash_key.h"
#include "testing/broker_fixture.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultFileSystem;
using ::brook::testing::FaultOp;
using ::brook::testing::HasErrorName;

constexpr int kSeeds = 6;
constexpr int kOperationsPerSeed = 400;
constexpr int kFaultSeeds = 2;

// What is known of a record that a put carried.
enum class Fate {
  kAcknowledged,  // Must be stored, in its place.
  kUnknown,       // The put failed: may be stored, in its place, or not.
  kRefused,       // Refused while writes were stopped: must not be stored.
};

struct ModelRecord {
  std::string data;
  Fate fate;
};

// What the broker should hold: per stream, per shard, the records in order.
struct ModelStream {
  std::vector<HashKeyRange> ranges;
  std::vector<std::vector<ModelRecord>> shards;
};

// The parameter is the tail cache's budget.
class ModelTest : public testing::BrokerTest,
                  public ::testing::WithParamInterface<size_t> {
 protected:
  void SetUp() override {
    options().tail_cache_bytes = GetParam();
    Open();
  }

  void RunSeed(unsigned seed);
  void RunSeeds(int seeds);

  std::string RandomName() { return "stream-" + std::to_string(Uniform(0, 3)); }
  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }
  int ExpectedShard(const ModelStream& stream, const std::string& key) {
    const absl::uint128 hash = PartitionKeyHash(key);
    for (size_t i = 0; i < stream.ranges.size(); ++i) {
      if (hash >= stream.ranges[i].starting_hash_key &&
          hash <= stream.ranges[i].ending_hash_key) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  // How a put that failed with InternalFailure is to be remembered.
  Fate FailedPutFate() {
    ++failed_puts_;
    return stopped_before_put_ ? Fate::kRefused : Fate::kUnknown;
  }

  void Create();
  void Delete();
  void PutOne();
  void PutBatch();
  void GetAndCompare();
  // Checks that `read` holds every acknowledged record of `model`, in
  // order, and nothing refused or unknown to the model.
  void ExpectConsistent(const std::vector<std::string>& read,
                        const std::vector<ModelRecord>& model,
                        const std::string& where);
  std::vector<std::string> ReadInPages(const std::string& stream, int shard);
  // After a reopen: checks every shard and resolves what was unknown.
  void Settle();
  virtual void FaultEpisode() {}

  std::mt19937 random_;
  std::map<std::string, ModelStream> model_;
  int next_data_ = 0;
  // Whether writes were stopped when the current put began.
  bool stopped_before_put_ = false;
  // Puts that failed with InternalFailure since the last fault episode.
  int failed_puts_ = 0;
};

void ModelTest::Create() {
  const std::string name = RandomName();
  const int shards = Uniform(1, 4);
  CreateStreamRequest request;
  request.stream_name = name;
  request.shard_count = shards;
  request.options.limits = StreamLimits::Unlimited();
  const absl::Status status = broker().CreateStream(request);
  if (model_.count(name) != 0) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kResourceInUseException));
    return;
  }
  ASSERT_OK(status);
  model_[name] = ModelStream{SplitHashKeySpaceEvenly(shards),
                             std::vector<std::vector<ModelRecord>>(shards)};
}

void ModelTest::Delete() {
  const std::string name = RandomName();
  const absl::Status status = broker().DeleteStream({name});
  if (model_.erase(name) == 0) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  ASSERT_OK(status);
}

void ModelTest::PutOne() {
  const std::string name = RandomName();
  PutRecordRequest request;
  request.stream = name;
  request.partition_key = "key-" + std::to_string(Uniform(0, 20));
  request.data = "data-" + std::to_string(next_data_++);
  stopped_before_put_ =
      broker().GetWriteState().status != WriteStatus::kAccepting;
  absl::StatusOr<PutRecordResult> result = broker().PutRecord(request);
  auto it = model_.find(name);
  if (it == model_.end()) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  const int shard = ExpectedShard(it->second, request.partition_key);
  if (!result.ok()) {
    ASSERT_THAT(result, HasErrorName(ErrorName::kInternalFailure));
    it->second.shards[shard].push_back({request.data, FailedPutFate()});
    return;
  }
  EXPECT_FALSE(stopped_before_put_) << "a put succeeded while stopped";
  EXPECT_EQ(result->shard_id, ShardIdOf(shard));
  it->second.shards[shard].push_back({request.data, Fate::kAcknowledged});
}

void ModelTest::PutBatch() {
  const std::string name = RandomName();
  PutRecordsRequest request;
  request.stream = name;
  const int count = Uniform(1, 30);
  const bool make_invalid = Uniform(0, 9) == 0;
  for (int i = 0; i < count; ++i) {
    request.records.push_back({"key-" + std::to_string(Uniform(0, 20)),
                               "data-" + std::to_string(next_data_++), ""});
  }
  if (make_invalid) request.records[Uniform(0, count - 1)].partition_key = "";
  stopped_before_put_ =
      broker().GetWriteState().status != WriteStatus::kAccepting;
  absl::StatusOr<PutRecordsResult> result = broker().PutRecords(request);
  // The request is checked before the stream is looked up.
  if (make_invalid) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kValidationException));
    return;
  }
  auto it = model_.find(name);
  if (it == model_.end()) {
    EXPECT_THAT(result, HasErrorName(ErrorName::kResourceNotFoundException));
    return;
  }
  if (!result.ok()) {
    ASSERT_THAT(result, HasErrorName(ErrorName::kInternalFailure));
  } else {
    ASSERT_EQ(result->records.size(), request.records.size());
  }
  for (size_t i = 0; i < request.records.size(); ++i) {
    const int shard =
        ExpectedShard(it->second, request.records[i].partition_key);
    if (result.ok() && result->records[i].status.ok()) {
      EXPECT_FALSE(stopped_before_put_) << "a put succeeded while stopped";
      EXPECT_EQ(result->records[i].shard_id, ShardIdOf(shard));
      it->second.shards[shard].push_back(
          {request.records[i].data, Fate::kAcknowledged});
      continue;
    }
    if (result.ok()) {
      EXPECT_THAT(result->records[i].status,
                  HasErrorName(ErrorName::kInternalFailure));
    }
    it->second.shards[shard].push_back(
        {request.records[i].data, FailedPutFate()});
  }
}

void ModelTest::ExpectConsistent(const std::vector<std::string>& read,
                                 const std::vector<ModelRecord>& model,
                                 const std::string& where) {
  // Data values are unique, so matching greedily in order is exact.
  size_t next = 0;
  for (const ModelRecord& record : model) {
    if (next < read.size() && read[next] == record.data) {
      EXPECT_NE(record.fate, Fate::kRefused)
          << where << ": refused " << record.data << " was stored";
      ++next;
    } else {
      EXPECT_NE(record.fate, Fate::kAcknowledged)
          << where << ": acknowledged " << record.data << " missing";
    }
  }
  EXPECT_EQ(next, read.size())
      << where << ": record " << (next < read.size() ? read[next] : "")
      << " is not in the model, or out of order";
}

void ModelTest::GetAndCompare() {
  if (model_.empty()) return;
  auto it = model_.begin();
  std::advance(it, Uniform(0, static_cast<int>(model_.size()) - 1));
  const int shard = Uniform(0, static_cast<int>(it->second.shards.size()) - 1);
  ExpectConsistent(ReadInPages(it->first, shard), it->second.shards[shard],
                   it->first + " " + ShardIdOf(shard));
}

// Pages of a few records, so that most reads start inside the shard, where
// a small tail cache answers some and misses others.
std::vector<std::string> ModelTest::ReadInPages(const std::string& stream,
                                                int shard) {
  std::string iterator =
      Iterator(stream, ShardIdOf(shard), ShardIteratorType::kTrimHorizon);
  std::vector<std::string> data;
  for (;;) {
    GetRecordsRequest request;
    request.shard_iterator = iterator;
    request.limit = Uniform(1, 4);
    absl::StatusOr<GetRecordsResult> page = broker().GetRecords(request);
    EXPECT_OK(page);
    if (!page.ok() || page->records.empty()) return data;
    for (const Record& record : page->records) data.push_back(record.data);
    iterator = page->next_shard_iterator;
  }
}

void ModelTest::Settle() {
  for (auto& [name, stream] : model_) {
    for (size_t shard = 0; shard < stream.shards.size(); ++shard) {
      const std::vector<std::string> read =
          DataOf(ReadShard(name, ShardIdOf(shard)));
      std::vector<ModelRecord>& records = stream.shards[shard];
      ExpectConsistent(read, records, name + " " + ShardIdOf(shard));
      // What was found is stored for good; what was not never will be.
      std::vector<ModelRecord> settled;
      size_t next = 0;
      for (ModelRecord& record : records) {
        if (next < read.size() && read[next] == record.data) {
          settled.push_back({std::move(record.data), Fate::kAcknowledged});
          ++next;
        }
      }
      records = std::move(settled);
    }
  }
}

void ModelTest::RunSeed(unsigned seed) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  random_.seed(seed);
  for (int op = 0; op < kOperationsPerSeed && !HasFatalFailure(); ++op) {
    SCOPED_TRACE(::testing::Message() << "operation " << op);
    const int choice = Uniform(0, 99);
    if (choice < 8) {
      Create();
    } else if (choice < 12) {
      Delete();
    } else if (choice < 50) {
      PutOne();
    } else if (choice < 70) {
      PutBatch();
    } else if (choice < 94) {
      GetAndCompare();
    } else if (choice < 97) {
      FaultEpisode();
    } else {
      Reopen();
    }
  }
  if (!HasFatalFailure()) Settle();
}

void ModelTest::RunSeeds(int seeds) {
  if (const char* replay = std::getenv("BROOK_MODEL_SEED")) {
    RunSeed(static_cast<unsigned>(std::strtoul(replay, nullptr, 10)));
    return;
  }
  const unsigned base = std::random_device()();
  for (int i = 0; i < seeds && !HasFatalFailure(); ++i) {
    for (auto& [name, stream] : model_) {
      ASSERT_OK(broker().DeleteStream({name}));
    }
    model_.clear();
    RunSeed(base + i);
  }
}

TEST_P(ModelTest, RandomOperationsMatchTheModel) { RunSeeds(kSeeds); }

INSTANTIATE_TEST_SUITE_P(TailCache, ModelTest,
                         ::testing::Values(size_t{64} << 20, size_t{512},
                                           size_t{0}));

class FaultModelTest : public ModelTest {
 protected:
  void SetUp() override {
    fs_ = UseFaultFileSystem(/*min_free_disk_bytes=*/uint64_t{4} << 20);
    ModelTest::SetUp();
  }

  Fault RandomFault();
  void FaultEpisode() override;
  // Reopens after a close that may fail, or a crash; with faults still
  // armed, the first open may fail too, and the next must not.
  void ReopenAfterFault(bool faults_armed);

  std::shared_ptr<FaultFileSystem> fs_;
  // What the schedule did, for the soak's report (docs/reliability.md).
  int episodes_ = 0;
  int stops_ = 0;
  int resumes_ = 0;
  int failed_opens_ = 0;
};

Fault FaultModelTest::RandomFault() {
  static const char* const kFileParts[] = {".log",     ".sst",    ".blob",
                                           "MANIFEST", "CURRENT", ""};
  Fault fault;
  fault.op = static_cast<FaultOp>(Uniform(0, 3));
  fault.error =
      Uniform(0, 1) == 0 ? FaultError::kIoError : FaultError::kNoSpace;
  fault.file_part = kFileParts[Uniform(0, 5)];
  fault.skip = Uniform(0, 3);
  fault.times = Uniform(0, 2) == 0 ? -1 : 1;
  return fault;
}

void FaultModelTest::FaultEpisode() {
  if (model_.empty()) return;
  ++episodes_;
  // Counts the puts of this episode only: the previous one ended with a put
  // refused while stopped.
  failed_puts_ = 0;
  fs_->Inject(RandomFault());
  for (int i = Uniform(2, 10); i > 0 && !HasFatalFailure(); --i) {
    const int choice = Uniform(0, 9);
    if (choice < 5) {
      PutOne();
    } else if (choice < 8) {
      PutBatch();
    } else {
      GetAndCompare();
    }
  }
  if (HasFatalFailure()) return;
  // Fail-stop: a put that failed left writes stopped (nothing resumes them
  // here but the episode's end).
  if (failed_puts_ > 0) {
    EXPECT_NE(broker().GetWriteState().status, WriteStatus::kAccepting)
        << "a put failed, yet writes go on";
  }
  const bool keep_faults = Uniform(0, 3) == 0;
  if (!keep_faults) fs_->ClearFaults();
  const WriteState state = broker().GetWriteState();
  if (state.status != WriteStatus::kAccepting) {
    ++stops_;
    // Stopped: a put is refused at once, and reads go on.
    PutOne();
    GetAndCompare();
    if (state.status == WriteStatus::kStoppedNoSpace && !keep_faults &&
        Uniform(0, 1) == 0) {
      // Space is back (the disk is not small here): writes resume, with
      // what reached the log published in order.
      ASSERT_OK(impl().TEST_CheckDiskNow());
      ASSERT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
      ++resumes_;
      Settle();
      return;
    }
  }
  ReopenAfterFault(keep_faults);
}

void FaultModelTest::ReopenAfterFault(bool faults_armed) {
  // A failing disk may fail the flush of a clean close: whatever Close()
  // says, the directory must open.
  if (Uniform(0, 1) == 0) broker().Close().IgnoreError();
  impl().TEST_SimulateCrash();  // A no-op after Close().
  absl::Status opened = TryOpen();
  fs_->ClearFaults();
  // A flush or compaction the open started may still meet the fault it
  // began under: its outcome is part of this open's.
  if (opened.ok()) impl().TEST_WaitForBackgroundWork().IgnoreError();
  if (!opened.ok()) {
    // Only a fault still armed may fail an open.
    ASSERT_TRUE(faults_armed) << opened;
    ++failed_opens_;
    ASSERT_OK(TryOpen());
  } else if (faults_armed &&
             broker().GetWriteState().status != WriteStatus::kAccepting) {
    // The open met the fault after all; the next one meets none.
    ReopenAfterFault(/*faults_armed=*/false);
    return;
  }
  ASSERT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Settle();
}

TEST_P(FaultModelTest, AcknowledgedRecordsSurviveEveryFault) {
  int seeds = kFaultSeeds;
  if (const char* soak = std::getenv("BROOK_FAULT_SEEDS")) {
    seeds = std::atoi(soak);
  }
  RunSeeds(seeds);
  std::cout << "fault schedules: " << seeds << " seeds, " << episodes_
            << " episodes, " << fs_->failures()
            << " operations failed by injection, writes stopped " << stops_
            << " times, resumed in place " << resumes_ << " times, "
            << failed_opens_ << " opens failed under a fault\n";
}

INSTANTIATE_TEST_SUITE_P(TailCache, FaultModelTest,
                         ::testing::Values(size_t{64} << 20, size_t{0}));

}  // namespace
}  // namespace brook
