// Consuming: shard iterator types, GetRecords, expiry and forged iterators.

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kShard[] = "shardId-000000000000";

class IteratorTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  absl::StatusOr<GetRecordsResult> Get(const std::string& iterator,
                                       int limit = 10000) {
    GetRecordsRequest request;
    request.shard_iterator = iterator;
    request.limit = limit;
    return broker().GetRecords(request);
  }

  absl::StatusOr<GetShardIteratorResult> IteratorFor(
      ShardIteratorType type, absl::optional<SequenceNumber> sequence,
      std::string shard = kShard, std::string stream = "s") {
    GetShardIteratorRequest request;
    request.stream = std::move(stream);
    request.shard_id = std::move(shard);
    request.shard_iterator_type = type;
    request.starting_sequence_number = sequence;
    return broker().GetShardIterator(request);
  }

  // Puts records "0".."n-1", one commit each, 1 s apart.
  std::vector<PutRecordResult> PutNumbered(int n) {
    std::vector<PutRecordResult> results;
    for (int i = 0; i < n; ++i) {
      results.push_back(Put("s", "k", std::to_string(i)));
      clock().Advance(absl::Seconds(1));
    }
    return results;
  }
};

TEST_F(IteratorTest, TrimHorizon_ReadsEverythingInOrder) {
  PutNumbered(5);
  EXPECT_THAT(DataOf(ReadShard("s", kShard)),
              ElementsAre("0", "1", "2", "3", "4"));
}

TEST_F(IteratorTest, Latest_ReadsOnlyLaterRecords) {
  PutNumbered(2);
  const std::string latest = Iterator("s", kShard, ShardIteratorType::kLatest);
  EXPECT_THAT(ReadAll(latest), IsEmpty());
  Put("s", "k", "later");
  EXPECT_THAT(DataOf(ReadAll(latest)), ElementsAre("later"));
}

TEST_F(IteratorTest, AtAndAfterSequenceNumber) {
  const std::vector<PutRecordResult> puts = PutNumbered(3);
  EXPECT_THAT(
      DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtSequenceNumber,
                              puts[1].sequence_number))),
      ElementsAre("1", "2"));
  EXPECT_THAT(DataOf(ReadAll(Iterator("s", kShard,
                                      ShardIteratorType::kAfterSequenceNumber,
                                      puts[1].sequence_number))),
              ElementsAre("2"));
  EXPECT_THAT(
      ReadAll(Iterator("s", kShard, ShardIteratorType::kAfterSequenceNumber,
                       puts[2].sequence_number)),
      IsEmpty());
}

TEST_F(IteratorTest, SequenceNumberIteratorsNeedAValidNumberOfThisShard) {
  const std::vector<PutRecordResult> puts = PutNumbered(1);
  EXPECT_THAT(IteratorFor(ShardIteratorType::kAtSequenceNumber, absl::nullopt),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      IteratorFor(ShardIteratorType::kAfterSequenceNumber, absl::nullopt),
      HasErrorName(ErrorName::kInvalidArgumentException));
  // A number of another stream's shard.
  CreateStream("other", 1);
  const SequenceNumber foreign = Put("other", "k", "x").sequence_number;
  EXPECT_THAT(IteratorFor(ShardIteratorType::kAtSequenceNumber, foreign),
              HasErrorName(ErrorName::kInvalidArgumentException));
  // A number never issued.
  EXPECT_THAT(
      IteratorFor(ShardIteratorType::kAtSequenceNumber,
                  SequenceNumber(absl::MakeUint128(
                      UINT64_MAX,
                      absl::Uint128Low64(puts[0].sequence_number.value())))),
      HasErrorName(ErrorName::kInvalidArgumentException));
}

