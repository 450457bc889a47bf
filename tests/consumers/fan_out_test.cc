// Enhanced fan-out through the public API: consumers, subscriptions, push
// delivery, the Kinesis subscription rules, on the injected clock.

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
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

// Generous bounds for waits on other threads; a test that reaches one has
// failed.
constexpr absl::Duration kPatience = absl::Seconds(30);

std::string ShardId(int i) { return absl::StrFormat("shardId-%012d", i); }

class RecordingHandler : public SubscriptionHandler {
 public:
  Demand OnEvent(const SubscribeToShardEvent& event) override {
    absl::MutexLock lock(&mu_);
    ++events_;
    if (event.records.empty()) ++heartbeats_;
    for (const Record& record : event.records) records_.push_back(record);
    continuation_ = event.continuation_sequence_number;
    millis_behind_latest_ = event.millis_behind_latest;
    if (!event.child_shards.empty()) child_shards_ = event.child_shards;
    return pause_ ? Demand::kPause : Demand::kMore;
  }
  void OnEnd(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    end_ = status;
  }

  // Makes OnEvent ask for a pause after each event (or stop asking).
  void PauseEachEvent(bool pause) {
    absl::MutexLock lock(&mu_);
    pause_ = pause;
  }

  bool WaitForRecords(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return records_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
  }
  bool WaitForHeartbeat() {
    absl::MutexLock lock(&mu_);
    auto has = [this]()
                   ABSL_NO_THREAD_SAFETY_ANALYSIS { return heartbeats_ > 0; };
    return mu_.AwaitWithTimeout(absl::Condition(&has), kPatience);
  }
  absl::optional<absl::Status> WaitForEnd() {
    absl::MutexLock lock(&mu_);
    auto ended = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return end_.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ended), kPatience);
    return end_;
  }

  int64_t millis_behind_latest() {
    absl::MutexLock lock(&mu_);
    return millis_behind_latest_;
  }

  std::vector<std::string> Data() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> data;
    for (const Record& record : records_) data.push_back(record.data);
    return data;
  }
  std::vector<Record> Records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  int events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  SequenceNumber continuation() {
    absl::MutexLock lock(&mu_);
    return continuation_;
  }
  absl::optional<absl::Status> end() {
    absl::MutexLock lock(&mu_);
    return end_;
  }
  std::vector<ChildShard> child_shards() {
    absl::MutexLock lock(&mu_);
    return child_shards_;
  }

 private:
  absl::Mutex mu_;
  bool pause_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Record> records_ ABSL_GUARDED_BY(mu_);
  int events_ ABSL_GUARDED_BY(mu_) = 0;
  int heartbeats_ ABSL_GUARDED_BY(mu_) = 0;
  SequenceNumber continuation_ ABSL_GUARDED_BY(mu_);
  int64_t millis_behind_latest_ ABSL_GUARDED_BY(mu_) = -1;
  absl::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
  std::vector<ChildShard> child_shards_ ABSL_GUARDED_BY(mu_);
};

class FanOutTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
  }

  std::string Register(const std::string& name,
                       const std::string& stream = "s") {
    RegisterStreamConsumerRequest request;
    request.stream = stream;
    request.consumer_name = name;
    absl::StatusOr<Consumer> consumer =
        broker().RegisterStreamConsumer(request);
    EXPECT_OK(consumer);
    return consumer.ok() ? consumer->consumer_arn : "";
  }

  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      const std::string& arn, RecordingHandler* handler,
      ShardIteratorType type = ShardIteratorType::kTrimHorizon,
      absl::optional<SequenceNumber> sequence = absl::nullopt,
      const std::string& shard_id = ShardId(0)) {
    SubscribeToShardRequest request;
    request.consumer_arn = arn;
    request.shard_id = shard_id;
    request.starting_position.type = type;
    request.starting_position.sequence_number = sequence;
    return broker().SubscribeToShard(request, handler);
  }
};

