// The Worker: record processors over a stream's lineage, polling or fan-out,
// with checkpoints that a restarted Worker resumes after.

#include "brook/worker.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr absl::Duration kPatience = absl::Seconds(30);

// What every processor of a test saw, in order per shard.
class Collector {
 public:
  void Add(const Record& record) {
    absl::MutexLock lock(&mu_);
    by_key_[record.partition_key].push_back(record.data);
    ++count_;
  }
  void AddEvent(const std::string& event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(event);
  }
  bool WaitForCount(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]()
                      ABSL_NO_THREAD_SAFETY_ANALYSIS { return count_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
  }
  std::map<std::string, std::vector<std::string>> by_key() {
    absl::MutexLock lock(&mu_);
    return by_key_;
  }
  std::vector<std::string> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  int count() {
    absl::MutexLock lock(&mu_);
    return count_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::vector<std::string>> by_key_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

// Collects records and checkpoints after every batch and at a shard's end.
class CollectingProcessor : public RecordProcessor {
 public:
  explicit CollectingProcessor(Collector* collector) : collector_(collector) {}

  void Initialize(const InitializationInput& input) override {
    shard_id_ = input.shard_id;
    collector_->AddEvent(
        absl::StrCat("init ", input.shard_id,
                     input.checkpoint.has_value() ? " from checkpoint" : ""));
  }
  void ProcessRecords(const ProcessRecordsInput& input,
                      Checkpointer& checkpointer) override {
    for (const Record& record : input.records) {
      collector_->Add(record);
    }
    if (!checkpointer.Checkpoint().ok())
      collector_->AddEvent("failed checkpoint");
  }
  void ShardEnded(Checkpointer& checkpointer) override {
    collector_->AddEvent(absl::StrCat("end ", shard_id_));
    EXPECT_OK(checkpointer.Checkpoint());
  }

 private:
  Collector* const collector_;
  std::string shard_id_;
};

class WorkerTest : public testing::BrokerTest,
                   public ::testing::WithParamInterface<ConsumerType> {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 2);
  }

  WorkerOptions Options() {
    WorkerOptions options;
    options.stream = "s";
    options.application_name = "app";
    options.consumer_type = GetParam();
    options.idle_time_between_reads = absl::Milliseconds(5);
    options.backoff.initial_backoff = absl::Milliseconds(1);
    options.backoff.max_backoff = absl::Milliseconds(10);
    return options;
  }

  std::unique_ptr<Worker> StartWorker(const WorkerOptions& options,
                                      Collector* collector) {
    absl::StatusOr<std::unique_ptr<Worker>> worker =
        Worker::Start(&broker(), options, [collector] {
          return std::make_unique<CollectingProcessor>(collector);
        });
    EXPECT_OK(worker);
    return worker.ok() ? *std::move(worker) : nullptr;
  }

  // Puts `rounds` records for each of keys k0..k7.
  void PutRounds(int first, int rounds) {
    for (int round = first; round < first + rounds; ++round) {
      for (int key = 0; key < 8; ++key) {
        Put("s", absl::StrCat("k", key), absl::StrCat(round));
      }
    }
  }

  Collector collector_;
};

TEST_P(WorkerTest, ProcessesEveryKeyInOrderAcrossAReshard) {
  PutRounds(0, 3);
  ASSERT_OK(broker().SplitShard(
      {"s", "shardId-000000000000", "85070591730234615865843651857942052864"}));
  PutRounds(3, 3);
  ASSERT_OK(broker().MergeShards(
      {"s", "shardId-000000000003", "shardId-000000000001"}));
  PutRounds(6, 3);
  std::unique_ptr<Worker> worker = StartWorker(Options(), &collector_);
  ASSERT_NE(worker, nullptr);
  ASSERT_TRUE(collector_.WaitForCount(8 * 9));
  ASSERT_OK(worker->Stop());
  EXPECT_THAT(collector_.events(), Not(Contains("failed checkpoint")));
  for (const auto& [key, data] : collector_.by_key()) {
    EXPECT_THAT(data, ElementsAre("0", "1", "2", "3", "4", "5", "6", "7", "8"))
        << key;
  }
  // Shards 0, 1 and 3 ended and recorded it; 2 and 4 are open.
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult checkpoints,
                       broker().GetCheckpoints({"s", "app"}));
  std::vector<std::string> ended;
  for (const Checkpoint& checkpoint : checkpoints.checkpoints) {
    if (checkpoint.shard_end) ended.push_back(checkpoint.shard_id);
  }
  EXPECT_THAT(ended, ElementsAre("shardId-000000000000", "shardId-000000000001",
                                 "shardId-000000000003"));
}

