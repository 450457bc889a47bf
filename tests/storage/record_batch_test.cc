#include "storage/record_batch.h"

#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/types/optional.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;

auto IsDataLoss() {
  return AllOf(HasCode(absl::StatusCode::kDataLoss),
               HasErrorName(ErrorName::kInternalFailure));
}

// The record key of stream 1, shard 0, counter 5 (storage/keys.h).
const std::string kKey(
    "\x00\x00\x00\x01\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x05",
    16);

// The plain golden batch below in its checksummed form under kKey: bit 61
// set in the first field, then the CRC32C of kKey and those bytes,
// 0xA1F89383, computed by an independent bitwise implementation of the
// Castagnoli CRC (itself checked against RFC 3720's 32 zero bytes).
const std::string kChecksummedGolden(
    "\x21\x02\x03\x04\x05\x06\x07\x08"
    "\x02"
    "\x01k\x02"
    "ab"
    "\x00\x00"
    "\xa1\xf8\x93\x83",
    20);

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

TEST(RecordBatchTest, Encode_KeyedGoldenBytes) {
  // A batch with an explicit hash key: bit 62 of the first field, then a
  // key header (partition key length << 1 | has key) per record.
  std::string value;
  const RecordView records[] = {
      {"k", "ab", absl::MakeUint128(0x0102030405060708, 0x090a0b0c0d0e0f10)},
      {"xy", "", absl::nullopt}};
  EncodeRecordBatch(0x0102030405060708, records, &value);
  EXPECT_EQ(value, std::string("\x41\x02\x03\x04\x05\x06\x07\x08"
                               "\x02"
                               "\x03"
                               "\x01\x02\x03\x04\x05\x06\x07\x08"
                               "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
                               "k\x02"
                               "ab"
                               "\x04xy\x00",
                               34));
}

TEST(RecordBatchTest, Reader_ReadsPlainGoldenBytes) {
  // Batches written before explicit hash keys were kept read unchanged.
  const std::string value(
      "\x01\x02\x03\x04\x05\x06\x07\x08"
      "\x02"
      "\x01k\x02"
      "ab"
      "\x00\x00",
      16);
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(value));
  EXPECT_EQ(reader.arrival_ms(), 0x0102030405060708);
  RecordView view;
  view.explicit_hash_key = 7;  // Cleared by every read.
  ASSERT_OK_AND_ASSIGN(bool read, reader.Next(&view));
  ASSERT_TRUE(read);
  EXPECT_EQ(view.partition_key, "k");
  EXPECT_EQ(view.data, "ab");
  EXPECT_FALSE(view.explicit_hash_key.has_value());
}

TEST(RecordBatchTest, Reader_NegativeArrivalTimeIsPlain) {
  // Bit 63 set: a plain batch whose arrival time is before 1970, not the
  // keyed flag.
  std::string value;
  const RecordView records[] = {{"k", "ab"}};
  EncodeRecordBatch(0, records, &value);
  value.replace(0, 8, std::string(8, '\xff'));
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(value));
  EXPECT_EQ(reader.arrival_ms(), -1);
  EXPECT_THAT(ReadAll(reader),
              ::testing::ElementsAre(std::make_pair("k", "ab")));
}

TEST(RecordBatchTest, Reader_RoundTripsExplicitHashKeys) {
  std::string value;
  const absl::uint128 max = absl::Uint128Max();
  const RecordView records[] = {
      {"a", "1", absl::nullopt}, {"b", "2", max}, {"c", "3", 0}};
  EncodeRecordBatch(42, records, &value);
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(value));
  EXPECT_EQ(reader.arrival_ms(), 42);
  std::vector<absl::optional<absl::uint128>> keys;
  RecordView view;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(bool more, reader.Next(&view));
    if (!more) break;
    keys.push_back(view.explicit_hash_key);
  }
  EXPECT_THAT(keys,
              ::testing::ElementsAre(absl::nullopt, max, absl::uint128(0)));
}

TEST(RecordBatchTest, Reader_ReportsDamagedExplicitHashKey) {
  std::string value;
  const RecordView records[] = {{"key", "data", 5}};
  EncodeRecordBatch(1, records, &value);
  // Cut inside the hash key, and a key header whose length runs past the end.
  for (const std::string& damaged :
       {value.substr(0, 8 + 1 + 1 + 9), value.substr(0, 9) + "\x7f"}) {
    ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                         RecordBatchReader::Open(damaged));
    RecordView view;
    EXPECT_THAT(reader.Next(&view), HasErrorName(ErrorName::kInternalFailure));
  }
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

TEST(ChecksummedBatchTest, GoldenBytes) {
  std::string batch;
  const RecordView records[] = {{"k", "ab"}, {"", ""}};
  EncodeRecordBatch(0x0102030405060708, records, &batch);
  const ChecksummedBatch checksummed(kKey, batch);
  EXPECT_EQ(checksummed.value(), kChecksummedGolden);
}

TEST(ChecksummedBatchTest, VerifiedGoldenBytesRead) {
  ASSERT_OK_AND_ASSIGN(absl::string_view batch,
                       VerifyBatchChecksum(kKey, kChecksummedGolden));
  EXPECT_EQ(batch, kChecksummedGolden.substr(0, 16));
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(batch));
  EXPECT_EQ(reader.arrival_ms(), 0x0102030405060708);
  EXPECT_THAT(ReadAll(reader), ::testing::ElementsAre(std::make_pair("k", "ab"),
                                                      std::make_pair("", "")));
}

TEST(ChecksummedBatchTest, KeyedBatchRoundTrips) {
  std::string batch;
  const RecordView records[] = {{"a", "1", absl::uint128(9)}, {"b", "2"}};
  EncodeRecordBatch(42, records, &batch);
  const std::string stored = ChecksummedBatch(kKey, batch).value();
  ASSERT_OK_AND_ASSIGN(absl::string_view verified,
                       VerifyBatchChecksum(kKey, stored));
  ASSERT_OK_AND_ASSIGN(RecordBatchReader reader,
                       RecordBatchReader::Open(verified));
  EXPECT_EQ(reader.arrival_ms(), 42);
  RecordView view;
  ASSERT_OK_AND_ASSIGN(bool read, reader.Next(&view));
  ASSERT_TRUE(read);
  EXPECT_EQ(view.explicit_hash_key, absl::optional<absl::uint128>(9));
}

TEST(ChecksummedBatchTest, EveryFlippedBitIsDataLoss) {
  for (size_t byte = 0; byte < kChecksummedGolden.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = kChecksummedGolden;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      EXPECT_THAT(VerifyBatchChecksum(kKey, damaged), IsDataLoss())
          << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(ChecksummedBatchTest, BatchUnderAnotherKeyIsDataLoss) {
  std::string other_key = kKey;
  other_key.back() = '\x06';
  EXPECT_THAT(VerifyBatchChecksum(other_key, kChecksummedGolden), IsDataLoss());
}

TEST(ChecksummedBatchTest, BatchWithoutChecksumIsDataLoss) {
  std::string batch;
  const RecordView records[] = {{"k", "ab"}};
  EncodeRecordBatch(7, records, &batch);
  EXPECT_THAT(VerifyBatchChecksum(kKey, batch), IsDataLoss());
  EXPECT_THAT(VerifyBatchChecksum(kKey, "\x20\x01"), IsDataLoss());
  EXPECT_THAT(VerifyBatchChecksum(kKey, ""), IsDataLoss());
}

}  // namespace
}  // namespace brook