TEST_F(FanOutTest, Consumers_RegisterDescribeListDeregister) {
  const std::string arn = Register("app-a");
  Register("app-b");
  EXPECT_EQ(
      arn.rfind("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/"
                "app-a:",
                0),
      0u);
  ConsumerRef by_arn;
  by_arn.consumer_arn = arn;
  ASSERT_OK_AND_ASSIGN(Consumer described,
                       broker().DescribeStreamConsumer(by_arn));
  EXPECT_EQ(described.consumer_name, "app-a");
  EXPECT_EQ(described.consumer_status, ConsumerStatus::kActive);
  ConsumerRef by_name;
  by_name.stream = "s";
  by_name.consumer_name = "app-b";
  EXPECT_OK(broker().DescribeStreamConsumer(by_name));

  ListStreamConsumersRequest list;
  list.stream = "s";
  list.max_results = 1;
  ASSERT_OK_AND_ASSIGN(ListStreamConsumersResult page,
                       broker().ListStreamConsumers(list));
  ASSERT_THAT(page.consumers, SizeIs(1));
  EXPECT_EQ(page.consumers[0].consumer_name, "app-a");
  list.next_token = page.next_token;
  ASSERT_OK_AND_ASSIGN(page, broker().ListStreamConsumers(list));
  ASSERT_THAT(page.consumers, SizeIs(1));
  EXPECT_EQ(page.consumers[0].consumer_name, "app-b");
  EXPECT_TRUE(page.next_token.empty());

  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       broker().DescribeStreamSummary({"s"}));
  EXPECT_EQ(summary.consumer_count, 2);

  Reopen();
  ASSERT_OK_AND_ASSIGN(described, broker().DescribeStreamConsumer(by_arn));
  EXPECT_EQ(described.consumer_arn, arn);

  ASSERT_OK(broker().DeregisterStreamConsumer(by_arn));
  EXPECT_THAT(broker().DescribeStreamConsumer(by_arn),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(broker().DeregisterStreamConsumer(by_arn),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(FanOutTest, Consumers_ValidationAndLimits) {
  options().max_consumers_per_stream = 2;
  Reopen();
  RegisterStreamConsumerRequest request;
  request.stream = "s";
  request.consumer_name = "bad name";
  EXPECT_THAT(broker().RegisterStreamConsumer(request),
              HasErrorName(ErrorName::kValidationException));
  request.consumer_name = "a";
  request.stream = "missing";
  EXPECT_THAT(broker().RegisterStreamConsumer(request),
              HasErrorName(ErrorName::kResourceNotFoundException));
  request.stream = "s";
  ASSERT_OK(broker().RegisterStreamConsumer(request));
  EXPECT_THAT(broker().RegisterStreamConsumer(request),
              HasErrorName(ErrorName::kResourceInUseException));
  request.consumer_name = "b";
  ASSERT_OK(broker().RegisterStreamConsumer(request));
  request.consumer_name = "c";
  EXPECT_THAT(broker().RegisterStreamConsumer(request),
              HasErrorName(ErrorName::kLimitExceededException));
  ConsumerRef bad;
  bad.consumer_arn = "not-an-arn";
  EXPECT_THAT(broker().DescribeStreamConsumer(bad),
              HasErrorName(ErrorName::kValidationException));
  ConsumerRef bad_name;
  bad_name.stream = "s";
  bad_name.consumer_name = "bad name";
  EXPECT_THAT(broker().DescribeStreamConsumer(bad_name),
              HasErrorName(ErrorName::kValidationException));
}

TEST_F(FanOutTest, DeleteStream_NeedsEnforceConsumerDeletion) {
  Register("app");
  EXPECT_THAT(broker().DeleteStream({"s"}),
              HasErrorName(ErrorName::kResourceInUseException));
  DeleteStreamRequest request;
  request.stream = "s";
  request.enforce_consumer_deletion = true;
  ASSERT_OK(broker().DeleteStream(request));
  CreateStream("s", 1);
  ListStreamConsumersRequest list;
  list.stream = "s";
  ASSERT_OK_AND_ASSIGN(ListStreamConsumersResult page,
                       broker().ListStreamConsumers(list));
  EXPECT_THAT(page.consumers, IsEmpty());
  Reopen();  // The deleted consumer's record is gone from disk too.
  ASSERT_OK_AND_ASSIGN(page, broker().ListStreamConsumers(list));
  EXPECT_THAT(page.consumers, IsEmpty());
}

TEST_F(FanOutTest, TwoConsumers_EachGetsEveryRecordOnceInOrder) {
  CreateStream("wide", 4);
  const std::string arns[] = {Register("a", "wide"), Register("b", "wide")};
  std::vector<std::unique_ptr<RecordingHandler>> handlers;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  for (const std::string& arn : arns) {
    for (int shard = 0; shard < 4; ++shard) {
      handlers.push_back(std::make_unique<RecordingHandler>());
      ASSERT_OK_AND_ASSIGN(
          std::unique_ptr<Subscription> subscription,
          Subscribe(arn, handlers.back().get(), ShardIteratorType::kTrimHorizon,
                    absl::nullopt, ShardId(shard)));
      subscriptions.push_back(std::move(subscription));
    }
  }
  constexpr int kPerProducer = 300;
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        Put("wide", "key-" + std::to_string((p * 31 + i) % 50),
            std::to_string(p) + ":" + std::to_string(i));
      }
    });
  }
  for (std::thread& producer : producers) producer.join();
  for (int shard = 0; shard < 4; ++shard) {
    const std::vector<Record> stored = ReadShard("wide", ShardId(shard));
    for (int consumer = 0; consumer < 2; ++consumer) {
      RecordingHandler& handler = *handlers[consumer * 4 + shard];
      ASSERT_TRUE(handler.WaitForRecords(stored.size()))
          << "consumer " << consumer << " shard " << shard;
      EXPECT_EQ(handler.Data(), DataOf(stored));
    }
  }
}

