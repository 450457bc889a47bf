// Fail-stop after a failed write or log sync (design invariant 8): every
// later write fails fast and writes nothing, reads keep working, the state
// is visible, and a put that failed has an unknown outcome but never
// breaks the order of what is acknowledged.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultFileSystem;
using ::brook::testing::FaultOp;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kShard[] = "shardId-000000000000";

class WriteFailureTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    fs_ = UseFaultFileSystem(/*min_free_disk_bytes=*/uint64_t{8} << 20);
    Open();
    CreateStream("s", 1);
  }

  absl::Status TryPut(const std::string& data) {
    PutRecordRequest request;
    request.stream = "s";
    request.partition_key = "k";
    request.data = data;
    return broker().PutRecord(request).status();
  }

  std::vector<std::string> Stored() { return DataOf(ReadShard("s", kShard)); }

  std::shared_ptr<FaultFileSystem> fs_;
};

TEST_F(WriteFailureTest, FailedLogSync_StopsEveryLaterWriteAndReadsGoOn) {
  Put("s", "k", "a");
  fs_->Inject(Fault{FaultOp::kSync, FaultError::kIoError, ".log"});
  EXPECT_THAT(TryPut("b"), AllOf(HasErrorName(ErrorName::kInternalFailure),
                                 HasCode(absl::StatusCode::kInternal)));

  const WriteState state = broker().GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStopped);
  EXPECT_THAT(state.reason.message(), HasSubstr("injected EIO"));

  // Later writes fail fast, before the log: the fault is gone, yet nothing
  // is written any more.
  fs_->ClearFaults();
  const int64_t log_appends = fs_->log_appends();
  const absl::Status refused = TryPut("c");
  EXPECT_THAT(refused, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(refused.message(), HasSubstr("writes are stopped"));
  PutRecordsRequest batch;
  batch.stream = "s";
  batch.records = {{"k", "d", ""}, {"k", "e", ""}};
  EXPECT_THAT(broker().PutRecords(batch),
              HasErrorName(ErrorName::kInternalFailure));
  CreateStreamRequest create;
  create.stream_name = "other";
  create.shard_count = 1;
  EXPECT_THAT(broker().CreateStream(create),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(broker().AddTagsToStream({"s", {{"team", "a"}}}),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(fs_->log_appends(), log_appends);

  // Reads go on, and show only what was acknowledged.
  EXPECT_THAT(Stored(), ElementsAre("a"));
  ASSERT_OK(broker().DescribeStreamSummary({"s"}).status());

  // An I/O error is not resumed: only a reopen brings writes back.
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStopped);
  Reopen();
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Put("s", "k", "f");
  // "b" reached the log before its sync failed: its outcome was unknown,
  // and here it is stored, in its place. The refused puts are not.
  EXPECT_THAT(Stored(), ElementsAre("a", "b", "f"));
}

TEST_F(WriteFailureTest, FailedLogWrite_StopsWritesAndStoresNothingOfIt) {
  Put("s", "k", "a");
  fs_->Inject(Fault{FaultOp::kWrite, FaultError::kIoError, ".log"});
  EXPECT_THAT(TryPut("b"), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStopped);
  fs_->ClearFaults();
  EXPECT_THAT(TryPut("c"), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(Stored(), ElementsAre("a"));
  CrashAndReopen();
  Put("s", "k", "d");
  EXPECT_THAT(Stored(), ElementsAre("a", "d"));
}

TEST_F(WriteFailureTest, SyncOnAFullDisk_ResumesWhenSpaceAllowsAndPublishes) {
  Put("s", "k", "a");
  fs_->Inject(Fault{FaultOp::kSync, FaultError::kNoSpace, ".log"});
  EXPECT_THAT(TryPut("b"),
              AllOf(HasErrorName(ErrorName::kInternalFailure),
                    HasCode(absl::StatusCode::kResourceExhausted)));
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStoppedNoSpace);
  fs_->ClearFaults();
  EXPECT_THAT(TryPut("c"), HasCode(absl::StatusCode::kResourceExhausted));
  // Not before writes resume: no later write publishes past "b" meanwhile.
  EXPECT_THAT(Stored(), ElementsAre("a"));

  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  // RocksDB flushed "b" before taking writes again: stored, and readable
  // in its place from now on; "c" was refused and is not.
  EXPECT_THAT(Stored(), ElementsAre("a", "b"));
  Put("s", "k", "d");
  EXPECT_THAT(Stored(), ElementsAre("a", "b", "d"));
  CrashAndReopen();
  EXPECT_THAT(Stored(), ElementsAre("a", "b", "d"));
}

TEST_F(WriteFailureTest, WriteOnAFullDisk_ResumesWithoutTheRecord) {
  Put("s", "k", "a");
  fs_->Inject(Fault{FaultOp::kWrite, FaultError::kNoSpace, ".log"});
  EXPECT_THAT(TryPut("b"), HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStoppedNoSpace);
  fs_->ClearFaults();
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Put("s", "k", "c");
  EXPECT_THAT(Stored(), ElementsAre("a", "c"));
}

TEST_F(WriteFailureTest, FullDiskRightAfterAFlush_ResumesToo) {
  Put("s", "k", "a");
  // Compacting a deleted stream away flushes every memtable: nothing is
  // left in memory, the case in which RocksDB 7.8 cannot resume on its own
  // (the store reopens instead).
  CreateStream("other", 1);
  ASSERT_OK(broker().DeleteStream({"other"}));
  ASSERT_OK(impl().TEST_TrimNow().status());
  fs_->Inject(Fault{FaultOp::kWrite, FaultError::kNoSpace, ".log"});
  EXPECT_THAT(TryPut("b"), HasCode(absl::StatusCode::kResourceExhausted));
  fs_->ClearFaults();
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Put("s", "k", "c");
  Put("s", "k", "d");
  EXPECT_THAT(Stored(), ElementsAre("a", "c", "d"));
  CrashAndReopen();
  EXPECT_THAT(Stored(), ElementsAre("a", "c", "d"));
}

TEST_F(WriteFailureTest, FailedFlush_StopsWritesThoughNoWriteFailed) {
  Put("s", "k", "a");
  // A flush fails: no put sees it, yet the state says so.
  fs_->Inject(Fault{FaultOp::kWrite, FaultError::kIoError, ".sst", 0, -1});
  ASSERT_OK(broker().DeleteStream({"s"}));
  // The retention pass flushes, to compact the stream away.
  EXPECT_THAT(impl().TEST_TrimNow(), HasErrorName(ErrorName::kInternalFailure));
  const WriteState state = broker().GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStopped);
  EXPECT_THAT(state.reason.message(), HasSubstr("flush"));
}

TEST_F(WriteFailureTest, Close_AfterAFailureStillReopensWithEverything) {
  Put("s", "k", "a");
  fs_->Inject(Fault{FaultOp::kSync, FaultError::kIoError, ".log"});
  EXPECT_THAT(TryPut("b"), HasErrorName(ErrorName::kInternalFailure));
  fs_->ClearFaults();
  // Closing flushes what it can; whatever it reports, the directory opens.
  broker().Close().IgnoreError();
  Open();
  EXPECT_THAT(Stored(), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace brook
