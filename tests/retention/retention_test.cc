// Retention on the injected clock: validation of the period, what readers
// see once records expire, and the space coming back.

#include <filesystem>
#include <string>
#include <vector>

#include "broker/broker_impl.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kShard[] = "shardId-000000000000";

class RetentionTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  // Runs a pass; returns whether it removed records.
  bool TrimNow() {
    absl::StatusOr<bool> removed =
        static_cast<BrokerImpl&>(broker()).TEST_TrimNow();
    EXPECT_OK(removed);
    return removed.value_or(false);
  }

  absl::Status Increase(int hours) {
    return broker().IncreaseStreamRetentionPeriod({"s", hours});
  }
  absl::Status Decrease(int hours) {
    return broker().DecreaseStreamRetentionPeriod({"s", hours});
  }
  int Retention() {
    absl::StatusOr<StreamDescriptionSummary> summary =
        broker().DescribeStreamSummary({"s"});
    EXPECT_OK(summary);
    return summary.ok() ? summary->retention_period_hours : -1;
  }

  // The store's bytes (not the fixed reserve file beside it).
  int64_t BytesOnDisk() {
    int64_t bytes = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir() + "/db")) {
      if (entry.is_regular_file()) bytes += entry.file_size();
    }
    return bytes;
  }
};

TEST_F(RetentionTest, Period_ValidatedAsKinesisDoes) {
  EXPECT_EQ(Retention(), 24);
  EXPECT_THAT(Increase(23), HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Increase(8761),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK(Increase(48));
  EXPECT_THAT(Increase(36), HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Decrease(72), HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Decrease(12), HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_EQ(Retention(), 48);
  ASSERT_OK(Decrease(30));
  ASSERT_OK(Increase(8760));
  Reopen();
  EXPECT_EQ(Retention(), 8760);
  EXPECT_THAT(broker().IncreaseStreamRetentionPeriod({"missing", 48}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(RetentionTest, ExpiredRecordsLeaveEveryReadPath) {
  const SequenceNumber old_number = Put("s", "k", "old").sequence_number;
  clock().Advance(absl::Hours(24) + absl::Milliseconds(1));
  Put("s", "k", "recent");
  // Issued before the pass, positioned at the record about to expire.
  const std::string earlier_iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  TrimNow();

  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("recent"));
  EXPECT_THAT(DataOf(ReadAll(earlier_iterator)), ElementsAre("recent"));
  // A position before the horizon starts at the horizon.
  EXPECT_THAT(
      DataOf(ReadAll(Iterator("s", kShard, ShardIteratorType::kAtSequenceNumber,
                              old_number))),
      ElementsAre("recent"));
  EXPECT_THAT(DataOf(ReadAll(
                  Iterator("s", kShard, ShardIteratorType::kAtTimestamp,
                           absl::nullopt, clock().Now() - absl::Hours(100)))),
              ElementsAre("recent"));
}

TEST_F(RetentionTest, TrimKeepsRecordsInsideTheWindow) {
  Put("s", "k", "a");
  clock().Advance(absl::Hours(24) - absl::Milliseconds(1));
  TrimNow();
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("a"));
  // Kept while its age is at most the period; gone once it is older.
  clock().Advance(absl::Milliseconds(1));
  TrimNow();
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("a"));
  clock().Advance(absl::Milliseconds(1));
  TrimNow();
  EXPECT_THAT(ReadShard("s", kShard), IsEmpty());
  // New records still land and are read.
  Put("s", "k", "b");
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("b"));
}

// With the clock within a period of 1970, the horizon is before it: records
// inside the window stay, through a pass and a longer period alike.
TEST_F(RetentionTest, HorizonBefore1970_KeepsRecordsInsideTheWindow) {
  clock().Set(absl::UnixEpoch() + absl::Hours(1));
  CreateStream("early", 1);
  Put("early", "k", "a");
  TrimNow();
  EXPECT_THAT(DataOf(ReadShard("early", kShard)), ElementsAre("a"));
  ASSERT_OK(broker().IncreaseStreamRetentionPeriod({"early", 48}));
  EXPECT_THAT(DataOf(ReadShard("early", kShard)), ElementsAre("a"));
  clock().Advance(absl::Hours(48) + absl::Milliseconds(1));
  TrimNow();
  EXPECT_THAT(ReadShard("early", kShard), IsEmpty());
}

TEST_F(RetentionTest, APassRemovesAndCompactsOnlyWhenRecordsExpired) {
  // A new empty shard, and one whose records are all inside the window,
  // only move their trim points.
  EXPECT_FALSE(TrimNow());
  Put("s", "k", "a");
  EXPECT_FALSE(TrimNow());
  CreateStream("empty", 2);
  EXPECT_FALSE(TrimNow());
  clock().Advance(absl::Hours(25));
  EXPECT_TRUE(TrimNow());
  EXPECT_FALSE(TrimNow());
  EXPECT_THAT(ReadShard("s", kShard), IsEmpty());
}

TEST_F(RetentionTest, DecreasingTheWindowHidesOlderRecordsAtOnce) {
  ASSERT_OK(Increase(48));
  Put("s", "k", "a");
  clock().Advance(absl::Hours(30));
  TrimNow();
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("a"));
  ASSERT_OK(Decrease(24));
  // Before any pass removes it, no read returns it.
  EXPECT_THAT(ReadShard("s", kShard), IsEmpty());
  EXPECT_THAT(ReadAll(iterator), IsEmpty());
  TrimNow();
  EXPECT_THAT(ReadShard("s", kShard), IsEmpty());
}