TEST_F(FanOutTest, StartingPositionsAndResubscribingLoseNothing) {
  const std::string arn = Register("app");
  const SequenceNumber first = Put("s", "k", "0").sequence_number;
  Put("s", "k", "1");
  {
    RecordingHandler at;
    ASSERT_OK_AND_ASSIGN(
        auto subscription,
        Subscribe(arn, &at, ShardIteratorType::kAtSequenceNumber, first));
    ASSERT_TRUE(at.WaitForRecords(2));
    EXPECT_THAT(at.Data(), ElementsAre("0", "1"));
    EXPECT_EQ(at.continuation(), at.Records().back().sequence_number);
    subscription->Cancel();
    clock().Advance(absl::Seconds(5));

    // Resubscribing AFTER the continuation number repeats nothing.
    Put("s", "k", "2");
    RecordingHandler after;
    ASSERT_OK_AND_ASSIGN(
        auto resumed,
        Subscribe(arn, &after, ShardIteratorType::kAfterSequenceNumber,
                  at.continuation()));
    ASSERT_TRUE(after.WaitForRecords(1));
    Put("s", "k", "3");
    ASSERT_TRUE(after.WaitForRecords(2));
    EXPECT_THAT(after.Data(), ElementsAre("2", "3"));
  }
  clock().Advance(absl::Seconds(5));
  RecordingHandler latest;
  ASSERT_OK_AND_ASSIGN(auto subscription,
                       Subscribe(arn, &latest, ShardIteratorType::kLatest));
  Put("s", "k", "4");
  ASSERT_TRUE(latest.WaitForRecords(1));
  EXPECT_THAT(latest.Data(), ElementsAre("4"));
}

TEST_F(FanOutTest, ContinuationBeforeAnyRecordResumesAtTheStart) {
  const std::string arn = Register("app");
  RecordingHandler empty;
  ASSERT_OK_AND_ASSIGN(auto subscription,
                       Subscribe(arn, &empty, ShardIteratorType::kTrimHorizon));
  clock().Advance(absl::Seconds(5));
  ASSERT_TRUE(empty.WaitForHeartbeat());
  subscription->Cancel();
  Put("s", "k", "first");
  RecordingHandler resumed;
  ASSERT_OK_AND_ASSIGN(
      auto again,
      Subscribe(arn, &resumed, ShardIteratorType::kAfterSequenceNumber,
                empty.continuation()));
  ASSERT_TRUE(resumed.WaitForRecords(1));
  EXPECT_THAT(resumed.Data(), ElementsAre("first"));
}

TEST_F(FanOutTest, Rules_RateTakeoverAndDuplicates) {
  const std::string arn = Register("app");
  RecordingHandler first;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &first));
  clock().Advance(absl::Milliseconds(500));
  RecordingHandler second;
  EXPECT_THAT(Subscribe(arn, &second),
              HasErrorName(ErrorName::kLimitExceededException));
  clock().Advance(absl::Seconds(2));
  EXPECT_THAT(Subscribe(arn, &second),
              HasErrorName(ErrorName::kResourceInUseException));
  clock().Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(auto takeover, Subscribe(arn, &second));
  absl::optional<absl::Status> end = first.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_THAT(*end, HasErrorName(ErrorName::kResourceInUseException));
  Put("s", "k", "x");
  ASSERT_TRUE(second.WaitForRecords(1));
}

TEST_F(FanOutTest, Lifetime_EndsAfterFiveMinutesOnTheClock) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &handler));
  clock().Advance(absl::Minutes(5));
  absl::optional<absl::Status> end = handler.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_OK(*end);
  // Resubscribing at once is allowed: the old one is over.
  RecordingHandler next;
  EXPECT_OK(Subscribe(arn, &next));
}

