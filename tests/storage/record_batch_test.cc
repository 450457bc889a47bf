#include "storage/record_batch.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

std::vector<std::pair<std::string, std::string>> ReadAll(
    RecordBatchReader& reader) {
  std::vector<std::pair<std::string, std::string>> records;
  RecordView view;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&view);
    EXPECT_OK(more);
    if (!more.ok() || !*more) return records;
    records.emplace_back(view.partition_key, view.data);
  }
}

TEST(RecordBatchTest, Encode_GoldenBytes) {
  // Locks the persisted format: changing it breaks existing data.
  std::string value;
  const RecordView records[] = {{"k", "ab"}, {"", ""}};
  EncodeRecordBatch(0x0102030405060708, records, &value);
  EXPECT_EQ(value, std::string("\x01\x02\x03\x04\x05\x06\x07\x08"
                               "\x02"
                               "\x01k\x02"
                               "ab"
                               "\x00\x00",
                               16));
}

TEST(RecordBatchTest, Reader_RoundTrips) {
  std::string value;
  const RecordView records[] = {{"key-1", "first"}, {"key-2", "second"}};
  EncodeRecordBatch(42, records, &value);
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(value));
  EXPECT_EQ(reader.arrival_ms(), 42);
  EXPECT_EQ(reader.count(), 2u);
  EXPECT_THAT(ReadAll(reader),
              ::testing::ElementsAre(std::make_pair("key-1", "first"),
                                     std::make_pair("key-2", "second")));
}

TEST(RecordBatchTest, Reader_ReportsDamage) {
  std::string value;
  const RecordView records[] = {{"key", "data"}};
  EncodeRecordBatch(1, records, &value);

  EXPECT_THAT(RecordBatchReader::Open(value.substr(0, 5)),
              HasErrorName(ErrorName::kInternalFailure));

  const std::string truncated = value.substr(0, value.size() - 1);
  ASSERT_OK_AND_ASSIGN(RecordBatchReader short_reader,
                       RecordBatchReader::Open(truncated));
  RecordView view;
  EXPECT_THAT(short_reader.Next(&view),
              HasErrorName(ErrorName::kInternalFailure));

  const std::string trailing = value + "x";
  ASSERT_OK_AND_ASSIGN(RecordBatchReader long_reader,
                       RecordBatchReader::Open(trailing));
  ASSERT_OK_AND_ASSIGN(bool first, long_reader.Next(&view));
  EXPECT_TRUE(first);
  EXPECT_THAT(long_reader.Next(&view),
              HasErrorName(ErrorName::kInternalFailure));
}

}  // namespace
}  // namespace brook
