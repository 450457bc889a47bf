// A Worker that reads a stream on another Broker (a remote Broker talking to
// a brookd the test runs) and keeps its checkpoints in a local Broker: it
// resumes after them across a restart of itself and of the local Broker,
// refuses options that make no sense, and hands a failing local disk to
// the record processor as a clear error.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/worker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/brookd_process.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultOp;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr absl::Duration kPatience = absl::Seconds(30);
constexpr char kStream[] = "orders";

// What the processors of one Worker run saw: each record's data, and the
// status of every checkpoint they took.
class Seen {
 public:
  void Add(const std::vector<Record>& records, const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    for (const Record& record : records) data_.push_back(record.data);
    checkpoints_.push_back(status);
  }
  void AddEvent(std::string event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
  }
  bool WaitFor(size_t records) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, records]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return data_.size() >= records;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
  }
  std::vector<std::string> data() {
    absl::MutexLock lock(&mu_);
    return data_;
  }
  std::vector<absl::Status> checkpoints() {
    absl::MutexLock lock(&mu_);
    return checkpoints_;
  }
  std::vector<std::string> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> data_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> checkpoints_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

// Checkpoints after every batch, and reports how that went.
class CheckpointingProcessor : public RecordProcessor {
 public:
  explicit CheckpointingProcessor(Seen* seen) : seen_(seen) {}

  void Initialize(const InitializationInput& input) override {
    seen_->AddEvent(
        absl::StrCat("init ", input.shard_id,
                     input.checkpoint.has_value() ? " from checkpoint" : ""));
  }
  void ProcessRecords(const ProcessRecordsInput& input,
                      Checkpointer& checkpointer) override {
    seen_->Add(input.records, checkpointer.Checkpoint());
  }
  void ShardEnded(Checkpointer& checkpointer) override {
    checkpointer.Checkpoint().IgnoreError();
  }

 private:
  Seen* const seen_;
};

class WorkerRemoteTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    // The local Broker (the fixture's) keeps the checkpoints.
    Open();
    brookd_ = std::make_unique<testing::BrookdProcess>(
        BROOK_BROOKD, remote_dir_.Sub("remote"),
        std::vector<std::string>{"--limits=unlimited", "--durability=nosync"});
    ASSERT_OK(brookd_->Start());
    ASSERT_OK_AND_ASSIGN(remote_, Broker::Connect(testing::TestConnectOptions(),
                                                  brookd_->endpoint()));
    CreateStreamRequest create;
    create.stream_name = kStream;
    create.shard_count = 2;
    ASSERT_OK(remote_->CreateStream(create));
  }

  WorkerOptions Options() {
    WorkerOptions options;
    options.stream = kStream;
    options.application_name = "app";
    options.checkpoint_broker = &broker();
    options.idle_time_between_reads = absl::Milliseconds(5);
    options.backoff.initial_backoff = absl::Milliseconds(1);
    options.backoff.max_backoff = absl::Milliseconds(10);
    return options;
  }

  absl::StatusOr<std::unique_ptr<Worker>> Start(const WorkerOptions& options,
                                                Seen* seen) {
    return Worker::Start(remote_.get(), options, [seen] {
      return std::make_unique<CheckpointingProcessor>(seen);
    });
  }

  // Puts records "first".."first + count - 1" to the remote stream, over
  // keys that reach both shards.
  void PutRemote(int first, int count) {
    PutRecordsRequest request;
    request.stream = kStream;
    for (int i = first; i < first + count; ++i) {
      request.records.push_back(
          {absl::StrCat("key-", i % 16), absl::StrCat(i), ""});
    }
    ASSERT_OK_AND_ASSIGN(PutRecordsResult result, remote_->PutRecords(request));
    ASSERT_EQ(result.failed_record_count, 0);
  }

  std::string StreamArn() {
    absl::StatusOr<StreamDescriptionSummary> summary =
        remote_->DescribeStreamSummary({kStream});
    EXPECT_OK(summary);
    return summary.ok() ? summary->stream_arn : "";
  }

  testing::TempDir remote_dir_;
  std::unique_ptr<testing::BrookdProcess> brookd_;
  std::unique_ptr<Broker> remote_;
};