TEST_F(FanOutTest, ClosedShard_LastEventNamesChildrenThenEnds) {
  const std::string arn = Register("app");
  Put("s", "k", "before");
  RecordingHandler reader;  // Catches up, then waits for more.
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &reader));
  ASSERT_TRUE(reader.WaitForRecords(1));
  SplitShardRequest split;
  split.stream = "s";
  split.shard_to_split = ShardId(0);
  split.new_starting_hash_key = "1000";
  ASSERT_OK(broker().SplitShard(split));
  Put("s", "k", "after");  // Goes to a child.

  absl::optional<absl::Status> end = reader.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_OK(*end);
  EXPECT_THAT(reader.Data(), ElementsAre("before"));
  const std::vector<ChildShard> children = reader.child_shards();
  ASSERT_THAT(children, SizeIs(2));
  EXPECT_EQ(children[0].shard_id, ShardId(1));
  EXPECT_THAT(children[1].parent_shards, ElementsAre(ShardId(0)));

  // A subscription to the closed shard later reads it and ends the same way.
  const std::string late_arn = Register("late");
  RecordingHandler late;
  ASSERT_OK_AND_ASSIGN(auto again, Subscribe(late_arn, &late));
  end = late.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_OK(*end);
  EXPECT_THAT(late.Data(), ElementsAre("before"));
  EXPECT_THAT(late.child_shards(), SizeIs(2));
}

TEST_F(FanOutTest, Heartbeat_IdleSubscriptionHearsEveryFiveSeconds) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription,
                       Subscribe(arn, &handler, ShardIteratorType::kLatest));
  clock().Advance(absl::Seconds(5));
  ASSERT_TRUE(handler.WaitForHeartbeat());
  EXPECT_THAT(handler.Records(), IsEmpty());
}

TEST_F(FanOutTest, Cancel_NoCallsAfterItReturns) {
  const std::string arn = Register("app");
  const std::string witness_arn = Register("witness");
  RecordingHandler cancelled;
  RecordingHandler witness;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &cancelled));
  ASSERT_OK_AND_ASSIGN(auto watching, Subscribe(witness_arn, &witness));
  subscription->Cancel();
  const int events = cancelled.events();
  Put("s", "k", "after cancel");
  ASSERT_TRUE(witness.WaitForRecords(1));
  // Closing joins the fan-out threads: nothing is left in flight.
  ASSERT_OK(broker().Close());
  EXPECT_EQ(cancelled.events(), events);
  EXPECT_THAT(cancelled.Data(), IsEmpty());
  EXPECT_FALSE(cancelled.end().has_value());
}

TEST_F(FanOutTest, Deregister_EndsSubscriptionsWithNotFound) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &handler));
  ConsumerRef ref;
  ref.consumer_arn = arn;
  ASSERT_OK(broker().DeregisterStreamConsumer(ref));
  absl::optional<absl::Status> end = handler.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_THAT(*end, HasErrorName(ErrorName::kResourceNotFoundException));
  RecordingHandler later;
  EXPECT_THAT(Subscribe(arn, &later),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(FanOutTest, DeleteStream_EndsSubscriptionsWithNotFound) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &handler));
  DeleteStreamRequest request;
  request.stream = "s";
  request.enforce_consumer_deletion = true;
  ASSERT_OK(broker().DeleteStream(request));
  absl::optional<absl::Status> end = handler.WaitForEnd();
  ASSERT_TRUE(end.has_value());
  EXPECT_THAT(*end, HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(FanOutTest, Close_EndsSubscriptionsAndRunsNoHandlerAfterwards) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &handler));
  ASSERT_OK(broker().Close());
  ASSERT_TRUE(handler.end().has_value());
  EXPECT_THAT(*handler.end(), HasErrorName(ErrorName::kInternalFailure));
}

TEST_F(FanOutTest, PausedHandlers_HoldUpOnlyTheirOwnSubscriptions) {
  // More paused subscriptions than fan-out threads (2): none of them may
  // hold a thread, or the fast one would starve.
  constexpr int kPaused = 3;
  std::vector<std::unique_ptr<RecordingHandler>> paused;
  std::vector<std::unique_ptr<Subscription>> paused_subscriptions;
  for (int i = 0; i < kPaused; ++i) {
    paused.push_back(std::make_unique<RecordingHandler>());
    paused.back()->PauseEachEvent(true);
    ASSERT_OK_AND_ASSIGN(
        auto subscription,
        Subscribe(Register(absl::StrCat("paused-", i)), paused.back().get()));
    paused_subscriptions.push_back(std::move(subscription));
  }
  const std::string fast_arn = Register("fast");
  RecordingHandler fast;
  ASSERT_OK_AND_ASSIGN(auto fast_subscription, Subscribe(fast_arn, &fast));
  for (int i = 0; i < 200; ++i) {
    Put("s", "k", std::to_string(i));
    // Separate events, as puts trickle in.
    if (i % 50 == 49) {
      ASSERT_TRUE(fast.WaitForRecords(i + 1));
    }
  }
  ASSERT_TRUE(fast.WaitForRecords(200));
  for (auto& handler : paused) {
    // Each got the one event it paused after, and nothing since.
    EXPECT_EQ(handler->events(), 1);
    handler->PauseEachEvent(false);
  }
  for (auto& subscription : paused_subscriptions) subscription->Resume();
  for (auto& handler : paused) {
    ASSERT_TRUE(handler->WaitForRecords(200));
    EXPECT_EQ(handler->Data(), fast.Data());
  }
}