TEST_F(IteratorTest, AtTimestamp_StartsAtFirstRecordAtOrAfter) {
  const absl::Time start = clock().Now();
  PutNumbered(4);  // Arrive at start, +1 s, +2 s, +3 s.
  auto at = [&](absl::Time time) {
    return DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtTimestamp,
                                   absl::nullopt, time)));
  };
  EXPECT_THAT(at(start - absl::Hours(1)), ElementsAre("0", "1", "2", "3"));
  EXPECT_THAT(at(start + absl::Seconds(2)), ElementsAre("2", "3"));
  EXPECT_THAT(at(start + absl::Milliseconds(2001)), ElementsAre("3"));
  EXPECT_THAT(at(clock().Now()), IsEmpty());
  // Kinesis refuses a timestamp in the future.
  GetShardIteratorRequest future;
  future.stream = "s";
  future.shard_id = kShard;
  future.shard_iterator_type = ShardIteratorType::kAtTimestamp;
  future.timestamp = clock().Now() + absl::Milliseconds(1);
  EXPECT_THAT(broker().GetShardIterator(future),
              HasErrorName(ErrorName::kInvalidArgumentException));

  GetShardIteratorRequest missing_time;
  missing_time.stream = "s";
  missing_time.shard_id = kShard;
  missing_time.shard_iterator_type = ShardIteratorType::kAtTimestamp;
  EXPECT_THAT(broker().GetShardIterator(missing_time),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// Kinesis: a timestamp older than the trim horizon gives an iterator at the
// oldest untrimmed record, as TRIM_HORIZON does; 1970 is no exception.
TEST_F(IteratorTest, AtTimestamp_Before1970_StartsAtTheOldestRecord) {
  PutNumbered(3);
  for (absl::Time time : {absl::FromUnixSeconds(-5), absl::FromUnixMillis(-1),
                          absl::UnixEpoch()}) {
    EXPECT_THAT(
        DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtTimestamp,
                                absl::nullopt, time))),
        ElementsAre("0", "1", "2"))
        << time;
  }
}

