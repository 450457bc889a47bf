// Enhanced fan-out delivery. The service owns an asio io_context and its
// threads; each subscription is a small state machine on its own strand:
//
//   pump: lifetime over?        -> end (OK)
//         consumer or stream gone? -> end (ResourceNotFoundException)
//         paused by its handler? -> wait for Subscription::Resume()
//         out of read credit?   -> wait for the next tick
//         records past position -> read up to 10,000 / 2 MiB, deliver,
//                                  pump again
//         closed shard read to its end -> deliver the last event, with the
//                                  child shards, and end (OK)
//         idle for 5 s?         -> deliver an empty event (heartbeat)
//         otherwise             -> watch the shard's watermark; its next
//                                  publication pumps again
//
// The handler runs on the strand, so a subscription whose handler has not
// returned is given nothing more, and memory per subscription is one event.
// Handlers must not block: the service's threads serve every subscription.
// A handler whose reader is behind returns Demand::kPause instead, which
// parks only its own subscription, until Resume() posts a pump to its
// strand.
// A tick (every 100 ms of real time) pumps every subscription, so that
// lifetimes, heartbeats and throughput credit follow the Broker's clock,
// injected or not.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: Stop() (or the destructor) ends every subscription and joins the
// threads; `log` and the clock must outlive the service.

#ifndef BROOK_CONSUMERS_FAN_OUT_H_
#define BROOK_CONSUMERS_FAN_OUT_H_

#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "brook/clock.h"
#include "brook/consumers.h"
#include "brook/metrics.h"
#include "catalog/stream_state.h"
#include "consumers/consumer_registry.h"
#include "storage/shard_log.h"

namespace brook {

class SubscriptionCore;

struct FanOutOptions {
  int threads = 2;
  absl::Duration subscription_lifetime = absl::Minutes(5);
  Clock* clock = nullptr;
};

class FanOutService {
 public:
  FanOutService(const ShardLog* log, const FanOutOptions& options);
  ~FanOutService();
  FanOutService(const FanOutService&) = delete;
  FanOutService& operator=(const FanOutService&) = delete;

  // Starts the threads and the tick.
  void Start();

  // FanOutService::Subscribe()
  //
  // Applies Kinesis' rules for the consumer and shard — more than one call
  // per second fails with LimitExceededException; a call within 5 s of the
  // last successful one fails with ResourceInUseException; a later one takes
  // over, ending the old subscription with ResourceInUseException — then
  // starts delivering records from `start_counter` to `handler`.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      std::shared_ptr<StreamState> stream, ShardState* shard,
      std::shared_ptr<ConsumerState> consumer, uint64_t start_counter,
      SubscriptionHandler* handler);

  // Ends the subscriptions of a consumer, or of all consumers of a stream,
  // with `status`.
  void EndConsumer(const ConsumerState* consumer, const absl::Status& status);
  void EndStream(uint32_t stream_id, const absl::Status& status);

  // FanOutService::Lags()
  //
  // One entry per live subscription: its stream, consumer and shard and
  // the MillisBehindLatest of the last event it was served, in (stream,
  // consumer, shard) order.
  std::vector<ConsumerShardLag> Lags();

  // Ends every subscription with InternalFailure, runs their last
  // callbacks, and joins the threads. Idempotent.
  void Stop();

 private:
  // The Kinesis rules' memory for one consumer and shard.
  struct Slot {
    uint32_t stream_id = 0;
    absl::Time last_call = absl::InfinitePast();
    absl::Time last_success = absl::InfinitePast();
    std::weak_ptr<SubscriptionCore> active;
  };
  // (ConsumerState::id(), shard index).
  using SlotKey = std::pair<uint64_t, uint32_t>;

  void ScheduleTick();
  void Tick();
  // Ends the active subscriptions of the slots (key and value) matching
  // `matches`, and forgets those slots.
  template <typename Matches>
  void EndSlots(Matches matches, const absl::Status& status);

  const ShardLog* const log_;
  const FanOutOptions options_;
  // Shared with every subscription, so that a Subscription destroyed after
  // the service still finds its strand's io_context.
  std::shared_ptr<boost::asio::io_context> io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  // The tick's timer and its handlers live on one strand.
  boost::asio::strand<boost::asio::io_context::executor_type> tick_strand_;
  boost::asio::steady_timer tick_timer_;
  std::vector<std::thread> threads_;

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<SlotKey, Slot> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<std::weak_ptr<SubscriptionCore>> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_CONSUMERS_FAN_OUT_H_
