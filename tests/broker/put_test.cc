// Producing: PutRecord and PutRecords, their validation and routing.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char kShard0[] = "shardId-000000000000";
constexpr char kShard1[] = "shardId-000000000001";
constexpr char kShard2[] = "shardId-000000000002";

class PutTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 3);
  }

  PutRecordRequest Request(std::string key, std::string data,
                           std::string explicit_hash_key = "") {
    PutRecordRequest request;
    request.stream = "s";
    request.partition_key = std::move(key);
    request.data = std::move(data);
    request.explicit_hash_key = std::move(explicit_hash_key);
    return request;
  }

  // Asserts that nothing at all is stored in the stream.
  void ExpectEmpty() {
    for (const char* shard : {kShard0, kShard1, kShard2}) {
      EXPECT_THAT(ReadShard("s", shard), SizeIs(0)) << shard;
    }
  }
};

TEST_F(PutTest, PutRecord_SameKeyAlwaysSameShard) {
  const std::string first = Put("s", "user-7", "a").shard_id;
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(Put("s", "user-7", "b").shard_id, first);
  Reopen();
  EXPECT_EQ(Put("s", "user-7", "c").shard_id, first);
}

TEST_F(PutTest, PutRecord_RoutesByMd5OfThePartitionKey) {
  // MD5("abc") = 0x900150983cd2... lies in the second third of the space;
  // MD5("") is not a valid key, MD5("a") = 0x0cc175b9... in the first.
  ASSERT_OK_AND_ASSIGN(PutRecordResult abc,
                       broker().PutRecord(Request("abc", "x")));
  EXPECT_EQ(abc.shard_id, kShard1);
  ASSERT_OK_AND_ASSIGN(PutRecordResult a,
                       broker().PutRecord(Request("a", "x")));
  EXPECT_EQ(a.shard_id, kShard0);
}

TEST_F(PutTest, PutRecord_ExplicitHashKeyEdgesLandOnTheirShards) {
  struct Case {
    const char* hash_key;
    const char* shard;
  };
  // Shard 1 starts at floor(2^128/3), shard 2 at 2*floor(2^128/3).
  const Case cases[] = {
      {"0", kShard0},
      {"113427455640312821154458202477256070484", kShard0},
      {"113427455640312821154458202477256070485", kShard1},
      {"226854911280625642308916404954512140969", kShard1},
      {"226854911280625642308916404954512140970", kShard2},
      {"340282366920938463463374607431768211455", kShard2},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(PutRecordResult result,
                         broker().PutRecord(Request("k", "x", c.hash_key)));
    EXPECT_EQ(result.shard_id, c.shard) << c.hash_key;
  }
}

