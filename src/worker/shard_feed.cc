#include "worker/shard_feed.h"

#include <deque>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"
#include "common/backoff.h"

namespace brook {
namespace {

// Events a fan-out handler may hold before it makes Brook's fan-out thread
// wait for the Worker's shard thread.
constexpr size_t kMaxQueuedEvents = 2;

StartingPosition After(const SequenceNumber& number) {
  StartingPosition position;
  position.type = ShardIteratorType::kAfterSequenceNumber;
  position.sequence_number = number;
  return position;
}

// Backoff between failed attempts, ended early by `stop`.
class Retrier {
 public:
  Retrier(const RetryOptions& options, const absl::Notification* stop)
      : options_(options), stop_(stop) {}

  // Waits before the next attempt; false once stopped.
  bool Wait() {
    return !stop_->WaitForNotificationWithTimeout(
        BackoffPause(options_, ++retries_, random_));
  }
  void Succeeded() { retries_ = 0; }

 private:
  const RetryOptions options_;
  const absl::Notification* const stop_;
  absl::BitGen random_;
  int retries_ = 0;
};

class PollingFeed final : public ShardFeed {
 public:
  PollingFeed(Broker* broker, const WorkerOptions& options,
              std::string shard_id, StartingPosition start,
              const absl::Notification* stop)
      : broker_(broker),
        options_(options),
        shard_id_(std::move(shard_id)),
        position_(std::move(start)),
        stop_(stop),
        retrier_(options.backoff, stop) {}

  absl::StatusOr<FeedBatch> Next() override {
    while (!stop_->HasBeenNotified()) {
      absl::Status status = EnsureIterator();
      if (status.ok()) {
        GetRecordsRequest request;
        request.shard_iterator = iterator_;
        request.limit = options_.max_records;
        absl::StatusOr<GetRecordsResult> result = broker_->GetRecords(request);
        if (result.ok()) {
          retrier_.Succeeded();
          return Advance(*std::move(result));
        }
        status = result.status();
      }
      if (ErrorNameOf(status) == ErrorName::kExpiredIteratorException) {
        iterator_.clear();  // Continue from position_ with a new one.
        continue;
      }
      if (!IsRetryable(status)) return status;
      if (!retrier_.Wait()) break;
    }
    return FeedBatch();
  }

 private:
  absl::Status EnsureIterator() {
    if (!iterator_.empty()) return absl::OkStatus();
    GetShardIteratorRequest request;
    request.stream = options_.stream;
    request.shard_id = shard_id_;
    request.shard_iterator_type = position_.type;
    request.starting_sequence_number = position_.sequence_number;
    request.timestamp = position_.timestamp;
    absl::StatusOr<GetShardIteratorResult> result =
        broker_->GetShardIterator(request);
    if (!result.ok()) return result.status();
    iterator_ = std::move(result->shard_iterator);
    return absl::OkStatus();
  }

  FeedBatch Advance(GetRecordsResult result) {
    FeedBatch batch;
    if (!result.records.empty()) {
      position_ = After(result.records.back().sequence_number);
    }
    iterator_ = std::move(result.next_shard_iterator);
    batch.shard_ended = iterator_.empty();
    batch.child_shards = std::move(result.child_shards);
    batch.millis_behind_latest = result.millis_behind_latest;
    batch.records = std::move(result.records);
    if (batch.records.empty() && !batch.shard_ended) {
      // Caught up: give the shard's read limits a rest.
      stop_->WaitForNotificationWithTimeout(options_.idle_time_between_reads);
    }
    return batch;
  }

  Broker* const broker_;
  const WorkerOptions options_;
  const std::string shard_id_;
  StartingPosition position_;  // Of the next record to return.
  std::string iterator_;       // Empty: get one at position_.
  const absl::Notification* const stop_;
  Retrier retrier_;
};

// Receives a subscription's events for a FanOutFeed, holding a few; when
// they are not taken, pauses the subscription rather than the fan-out
// thread, which other subscriptions share.
class EventQueue final : public SubscriptionHandler {
 public:
  Demand OnEvent(const SubscribeToShardEvent& event) override {
    absl::MutexLock lock(&mu_);
    if (closing_) return Demand::kMore;
    events_.push_back(event);
    if (events_.size() < kMaxQueuedEvents) return Demand::kMore;
    paused_ = true;
    return Demand::kPause;
  }

  void OnEnd(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    end_ = status;
  }

