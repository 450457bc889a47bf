// A full disk, on a small simulated one (testing/fault_fs.h): writes are
// refused before the disk is full, deletions and retention still run,
// writes resume on their own once space is back, and a full directory
// always reopens.

#include <filesystem>
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

using ::brook::testing::FaultFileSystem;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kShard[] = "shardId-000000000000";
constexpr uint64_t kFloorBytes = uint64_t{4} << 20;
// What the disk has room for beyond what a new directory holds.
constexpr uint64_t kRoomBytes = uint64_t{12} << 20;
constexpr size_t kRecordBytes = size_t{64} << 10;

class DiskSpaceTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    fs_ = UseFaultFileSystem(kFloorBytes);
    Open();
    CreateStream("big", 1);
    CreateStream("small", 1);
    fs_->SetQuota(dir(), fs_->used_bytes() + kRoomBytes);
  }

  absl::Status TryPut(const std::string& stream, const std::string& data) {
    PutRecordRequest request;
    request.stream = stream;
    request.partition_key = "k";
    request.data = data;
    return broker().PutRecord(request).status();
  }

  // Puts large records into "big" until one is refused; returns how many
  // were acknowledged, and the refusal.
  int FillUntilRefused(absl::Status* refusal) {
    for (int i = 0;; ++i) {
      *refusal = TryPut("big", std::string(kRecordBytes, 'a' + i % 26));
      if (!refusal->ok() || i > 1000) return i;
    }
  }

  uint64_t FreeBytes() {
    uint64_t free_bytes = 0;
    EXPECT_TRUE(fs_->GetFreeSpace(dir(), {}, &free_bytes, nullptr).ok());
    return free_bytes;
  }

  bool ReserveFileHeld() { return std::filesystem::exists(dir() + "/RESERVE"); }

  std::shared_ptr<FaultFileSystem> fs_;
};

TEST_F(DiskSpaceTest, Puts_AreRefusedBeforeTheDiskIsFull) {
  Put("small", "k", "kept");
  absl::Status refusal;
  const int acknowledged = FillUntilRefused(&refusal);
  EXPECT_GT(acknowledged, 0);
  EXPECT_THAT(refusal, AllOf(HasErrorName(ErrorName::kInternalFailure),
                             HasCode(absl::StatusCode::kResourceExhausted)));
  EXPECT_THAT(refusal.message(), HasSubstr("min_free_disk_bytes"));
  // Refused, not failed: no write ever met a full disk, and room is left.
  EXPECT_EQ(fs_->failures(), 0);
  EXPECT_GT(FreeBytes(), kFloorBytes / 2);
  const WriteState state = broker().GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kLowSpace);
  EXPECT_THAT(state.reason.message(), HasSubstr("bytes free"));
  // Other writes that add data are refused too; reads go on.
  CreateStreamRequest create;
  create.stream_name = "more";
  create.shard_count = 1;
  EXPECT_THAT(broker().CreateStream(create),
              HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReadShard("big", kShard).size(), static_cast<size_t>(acknowledged));
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("kept"));
}

TEST_F(DiskSpaceTest, DeleteStream_RunsWhenLowAndWritesResumeOnTheirOwn) {
  Put("small", "k", "kept");
  absl::Status refusal;
  FillUntilRefused(&refusal);
  ASSERT_EQ(broker().GetWriteState().status, WriteStatus::kLowSpace);

  // Deleting is a write too, and it is what makes room, once the next
  // retention pass has compacted the stream away.
  ASSERT_OK(broker().DeleteStream({"big"}));
  ASSERT_OK(impl().TEST_TrimNow().status());
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  EXPECT_GT(FreeBytes(), kFloorBytes);
  Put("small", "k", "after");
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("kept", "after"));
  EXPECT_EQ(fs_->failures(), 0);
}

TEST_F(DiskSpaceTest, Retention_TrimsWhenLow) {
  absl::Status refusal;
  const int acknowledged = FillUntilRefused(&refusal);
  ASSERT_EQ(broker().GetWriteState().status, WriteStatus::kLowSpace);
  clock().Advance(absl::Hours(25));
  ASSERT_OK_AND_ASSIGN(bool trimmed, impl().TEST_TrimNow());
  EXPECT_TRUE(trimmed);
  EXPECT_GT(acknowledged, 0);
  EXPECT_THAT(ReadShard("big", kShard), ::testing::IsEmpty());
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Put("big", "k", "fresh");
}

TEST_F(DiskSpaceTest, DiskFilledElsewhere_StopsThenResumesWhenSpaceReturns) {
  Put("small", "k", "a");
  ASSERT_TRUE(ReserveFileHeld());
  // Another process takes every byte left: the next log write fails.
  fs_->SetSpaceTakenElsewhere(FreeBytes());
  EXPECT_THAT(TryPut("small", "b"),
              HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kStoppedNoSpace);
  EXPECT_THAT(TryPut("small", "c"),
              HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("a"));

  // The reserve file makes room to resume, though not to take puts.
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_FALSE(ReserveFileHeld());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kLowSpace);
  EXPECT_THAT(TryPut("small", "d"),
              HasCode(absl::StatusCode::kResourceExhausted));
  ASSERT_OK(broker().DeleteStream({"big"}));

  // The other process lets go: writes resume, and the reserve is back.
  fs_->SetSpaceTakenElsewhere(0);
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  EXPECT_TRUE(ReserveFileHeld());
  Put("small", "k", "e");
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("a", "e"));
}

TEST_F(DiskSpaceTest, FullDirectory_Reopens) {
  Put("small", "k", "a");
  absl::Status refusal;
  const int acknowledged = FillUntilRefused(&refusal);
  // The disk fills to the last byte, and the broker dies with its writes
  // only in the log: opening replays them, which by default needs room.
  fs_->SetSpaceTakenElsewhere(FreeBytes());
  ASSERT_EQ(FreeBytes(), 0u);
  CrashAndReopen();
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kLowSpace);
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("a"));
  EXPECT_EQ(ReadShard("big", kShard).size(), static_cast<size_t>(acknowledged));
  ASSERT_OK(broker().DeleteStream({"big"}));
  ASSERT_OK(impl().TEST_TrimNow().status());
  fs_->SetSpaceTakenElsewhere(0);
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(broker().GetWriteState().status, WriteStatus::kAccepting);
  Put("small", "k", "b");
  Reopen();
  EXPECT_THAT(DataOf(ReadShard("small", kShard)), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace brook