TEST_F(FanOutTest, Resume_OfASubscriptionNotPaused_ChangesNothing) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  ASSERT_OK_AND_ASSIGN(auto subscription, Subscribe(arn, &handler));
  subscription->Resume();
  Put("s", "k", "a");
  ASSERT_TRUE(handler.WaitForRecords(1));
  subscription->Resume();
  Put("s", "k", "b");
  ASSERT_TRUE(handler.WaitForRecords(2));
  EXPECT_THAT(handler.Data(), ElementsAre("a", "b"));
}

TEST_F(FanOutTest, Subscribe_RejectsBadRequests) {
  const std::string arn = Register("app");
  RecordingHandler handler;
  EXPECT_THAT(Subscribe(arn, &handler, ShardIteratorType::kTrimHorizon,
                        absl::nullopt, "shardId-000000000009"),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Subscribe("", &handler),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Subscribe(arn + "x", &handler),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(Subscribe(arn + "0", &handler),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_THAT(Subscribe(arn, &handler, ShardIteratorType::kAtSequenceNumber),
              HasErrorName(ErrorName::kInvalidArgumentException));
  SubscribeToShardRequest request;
  request.consumer_arn = arn;
  request.shard_id = ShardId(0);
  EXPECT_THAT(broker().SubscribeToShard(request, nullptr),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// GetBrokerMetrics reports each open subscription's lag as the
// MillisBehindLatest its last event carried. Three large records, a second
// apart, fill more than one event (2 MiB), and the newest arrives 5 s
// later: the first event stops behind it.
TEST_F(FanOutTest, BrokerMetrics_ReportTheLagEachSubscriptionWasServed) {
  const std::string arn = Register("reader");
  const std::string large(900 << 10, 'x');
  for (int i = 0; i < 3; ++i) {
    Put("s", "k", large);
    clock().Advance(absl::Seconds(1));
  }
  clock().Advance(absl::Seconds(5));
  Put("s", "k", "newest");
  ASSERT_OK_AND_ASSIGN(BrokerMetrics before, broker().GetBrokerMetrics());
  EXPECT_EQ(before.open_subscriptions, 0);
  EXPECT_THAT(before.consumer_lag, IsEmpty());

  RecordingHandler handler;
  handler.PauseEachEvent(true);  // Holds the subscription at its first event.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       Subscribe(arn, &handler));
  ASSERT_TRUE(handler.WaitForRecords(1));
  const int64_t served = handler.millis_behind_latest();
  EXPECT_GE(served, 6000);  // The newest is at +8 s, the event's last
  EXPECT_LE(served, 8000);  // (whichever of the large ones) at 0 to +2 s.
  ASSERT_OK_AND_ASSIGN(BrokerMetrics during, broker().GetBrokerMetrics());
  EXPECT_EQ(during.open_subscriptions, 1);
  ASSERT_THAT(during.consumer_lag, SizeIs(1));
  EXPECT_EQ(during.consumer_lag[0].stream, "s");
  EXPECT_EQ(during.consumer_lag[0].consumer_name, "reader");
  EXPECT_EQ(during.consumer_lag[0].shard_id, ShardId(0));
  EXPECT_EQ(during.consumer_lag[0].millis_behind_latest, served);

  // Caught up: the lag served, and so reported, is 0.
  handler.PauseEachEvent(false);
  subscription->Resume();
  ASSERT_TRUE(handler.WaitForRecords(4));
  ASSERT_OK_AND_ASSIGN(BrokerMetrics caught_up, broker().GetBrokerMetrics());
  ASSERT_THAT(caught_up.consumer_lag, SizeIs(1));
  EXPECT_EQ(caught_up.consumer_lag[0].millis_behind_latest,
            handler.millis_behind_latest());
  EXPECT_EQ(handler.millis_behind_latest(), 0);

  subscription->Cancel();
  ASSERT_OK_AND_ASSIGN(BrokerMetrics after, broker().GetBrokerMetrics());
  EXPECT_EQ(after.open_subscriptions, 0);
}

}  // namespace
}  // namespace brook