// Reads apply the period themselves: a record older than it is never
// returned, whether a pass has removed it yet or not.
TEST_F(RetentionTest, ReadsHonourThePeriodBeforeAnyPass) {
  Put("s", "k", "old");
  clock().Advance(absl::Hours(24) + absl::Milliseconds(1));
  Put("s", "k", "recent");
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("recent"));
  // A longer period does not bring the expired record back.
  ASSERT_OK(Increase(48));
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("recent"));
  TrimNow();
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("recent"));
}

TEST_F(RetentionTest, ExpiryAcrossARestartIsAppliedBeforeTheFirstRead) {
  Put("s", "k", "old");
  clock().Advance(absl::Hours(25));
  Reopen();  // Open runs a pass before serving.
  EXPECT_THAT(ReadShard("s", kShard), IsEmpty());
  Put("s", "k", "new");
  Reopen();
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("new"));
}

TEST_F(RetentionTest, SpaceComesBackOnceTheWindowPasses) {
  PutRecordsRequest request;
  request.stream = "s";
  const std::string data(64 * 1024, 'x');
  for (int i = 0; i < 100; ++i) request.records.push_back({"k", data, ""});
  for (int round = 0; round < 5; ++round)
    ASSERT_OK(broker().PutRecords(request));
  TrimNow();  // Nothing expired; it flushes and compacts what is there.
  const int64_t full = BytesOnDisk();
  ASSERT_GT(full, 30 << 20);  // 5 x 100 x 64 KiB.

  clock().Advance(absl::Hours(25));
  Put("s", "k", "fresh");
  TrimNow();
  EXPECT_THAT(DataOf(ReadShard("s", kShard)), ElementsAre("fresh"));
  EXPECT_LT(BytesOnDisk(), full / 4);
}

TEST_F(RetentionTest, FanOutSubscriptionsSkipExpiredRecords) {
  Put("s", "k", "old");
  clock().Advance(absl::Hours(25));
  Put("s", "k", "kept");
  TrimNow();
  RegisterStreamConsumerRequest registration;
  registration.stream = "s";
  registration.consumer_name = "app";
  ASSERT_OK_AND_ASSIGN(Consumer consumer,
                       broker().RegisterStreamConsumer(registration));
  struct Handler : SubscriptionHandler {
    absl::Mutex mu;
    std::vector<std::string> data ABSL_GUARDED_BY(mu);
    Demand OnEvent(const SubscribeToShardEvent& event) override {
      absl::MutexLock lock(&mu);
      for (const Record& record : event.records) data.push_back(record.data);
      return Demand::kMore;
    }
    void OnEnd(const absl::Status&) override {}
  } handler;
  SubscribeToShardRequest subscribe;
  subscribe.consumer_arn = consumer.consumer_arn;
  subscribe.shard_id = kShard;
  subscribe.starting_position.type = ShardIteratorType::kTrimHorizon;
  ASSERT_OK_AND_ASSIGN(auto subscription,
                       broker().SubscribeToShard(subscribe, &handler));
  absl::MutexLock lock(&handler.mu);
  auto got_one = [&handler]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return !handler.data.empty();
  };
  ASSERT_TRUE(handler.mu.AwaitWithTimeout(absl::Condition(&got_one),
                                          absl::Seconds(30)));
  EXPECT_THAT(handler.data, ElementsAre("kept"));
}

}  // namespace
}  // namespace brook