TEST_P(WorkerTest, RestartResumesAfterTheCheckpoints) {
  PutRounds(0, 2);
  ASSERT_OK(broker().SplitShard({"s", "shardId-000000000001",
                                 "255211775190703847597530955573826158592"}));
  PutRounds(2, 2);
  {
    std::unique_ptr<Worker> worker = StartWorker(Options(), &collector_);
    ASSERT_TRUE(collector_.WaitForCount(8 * 4));
    ASSERT_OK(worker->Stop());
  }
  PutRounds(4, 2);
  Reopen();
  Collector second_run;
  std::unique_ptr<Worker> worker = StartWorker(Options(), &second_run);
  ASSERT_TRUE(second_run.WaitForCount(8 * 2));
  ASSERT_OK(worker->Stop());
  EXPECT_EQ(second_run.count(), 8 * 2);
  for (const auto& [key, data] : second_run.by_key()) {
    EXPECT_THAT(data, ElementsAre("4", "5")) << key;
  }
  // The ended parent is not read again; shard 0 resumes after its
  // checkpoint.
  const std::vector<std::string> events = second_run.events();
  EXPECT_THAT(events, Not(Contains("init shardId-000000000001")));
  EXPECT_THAT(events, Contains("init shardId-000000000000 from checkpoint"));
}

TEST_P(WorkerTest, StopsWithTheErrorWhenTheStreamIsDeleted) {
  PutRounds(0, 1);
  std::unique_ptr<Worker> worker = StartWorker(Options(), &collector_);
  ASSERT_TRUE(collector_.WaitForCount(8));
  ASSERT_OK(broker().DeleteStream({"s", /*enforce_consumer_deletion=*/true}));
  ASSERT_TRUE(worker->WaitUntilStopped(kPatience));
  EXPECT_THAT(worker->Stop(),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

INSTANTIATE_TEST_SUITE_P(BothConsumerTypes, WorkerTest,
                         ::testing::Values(ConsumerType::kPolling,
                                           ConsumerType::kFanOut),
                         [](const auto& info) {
                           return info.param == ConsumerType::kPolling
                                      ? "Polling"
                                      : "FanOut";
                         });

class WorkerStartTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }
};