  // An event, or the end, within `timeout`; neither when it passes. Taking
  // an event resumes `subscription` if the queue had paused it.
  void Take(Subscription* subscription, absl::Duration timeout,
            absl::optional<SubscribeToShardEvent>* event,
            absl::optional<absl::Status>* end) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !events_.empty() || end_.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    if (!events_.empty()) {
      *event = std::move(events_.front());
      events_.pop_front();
      if (paused_) {
        paused_ = false;
        subscription->Resume();  // Posts; never waits.
      }
    } else {
      *end = end_;
    }
  }

  // Drops what is held, so that the subscription can be cancelled.
  void Close() {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    events_.clear();
  }

 private:
  absl::Mutex mu_;
  std::deque<SubscribeToShardEvent> events_ ABSL_GUARDED_BY(mu_);
  absl::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
};

class FanOutFeed final : public ShardFeed {
 public:
  FanOutFeed(Broker* broker, const WorkerOptions& options,
             std::string consumer_arn, std::string shard_id,
             StartingPosition start, const absl::Notification* stop)
      : broker_(broker),
        options_(options),
        consumer_arn_(std::move(consumer_arn)),
        shard_id_(std::move(shard_id)),
        position_(std::move(start)),
        stop_(stop),
        retrier_(options.backoff, stop) {}

  ~FanOutFeed() override { Unsubscribe(); }

  absl::StatusOr<FeedBatch> Next() override {
    while (!stop_->HasBeenNotified()) {
      if (subscription_ == nullptr) {
        absl::Status status = Subscribe();
        if (status.ok()) {
          retrier_.Succeeded();
        } else if (!Retryable(status)) {
          return status;
        } else if (!retrier_.Wait()) {
          break;
        }
        continue;
      }
      absl::optional<SubscribeToShardEvent> event;
      absl::optional<absl::Status> end;
      queue_->Take(subscription_.get(), options_.idle_time_between_reads,
                   &event, &end);
      if (event.has_value()) return Advance(*std::move(event));
      if (!end.has_value()) return FeedBatch();  // Nothing for a while.
      Unsubscribe();
      // OK: the lifetime is over; resubscribe from position_.
      if (!end->ok() && !Retryable(*end)) return *end;
      if (!end->ok() && !retrier_.Wait()) break;
    }
    return FeedBatch();
  }

 private:
  // Besides the retryable errors, a subscription refused or taken over by
  // Kinesis' per-consumer rules is worth another attempt.
  static bool Retryable(const absl::Status& status) {
    const ErrorName name = ErrorNameOf(status);
    return IsRetryable(status) || name == ErrorName::kLimitExceededException ||
           name == ErrorName::kResourceInUseException;
  }

  absl::Status Subscribe() {
    auto queue = std::make_unique<EventQueue>();
    SubscribeToShardRequest request;
    request.consumer_arn = consumer_arn_;
    request.shard_id = shard_id_;
    request.starting_position = position_;
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        broker_->SubscribeToShard(request, queue.get());
    if (!subscription.ok()) return subscription.status();
    queue_ = std::move(queue);
    subscription_ = *std::move(subscription);
    return absl::OkStatus();
  }

  void Unsubscribe() {
    if (subscription_ == nullptr) return;
    queue_->Close();
    subscription_->Cancel();
    subscription_.reset();
    queue_.reset();
  }

  FeedBatch Advance(SubscribeToShardEvent event) {
    position_ = After(event.continuation_sequence_number);
    FeedBatch batch;
    batch.millis_behind_latest = event.millis_behind_latest;
    batch.shard_ended = !event.child_shards.empty();
    batch.child_shards = std::move(event.child_shards);
    batch.records = std::move(event.records);
    return batch;
  }

  Broker* const broker_;
  const WorkerOptions options_;
  const std::string consumer_arn_;
  const std::string shard_id_;
  StartingPosition position_;  // Of the next record to return.
  const absl::Notification* const stop_;
  Retrier retrier_;
  std::unique_ptr<EventQueue> queue_;  // Outlives subscription_.
  std::unique_ptr<Subscription> subscription_;
};

}  // namespace

std::unique_ptr<ShardFeed> NewPollingFeed(Broker* broker,
                                          const WorkerOptions& options,
                                          std::string shard_id,
                                          StartingPosition start,
                                          const absl::Notification* stop) {
  return std::make_unique<PollingFeed>(broker, options, std::move(shard_id),
                                       std::move(start), stop);
}

std::unique_ptr<ShardFeed> NewFanOutFeed(Broker* broker,
                                         const WorkerOptions& options,
                                         std::string consumer_arn,
                                         std::string shard_id,
                                         StartingPosition start,
                                         const absl::Notification* stop) {
  return std::make_unique<FanOutFeed>(broker, options, std::move(consumer_arn),
                                      std::move(shard_id), std::move(start),
                                      stop);
}

}  // namespace brook