TEST_F(PutTest, PutRecord_RejectsBadExplicitHashKeys) {
  // Not the model's decimal pattern, then (Kinesis' rule) above 2^128 - 1.
  for (const char* bad : {"-1", "01", "1.5", "abc"}) {
    EXPECT_THAT(broker().PutRecord(Request("k", "x", bad)),
                HasErrorName(ErrorName::kValidationException))
        << bad;
  }
  EXPECT_THAT(broker().PutRecord(
                  Request("k", "x", "340282366920938463463374607431768211456")),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ExpectEmpty();
}

TEST_F(PutTest, PutRecord_PartitionKeyIsOneTo256Characters) {
  EXPECT_THAT(broker().PutRecord(Request("", "x")),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().PutRecord(Request(std::string(257, 'k'), "x")),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().PutRecord(Request("\xff\xfe", "x")),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ExpectEmpty();
  EXPECT_OK(broker().PutRecord(Request(std::string(256, 'k'), "x")));
  // 256 characters of two bytes each: counted as characters, not bytes.
  std::string two_byte_key;
  for (int i = 0; i < 256; ++i) two_byte_key += "\xc3\xa9";
  EXPECT_OK(broker().PutRecord(Request(two_byte_key, "x")));
  EXPECT_THAT(broker().PutRecord(Request(two_byte_key + "\xc3\xa9", "x")),
              HasErrorName(ErrorName::kValidationException));
}

TEST_F(PutTest, PutRecord_SizeCountsDataPlusPartitionKey) {
  const size_t max = size_t{1} << 20;
  EXPECT_OK(broker().PutRecord(Request("kk", std::string(max - 2, 'x'))));
  EXPECT_THAT(broker().PutRecord(Request("kk", std::string(max - 1, 'x'))),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_OK(broker().PutRecord(Request("k", "")));
}

TEST_F(PutTest, PutRecord_LargerRecordsWhenTheStreamAllowsThem) {
  CreateStreamRequest create;
  create.stream_name = "big";
  create.options.max_record_size_kib = 2048;
  ASSERT_OK(broker().CreateStream(create));
  PutRecordRequest request =
      Request("k", std::string((size_t{2} << 20) - 1, 'x'));
  request.stream = "big";
  EXPECT_OK(broker().PutRecord(request));
  request.data.push_back('x');
  EXPECT_THAT(broker().PutRecord(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TEST_F(PutTest, PutRecord_UnknownStreamIsNotFound) {
  PutRecordRequest request = Request("k", "x");
  request.stream = "missing";
  EXPECT_THAT(broker().PutRecord(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(PutTest, PutRecord_SequenceNumbersGrowAndKeepArrivalTime) {
  const PutRecordResult first = Put("s", "k", "1");
  clock().Advance(absl::Milliseconds(1500));
  const PutRecordResult second = Put("s", "k", "2");
  EXPECT_LT(first.sequence_number, second.sequence_number);
  std::vector<Record> records = ReadShard("s", first.shard_id);
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_EQ(records[0].sequence_number, first.sequence_number);
  EXPECT_EQ(records[1].approximate_arrival_timestamp -
                records[0].approximate_arrival_timestamp,
            absl::Milliseconds(1500));
  EXPECT_EQ(records[0].partition_key, "k");
}

TEST_F(PutTest, PutRecord_ArrivalTimeNeverGoesBackwards) {
  const std::string shard = Put("s", "k", "1").shard_id;
  clock().Advance(-absl::Hours(1));
  Put("s", "k", "2");
  std::vector<Record> records = ReadShard("s", shard);
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_GE(records[1].approximate_arrival_timestamp,
            records[0].approximate_arrival_timestamp);
}

TEST_F(PutTest, PutRecord_SequenceNumberForOrdering) {
  const PutRecordResult first = Put("s", "k", "1");
  PutRecordRequest request = Request("k", "2");
  request.sequence_number_for_ordering = first.sequence_number;
  ASSERT_OK_AND_ASSIGN(PutRecordResult second, broker().PutRecord(request));
  EXPECT_GT(second.sequence_number, first.sequence_number);

  // A number this broker never issued cannot be honoured.
  request.sequence_number_for_ordering =
      SequenceNumber(absl::MakeUint128(UINT64_MAX, 0));
  EXPECT_THAT(broker().PutRecord(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

TEST_F(PutTest, PutRecords_AnswersInRequestOrder) {
  PutRecordsRequest request;
  request.stream = "s";
  for (int i = 0; i < 30; ++i) {
    request.records.push_back(
        {"key-" + std::to_string(i % 7), "data-" + std::to_string(i), ""});
  }
  ASSERT_OK_AND_ASSIGN(PutRecordsResult result, broker().PutRecords(request));
  EXPECT_EQ(result.failed_record_count, 0);
  ASSERT_THAT(result.records, SizeIs(30));
  // Each shard holds its records in request order.
  for (const char* shard : {kShard0, kShard1, kShard2}) {
    std::vector<std::string> expected;
    for (int i = 0; i < 30; ++i) {
      EXPECT_OK(result.records[i].status);
      if (result.records[i].shard_id == shard) {
        expected.push_back("data-" + std::to_string(i));
      }
    }
    EXPECT_EQ(DataOf(ReadShard("s", shard)), expected) << shard;
  }
}

TEST_F(PutTest, PutRecords_InvalidRecordRejectsWholeRequest) {
  PutRecordsRequest request;
  request.stream = "s";
  request.records = {{"good", "1", ""}, {"", "bad key", ""}, {"good", "3", ""}};
  EXPECT_THAT(broker().PutRecords(request),
              HasErrorName(ErrorName::kValidationException));
  request.records = {{"good", "1", ""}, {"k", "2", "not a number"}};
  EXPECT_THAT(broker().PutRecords(request),
              HasErrorName(ErrorName::kValidationException));
  ExpectEmpty();
}

TEST_F(PutTest, PutRecords_CountAndTotalSizeLimits) {
  PutRecordsRequest request;
  request.stream = "s";
  EXPECT_THAT(broker().PutRecords(request),
              HasErrorName(ErrorName::kValidationException));
  request.records.assign(501, {"k", "x", ""});
  EXPECT_THAT(broker().PutRecords(request),
              HasErrorName(ErrorName::kValidationException));
  request.records.assign(500, {"k", "x", ""});
  EXPECT_OK(broker().PutRecords(request));

  // Eleven records of 1 MiB minus the key: 11 MiB > 10 MiB.
  const std::string mib(size_t{1} << 20, 'x');
  request.records.assign(11, {"k", mib.substr(1), ""});
  EXPECT_THAT(broker().PutRecords(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  request.records.resize(10);
  EXPECT_OK(broker().PutRecords(request));
}

// The records' bytes are the caller's, read only during the call: bytes
// overwritten once it returns change nothing stored.
TEST_F(PutTest, PutRecordsInPlace_ReadsTheCallersBytesOnlyDuringTheCall) {
  std::vector<std::string> keys;
  std::vector<std::string> data;
  for (int i = 0; i < 30; ++i) {
    keys.push_back("key-" + std::to_string(i % 7));
    data.push_back("data-" + std::to_string(i));
  }
  std::vector<PutRecordsEntryView> views;
  for (int i = 0; i < 30; ++i) views.push_back({keys[i], data[i], ""});
  const std::string stream = "s";
  ASSERT_OK_AND_ASSIGN(
      PutRecordsResult result,
      broker().PutRecordsInPlace(PutRecordsRequestView{stream, views}));
  EXPECT_EQ(result.failed_record_count, 0);
  ASSERT_THAT(result.records, SizeIs(30));
  std::vector<std::string> expected = data;
  for (std::string& bytes : data) bytes.assign(bytes.size(), '#');
  std::vector<std::string> stored;
  for (const char* shard : {kShard0, kShard1, kShard2}) {
    for (std::string& bytes : DataOf(ReadShard("s", shard))) {
      stored.push_back(std::move(bytes));
    }
  }
  std::sort(stored.begin(), stored.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored, expected);
}

// The same rules as PutRecords(): one invalid record fails the request.
TEST_F(PutTest, PutRecordsInPlace_InvalidRecordRejectsWholeRequest) {
  const PutRecordsEntryView bad_key[] = {
      {"good", "1", ""}, {"", "bad key", ""}, {"good", "3", ""}};
  EXPECT_THAT(broker().PutRecordsInPlace(PutRecordsRequestView{"s", bad_key}),
              HasErrorName(ErrorName::kValidationException));
  const PutRecordsEntryView bad_hash_key[] = {{"good", "1", ""},
                                              {"k", "2", "not a number"}};
  EXPECT_THAT(
      broker().PutRecordsInPlace(PutRecordsRequestView{"s", bad_hash_key}),
      HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().PutRecordsInPlace(PutRecordsRequestView{"s", {}}),
              HasErrorName(ErrorName::kValidationException));
  ExpectEmpty();
}

TEST_F(PutTest, PutRecordsAsync_CompletesEveryCallback) {
  constexpr int kPuts = 200;
  absl::Mutex mu;
  int done = 0;
  std::vector<SequenceNumber> numbers;
  for (int i = 0; i < kPuts; ++i) {
    PutRecordsRequest request;
    request.stream = "s";
    request.records.push_back({"same-key", std::to_string(i), ""});
    broker().PutRecordsAsync(
        std::move(request), [&](absl::StatusOr<PutRecordsResult> result) {
          absl::MutexLock lock(&mu);
          EXPECT_OK(result);
          if (result.ok())
            numbers.push_back(result->records[0].sequence_number);
          ++done;
        });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* d) { return *d == kPuts; }, &done));
  // Puts of one thread to one shard keep their order.
  EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
}

TEST_F(PutTest, PutRecordAsync_InvalidRequestCallsBackInline) {
  bool called = false;
  broker().PutRecordAsync(
      Request("", "x"), [&](absl::StatusOr<PutRecordResult> result) {
        EXPECT_THAT(result, HasErrorName(ErrorName::kValidationException));
        called = true;
      });
  EXPECT_TRUE(called);
}

TEST_F(PutTest, Reopen_KeepsRecordsAndCounters) {
  const PutRecordResult before = Put("s", "k", "before");
  Reopen();
  const PutRecordResult after = Put("s", "k", "after");
  EXPECT_GT(after.sequence_number, before.sequence_number);
  EXPECT_THAT(DataOf(ReadShard("s", before.shard_id)),
              ElementsAre("before", "after"));
}

TEST_F(PutTest, Durability_EveryModeKeepsDataAcrossCleanClose) {
  for (Durability mode :
       {Durability::kSync, Durability::kNoSync, Durability::kNoWal}) {
    options().durability = mode;
    Reopen();
    const std::string data = "mode-" + std::to_string(static_cast<int>(mode));
    const std::string shard = Put("s", "durable", data).shard_id;
    Reopen();
    std::vector<std::string> all = DataOf(ReadShard("s", shard));
    EXPECT_EQ(all.back(), data);
  }
}

}  // namespace
}  // namespace brook