std::vector<std::string> Range(int first, int count) {
  std::vector<std::string> data;
  for (int i = first; i < first + count; ++i) data.push_back(absl::StrCat(i));
  return data;
}

TEST_F(WorkerRemoteTest, RestartResumesAfterTheLocalCheckpoints) {
  PutRemote(0, 40);
  {
    Seen first_run;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Worker> worker,
                         Start(Options(), &first_run));
    ASSERT_TRUE(first_run.WaitFor(40));
    ASSERT_OK(worker->Stop());
    EXPECT_THAT(first_run.data(),
                ::testing::UnorderedElementsAreArray(Range(0, 40)));
    for (const absl::Status& status : first_run.checkpoints()) {
      EXPECT_OK(status);
    }
  }
  // The checkpoints are in the local Broker, under the remote endpoint and
  // the stream's ARN; none reached brookd, which keeps checkpoints too.
  ASSERT_OK_AND_ASSIGN(
      GetCheckpointsResult local,
      broker().GetCheckpoints({StreamArn(), "app", remote_->Endpoint()}));
  EXPECT_THAT(local.checkpoints, SizeIs(2));
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult remote,
                       remote_->GetCheckpoints({kStream, "app"}));
  EXPECT_THAT(remote.checkpoints, IsEmpty());

  PutRemote(40, 20);
  Reopen();  // The checkpoints are durable in the local store.
  Seen second_run;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Worker> worker,
                       Start(Options(), &second_run));
  ASSERT_TRUE(second_run.WaitFor(20));
  ASSERT_OK(worker->Stop());
  // Nothing at or before an acknowledged checkpoint came again.
  EXPECT_THAT(second_run.data(),
              ::testing::UnorderedElementsAreArray(Range(40, 20)));
  EXPECT_THAT(second_run.events(),
              Contains("init shardId-000000000000 from checkpoint"));
  EXPECT_THAT(second_run.events(),
              Contains("init shardId-000000000001 from checkpoint"));
}

TEST_F(WorkerRemoteTest, Start_RefusesWrongInput) {
  Seen seen;
  // A checkpoint Broker beside another local Broker's stream: a local
  // stream keeps its checkpoints itself.
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Broker> other,
      Broker::Open(BrokerOptions(), remote_dir_.Sub("other-local")));
  CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 1;
  ASSERT_OK(other->CreateStream(create));
  EXPECT_THAT(
      Worker::Start(
          other.get(), Options(),
          [&seen] { return std::make_unique<CheckpointingProcessor>(&seen); }),
      HasErrorName(ErrorName::kInvalidArgumentException));
  WorkerOptions missing = Options();
  missing.stream = "missing";
  EXPECT_THAT(Start(missing, &seen),
              HasErrorName(ErrorName::kResourceNotFoundException));
  WorkerOptions bad_name = Options();
  bad_name.application_name = "bad name!";
  EXPECT_THAT(Start(bad_name, &seen),
              HasErrorName(ErrorName::kValidationException));
}

TEST_F(WorkerRemoteTest, FailingLocalDiskReachesTheProcessorAsAClearError) {
  std::shared_ptr<testing::FaultFileSystem> fs =
      UseFaultFileSystem(/*min_free_disk_bytes=*/uint64_t{8} << 20);
  Reopen();
  PutRemote(0, 10);
  Seen seen;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Worker> worker, Start(Options(), &seen));
  ASSERT_TRUE(seen.WaitFor(10));
  fs->Inject(Fault{FaultOp::kSync, FaultError::kIoError, ".log", 0, -1});
  PutRemote(10, 10);
  ASSERT_TRUE(seen.WaitFor(20));
  ASSERT_OK(worker->Stop());
  std::vector<absl::Status> failures;
  for (const absl::Status& status : seen.checkpoints()) {
    if (!status.ok()) failures.push_back(status);
  }
  ASSERT_THAT(failures, ::testing::Not(IsEmpty()));
  // The first says what failed; the later ones that writes are stopped.
  EXPECT_THAT(failures[0], AllOf(HasErrorName(ErrorName::kInternalFailure),
                                 HasCode(absl::StatusCode::kInternal)));
  EXPECT_THAT(failures[0].message(), HasSubstr("injected EIO"));
  for (const absl::Status& status : failures) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kInternalFailure));
  }
}

}  // namespace
}  // namespace brook
