// Enhanced fan-out: two applications each register as a consumer of a
// stream and get every shard's records pushed to them, each at its own
// 2 MiB/s per shard, while a producer writes.
//
//   fanout [data-dir]      (default: ./brook-data)

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"

namespace {

constexpr char kStream[] = "fanout-demo";
constexpr int kShards = 2;
constexpr int kRecords = 100;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// What each application has received so far.
struct Tally {
  absl::Mutex mu;
  int received[2] ABSL_GUARDED_BY(mu) = {0, 0};
};

// Counts what one application receives. Runs on Brook's fan-out threads.
class CountingHandler : public brook::SubscriptionHandler {
 public:
  CountingHandler(Tally* tally, int app) : tally_(tally), app_(app) {}

  brook::Demand OnEvent(const brook::SubscribeToShardEvent& event) override {
    // A real application would process the records and checkpoint
    // event.continuation_sequence_number here. One that hands them to a
    // slower stage returns kPause when that stage is full, and calls
    // Subscription::Resume() when it has room: never block here.
    absl::MutexLock lock(&tally_->mu);
    tally_->received[app_] += static_cast<int>(event.records.size());
    return brook::Demand::kMore;
  }
  void OnEnd(const absl::Status& status) override {
    // OK means the 5-minute lifetime is over: subscribe again with
    // kAfterSequenceNumber and the last continuation number; or, after an
    // event with child shards, that the shard was resharded and read to its
    // end: go on with the children (see brook/shard_lineage.h).
    if (!status.ok()) std::cerr << "subscription ended: " << status << "\n";
  }

 private:
  Tally* const tally_;
  const int app_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  auto broker = brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());

  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = kShards;
  absl::Status created = (*broker)->CreateStream(create);
  if (!created.ok() && brook::ErrorNameOf(created) !=
                           brook::ErrorName::kResourceInUseException) {
    return Fail(created);
  }

  const std::string apps[] = {"billing", "analytics"};
  Tally tally;
  std::vector<std::unique_ptr<CountingHandler>> handlers;
  std::vector<std::unique_ptr<brook::Subscription>> subscriptions;
  for (int app = 0; app < 2; ++app) {
    brook::ConsumerRef existing;
    existing.stream = kStream;
    existing.consumer_name = apps[app];
    absl::StatusOr<brook::Consumer> consumer =
        (*broker)->DescribeStreamConsumer(existing);
    if (!consumer.ok()) {
      brook::RegisterStreamConsumerRequest registration;
      registration.stream = kStream;
      registration.consumer_name = apps[app];
      consumer = (*broker)->RegisterStreamConsumer(registration);
      if (!consumer.ok()) return Fail(consumer.status());
    }
    for (int shard = 0; shard < kShards; ++shard) {
      handlers.push_back(std::make_unique<CountingHandler>(&tally, app));
      brook::SubscribeToShardRequest subscribe;
      subscribe.consumer_arn = consumer->consumer_arn;
      subscribe.shard_id = absl::StrFormat("shardId-%012d", shard);
      subscribe.starting_position.type = brook::ShardIteratorType::kLatest;
      auto subscription =
          (*broker)->SubscribeToShard(subscribe, handlers.back().get());
      if (!subscription.ok()) return Fail(subscription.status());
      subscriptions.push_back(*std::move(subscription));
    }
  }

  for (int i = 0; i < kRecords; ++i) {
    brook::PutRecordRequest put;
    put.stream = kStream;
    put.partition_key = absl::StrCat("order-", i);
    put.data = absl::StrCat(R"({"order": )", i, "}");
    auto result = brook::PutRecordWithRetry(**broker, put);
    if (!result.ok()) return Fail(result.status());
  }

  // Wait until both applications have seen every record (pushed, not polled).
  {
    absl::MutexLock lock(&tally.mu);
    for (int app = 0; app < 2; ++app) {
      auto done = [&tally, app]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return tally.received[app] >= kRecords;
      };
      if (!tally.mu.AwaitWithTimeout(absl::Condition(&done),
                                     absl::Seconds(30))) {
        std::cerr << apps[app] << " received only " << tally.received[app]
                  << "\n";
        return 1;
      }
      std::cout << apps[app] << " received " << tally.received[app]
                << " records\n";
    }
  }
  subscriptions.clear();  // Cancel before the Broker goes.
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