TEST_F(IteratorTest, GetShardIterator_UnknownShardOrStream) {
  EXPECT_THAT(IteratorFor(ShardIteratorType::kLatest, absl::nullopt,
                          "shardId-000000000001"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(IteratorFor(ShardIteratorType::kLatest, absl::nullopt, "other"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(IteratorFor(ShardIteratorType::kLatest, absl::nullopt, "bad id!"),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(
      IteratorFor(ShardIteratorType::kLatest, absl::nullopt, kShard, "nope"),
      HasErrorName(ErrorName::kResourceNotFoundException));
}

// Kinesis' MillisBehindLatest: how far the records returned are behind the
// shard's newest record, and 0 only once the reader reaches it.
TEST_F(IteratorTest, GetRecords_MillisBehindLatestIsTheLagToTheNewestRecord) {
  Put("s", "k", "r0");
  clock().Advance(absl::Seconds(10));
  Put("s", "k", "r1");
  clock().Advance(absl::Seconds(5));  // Time passing changes nothing.
  ASSERT_OK_AND_ASSIGN(
      GetRecordsResult page,
      Get(Iterator("s", kShard, ShardIteratorType::kTrimHorizon), 1));
  EXPECT_THAT(DataOf(page.records), ElementsAre("r0"));
  EXPECT_EQ(page.millis_behind_latest, 10000);
  ASSERT_OK_AND_ASSIGN(page, Get(page.next_shard_iterator, 1));
  EXPECT_THAT(DataOf(page.records), ElementsAre("r1"));
  EXPECT_EQ(page.millis_behind_latest, 0);
}

TEST_F(IteratorTest, GetRecords_LimitAndNextIterator) {
  PutNumbered(5);
  ASSERT_OK_AND_ASSIGN(
      GetRecordsResult page,
      Get(Iterator("s", kShard, ShardIteratorType::kTrimHorizon), 2));
  EXPECT_THAT(DataOf(page.records), ElementsAre("0", "1"));
  // Records 2..4 arrived 3, 2 and 1 seconds before now.
  EXPECT_EQ(page.millis_behind_latest, 3000);
  ASSERT_OK_AND_ASSIGN(page, Get(page.next_shard_iterator, 2));
  EXPECT_THAT(DataOf(page.records), ElementsAre("2", "3"));
  ASSERT_OK_AND_ASSIGN(page, Get(page.next_shard_iterator, 2));
  EXPECT_THAT(DataOf(page.records), ElementsAre("4"));
  EXPECT_EQ(page.millis_behind_latest, 0);
  const std::string caught_up = page.next_shard_iterator;
  ASSERT_OK_AND_ASSIGN(page, Get(caught_up));
  EXPECT_THAT(page.records, IsEmpty());
  EXPECT_FALSE(page.next_shard_iterator.empty());
}

TEST_F(IteratorTest, GetRecords_ReturnsAtMostTenMiB) {
  PutRecordsRequest request;
  request.stream = "s";
  const std::string mib(size_t{1} << 20, 'x');
  request.records.assign(10, {"k", mib.substr(1), ""});
  ASSERT_OK(broker().PutRecords(request));
  request.records.assign(1, {"k", "small", ""});
  ASSERT_OK(broker().PutRecords(request));
  ASSERT_OK_AND_ASSIGN(
      GetRecordsResult page,
      Get(Iterator("s", kShard, ShardIteratorType::kTrimHorizon)));
  EXPECT_THAT(page.records, SizeIs(10));
  ASSERT_OK_AND_ASSIGN(page, Get(page.next_shard_iterator));
  EXPECT_THAT(DataOf(page.records), ElementsAre("small"));
}

TEST_F(IteratorTest, GetRecords_RejectsBadLimits) {
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  EXPECT_THAT(Get(iterator, 0), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Get(iterator, 10001),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_OK(Get(iterator, 10000));
}

TEST_F(IteratorTest, GetRecords_IteratorExpiresAfterFiveMinutes) {
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  clock().Advance(absl::Minutes(5));
  EXPECT_OK(Get(iterator));
  clock().Advance(absl::Milliseconds(1));
  EXPECT_THAT(Get(iterator),
              HasErrorName(ErrorName::kExpiredIteratorException));
}

TEST_F(IteratorTest, GetRecords_NextIteratorIsFresh) {
  Put("s", "k", "0");
  ASSERT_OK_AND_ASSIGN(
      GetRecordsResult page,
      Get(Iterator("s", kShard, ShardIteratorType::kTrimHorizon)));
  clock().Advance(absl::Minutes(4));
  ASSERT_OK_AND_ASSIGN(page, Get(page.next_shard_iterator));
  clock().Advance(absl::Minutes(4));
  EXPECT_OK(Get(page.next_shard_iterator));
}

TEST_F(IteratorTest, GetRecords_RejectsForgedAndTamperedIterators) {
  Put("s", "k", "secret");
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(iterator, &raw));
  // Flip each byte of the decoded token in turn: a different position, shard
  // or time must never be accepted.
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string tampered = raw;
    tampered[i] ^= 0x01;
    EXPECT_THAT(Get(absl::WebSafeBase64Escape(tampered)),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << "byte " << i;
  }
  // Outside the model's 1 to 512 characters, then not an iterator.
  for (const std::string& bad : {std::string(), std::string(513, 'A')}) {
    EXPECT_THAT(Get(bad), HasErrorName(ErrorName::kValidationException));
  }
  for (const std::string& bad : {iterator.substr(1), std::string("AAAA")}) {
    EXPECT_THAT(Get(bad), HasErrorName(ErrorName::kInvalidArgumentException));
  }
}

TEST_F(IteratorTest, GetRecords_IteratorOfAnotherDirectoryIsRejected) {
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  testing::TempDir other_dir;
  BrokerOptions other_options;
  other_options.clock = &clock();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> other,
                       Broker::Open(other_options, other_dir.path()));
  CreateStreamRequest create;
  create.stream_name = "s";
  ASSERT_OK(other->CreateStream(create));
  GetRecordsRequest request;
  request.shard_iterator = iterator;
  EXPECT_THAT(other->GetRecords(request),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK(other->Close());
}

TEST_F(IteratorTest, Iterators_SurviveARestart) {
  Put("s", "k", "0");
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  Reopen();
  ASSERT_OK_AND_ASSIGN(GetRecordsResult page, Get(iterator));
  EXPECT_THAT(DataOf(page.records), ElementsAre("0"));
}

}  // namespace
}  // namespace brook
