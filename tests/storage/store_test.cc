// The store's database lock: a reader may read and open more iterators
// while one is open, and the reopen that resuming after a full disk may
// need waits for a moment with no iterator open.

#include "storage/store.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/record_batch.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultFileSystem;
using ::brook::testing::FaultOp;
using ::brook::testing::HasCode;
using ::brook::testing::TempDir;

const ShardRef kShard{1, 0};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.file_system = StoreFileSystem(fs_);
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(temp_.path(), options);
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  absl::Status Append(uint64_t counter) {
    std::string encoded;
    EncodeRecordBatch(100, {{"k", "data"}}, &encoded);
    StoreWrite write = store_->NewWrite();
    write.AppendBatch(kShard, counter, 100, encoded);
    return store_->Write(write, Durability::kSync);
  }

  int CountBatches() {
    StoreIterator it = store_->NewIterator(Family::kRecords, ShardKeys(kShard));
    int batches = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) ++batches;
    EXPECT_OK(it.status());
    return batches;
  }

  // Fills the disk under a write with every memtable empty: the case in
  // which the store resumes by reopening its database.
  void StopOnAFullDiskWithNothingInMemory() {
    ASSERT_OK(Append(1));
    ASSERT_OK(store_->CompactRecords());
    fs_->Inject(Fault{FaultOp::kWrite, FaultError::kNoSpace, ".log"});
    EXPECT_THAT(Append(2), HasCode(absl::StatusCode::kResourceExhausted));
    fs_->ClearFaults();
    ASSERT_EQ(store_->write_state().status, WriteStatus::kStoppedNoSpace);
  }

  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
  TempDir temp_;
  std::unique_ptr<Store> store_;
};

auto NoRepublish() {
  return [] { return absl::OkStatus(); };
}

TEST_F(StoreTest, ReadsAndWrites_WhileAnIteratorIsOpen) {
  ASSERT_OK(Append(1));
  StoreIterator outer =
      store_->NewIterator(Family::kRecords, ShardKeys(kShard));
  outer.SeekToFirst();
  ASSERT_TRUE(outer.Valid());
  // The same thread reads, iterates and writes with `outer` open.
  EXPECT_EQ(CountBatches(), 1);
  ASSERT_OK(store_->Get(Family::kRecords, RecordKey(kShard, 1)));
  ASSERT_OK(Append(2));
  EXPECT_EQ(CountBatches(), 2);
}

TEST_F(StoreTest, Resume_ReopensOnlyWithNoIteratorOpen) {
  StopOnAFullDiskWithNothingInMemory();
  {
    StoreIterator open =
        store_->NewIterator(Family::kRecords, ShardKeys(kShard));
    open.SeekToFirst();
    EXPECT_THAT(store_->Resume(NoRepublish()),
                HasCode(absl::StatusCode::kInternal));
    EXPECT_EQ(store_->write_state().status, WriteStatus::kStoppedNoSpace);
    // The iterator still reads the database it was opened on.
    ASSERT_TRUE(open.Valid());
    EXPECT_EQ(CountBatches(), 1);
  }
  ASSERT_OK(store_->Resume(NoRepublish()));
  EXPECT_EQ(store_->write_state().status, WriteStatus::kAccepting);
  ASSERT_OK(Append(3));
  EXPECT_EQ(CountBatches(), 2);
}

}  // namespace
}  // namespace brook
