// The one mapping from RocksDB's statuses to Brook's.

#include "storage/rocksdb_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(RocksDbStatusTest, Ok_StaysOk) {
  EXPECT_OK(FromRocksDb("context", rocksdb::Status::OK()));
}

TEST(RocksDbStatusTest, Corruption_IsDataLoss) {
  const absl::Status status =
      FromRocksDb("reading", rocksdb::Status::Corruption("block checksum"));
  EXPECT_THAT(status, AllOf(HasCode(absl::StatusCode::kDataLoss),
                            HasErrorName(ErrorName::kInternalFailure)));
  EXPECT_THAT(status.message(), HasSubstr("reading: "));
  EXPECT_THAT(status.message(), HasSubstr("block checksum"));
}

TEST(RocksDbStatusTest, NoSpace_IsResourceExhausted) {
  for (const rocksdb::Status& full :
       {rocksdb::Status::NoSpace("write"), rocksdb::Status::SpaceLimit()}) {
    EXPECT_THAT(FromRocksDb("writing", full),
                AllOf(HasCode(absl::StatusCode::kResourceExhausted),
                      HasErrorName(ErrorName::kInternalFailure)));
  }
}

TEST(RocksDbStatusTest, OtherFailures_AreInternal) {
  for (const rocksdb::Status& failure :
       {rocksdb::Status::IOError("EIO"), rocksdb::Status::Busy(),
        rocksdb::Status::InvalidArgument("x"), rocksdb::Status::Aborted()}) {
    EXPECT_THAT(FromRocksDb("writing", failure),
                AllOf(HasCode(absl::StatusCode::kInternal),
                      HasErrorName(ErrorName::kInternalFailure)));
  }
}

}  // namespace
}  // namespace brook