TEST_F(WorkerStartTest, RejectsBadOptions) {
  auto factory = [] { return std::unique_ptr<RecordProcessor>(); };
  WorkerOptions options;
  options.stream = "s";
  options.application_name = "app";
  EXPECT_THAT(Worker::Start(&broker(), options, nullptr),
              HasErrorName(ErrorName::kInvalidArgumentException));
  WorkerOptions bad = options;
  bad.application_name = "bad name!";
  EXPECT_THAT(Worker::Start(&broker(), bad, factory),
              HasErrorName(ErrorName::kValidationException));
  bad = options;
  bad.stream = "missing";
  EXPECT_THAT(Worker::Start(&broker(), bad, factory),
              HasErrorName(ErrorName::kResourceNotFoundException));
  bad = options;
  bad.max_records = 0;
  EXPECT_THAT(Worker::Start(&broker(), bad, factory),
              HasErrorName(ErrorName::kInvalidArgumentException));
  bad = options;
  bad.initial_position = ShardIteratorType::kAtSequenceNumber;
  EXPECT_THAT(Worker::Start(&broker(), bad, factory),
              HasErrorName(ErrorName::kInvalidArgumentException));
  bad = options;
  bad.initial_position = ShardIteratorType::kAtTimestamp;
  EXPECT_THAT(Worker::Start(&broker(), bad, factory),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// Tells once that ProcessRecords() ran with no records.
class EmptyBatchWitness : public RecordProcessor {
 public:
  explicit EmptyBatchWitness(absl::Notification* seen) : seen_(seen) {}
  void ProcessRecords(const ProcessRecordsInput& input,
                      Checkpointer&) override {
    if (input.records.empty() && !seen_->HasBeenNotified()) seen_->Notify();
  }
  void ShardEnded(Checkpointer&) override {}

 private:
  absl::Notification* const seen_;
};

TEST_F(WorkerStartTest, EmptyBatchesReachProcessorsOnlyWhenAskedFor) {
  for (const bool asked : {false, true}) {
    absl::Notification seen;
    WorkerOptions options;
    options.stream = "s";
    options.application_name = "app";
    options.idle_time_between_reads = absl::Milliseconds(1);
    options.process_empty_batches = asked;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Worker> worker,
                         Worker::Start(&broker(), options, [&seen] {
                           return std::make_unique<EmptyBatchWitness>(&seen);
                         }));
    EXPECT_EQ(seen.WaitForNotificationWithTimeout(
                  asked ? kPatience : absl::Milliseconds(200)),
              asked);
    ASSERT_OK(worker->Stop());
  }
}

TEST_F(WorkerStartTest, PollingRetriesThrottledReads) {
  StreamLimits limits;  // Kinesis' defaults: 5 reads per second per shard.
  limits.read_calls_per_second = 1;
  ASSERT_OK(broker().UpdateStreamLimits({"s", limits}));
  Collector collector;
  WorkerOptions options;
  options.stream = "s";
  options.application_name = "app";
  options.max_records = 1;  // One record per read: each read costs a call.
  options.idle_time_between_reads = absl::Milliseconds(1);
  options.backoff.initial_backoff = absl::Milliseconds(1);
  options.backoff.max_backoff = absl::Milliseconds(2);
  for (int i = 0; i < 3; ++i) Put("s", "k", absl::StrCat(i));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Worker> worker,
      Worker::Start(&broker(), options, [&collector] {
        return std::make_unique<CollectingProcessor>(&collector);
      }));
  // Each second of the Broker's clock allows one more read.
  for (int second = 0; second < 100 && collector.count() < 3; ++second) {
    clock().Advance(absl::Seconds(1));
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_OK(worker->Stop());
  EXPECT_THAT(collector.by_key()["k"], ElementsAre("0", "1", "2"));
  ASSERT_OK_AND_ASSIGN(GetShardMetricsResult metrics,
                       broker().GetShardMetrics({"s"}));
  EXPECT_GT(metrics.shards[0].read_provisioned_throughput_exceeded, 0);
}

// Counts its shard as started, and does nothing else.
class StartCounter : public RecordProcessor {
 public:
  explicit StartCounter(absl::BlockingCounter* started) : started_(started) {}
  void Initialize(const InitializationInput&) override {
    started_->DecrementCount();
  }
  void ProcessRecords(const ProcessRecordsInput&, Checkpointer&) override {}
  void ShardEnded(Checkpointer&) override {}

 private:
  absl::BlockingCounter* const started_;
};

// On Stop(), shard threads hand their shards back to the lineage while the
// coordinator may be between two looks for ready shards; it must not start
// a handed-back shard again while its thread is still to be joined (that
// replaced a joinable std::thread, which aborts the process).
TEST_F(WorkerStartTest, StopStartsNoHandedBackShardAgain) {
  constexpr int kShards = 8;
  CreateStream("wide", kShards);
  WorkerOptions options;
  options.stream = "wide";
  options.application_name = "app";
  // The coordinator lists the shards and looks for ready ones every
  // millisecond, so that stops often find it doing so.
  options.shard_sync_interval = absl::Milliseconds(1);
  options.idle_time_between_reads = absl::Milliseconds(1);
  for (int round = 0; round < 200; ++round) {
    absl::BlockingCounter started(kShards);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Worker> worker,
                         Worker::Start(&broker(), options, [&started] {
                           return std::make_unique<StartCounter>(&started);
                         }));
    started.Wait();
    ASSERT_OK(worker->Stop());
  }
}

}  // namespace
}  // namespace brook
