#include "consumers/fan_out.h"

#include <algorithm>
#include <atomic>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "catalog/shard_reader.h"
#include "common/errors.h"
#include "common/shard_ref.h"
#include "limits/token_bucket.h"

namespace brook {
namespace {

constexpr absl::Duration kHeartbeatInterval = absl::Seconds(5);
constexpr absl::Duration kTakeoverAfter = absl::Seconds(5);
constexpr absl::Duration kMinCallInterval = absl::Seconds(1);
constexpr auto kTickInterval = std::chrono::milliseconds(100);
constexpr size_t kMaxEventRecords = 10000;
constexpr size_t kMaxEventBytes = size_t{2} << 20;

}  // namespace

// One subscription's state machine; see fan_out.h. Owned by its
// Subscription handle and by the service's slot; posted work holds only
// weak references, so that neither the io_context nor a shard's watchers
// keep a cancelled subscription alive.
class SubscriptionCore : public std::enable_shared_from_this<SubscriptionCore> {
 public:
  SubscriptionCore(std::shared_ptr<boost::asio::io_context> io,
                   const ShardLog* log, Clock* clock, absl::Duration lifetime,
                   std::shared_ptr<StreamState> stream, ShardState* shard,
                   std::shared_ptr<ConsumerState> consumer,
                   uint64_t start_counter, SubscriptionHandler* handler)
      : io_(std::move(io)),
        strand_(boost::asio::make_strand(*io_)),
        log_(log),
        clock_(clock),
        stream_(std::move(stream)),
        shard_(shard),
        consumer_(std::move(consumer)),
        handler_(handler),
        deadline_(clock->Now() + lifetime),
        position_(start_counter),
        last_event_(clock->Now()),
        bucket_(shard->limiter().NewFanOutBucket(clock->Now())) {}

  const ConsumerState* consumer() const { return consumer_.get(); }
  uint32_t stream_id() const { return stream_->id(); }

  // Where the subscription is, and how far behind its last event was.
  ConsumerShardLag Lag() const {
    return ConsumerShardLag{
        stream_->name(), consumer_->name(),
        ShardIdOf(shard_->ref().shard_index),
        millis_behind_latest_.load(std::memory_order_relaxed)};
  }

  // Runs Pump() on the strand.
  void Schedule() {
    boost::asio::post(strand_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->Pump();
    });
  }

  // Ends the subscription: OnEnd(status) runs on the strand unless Cancel()
  // comes first. Never blocks, so it may be called from any handler.
  void End(absl::Status status) {
    {
      absl::MutexLock lock(&state_mu_);
      if (state_ != State::kLive) return;
      state_ = State::kEnding;
      end_status_ = std::move(status);
    }
    boost::asio::post(strand_, [self = shared_from_this()] {
      absl::MutexLock handler_lock(&self->handler_mu_);
      absl::Status status;
      {
        absl::MutexLock lock(&self->state_mu_);
        if (self->state_ != State::kEnding) return;
        self->state_ = State::kEnded;
        status = self->end_status_;
      }
      self->handler_->OnEnd(status);
    });
  }

  void Cancel() {
    {
      absl::MutexLock lock(&state_mu_);
      state_ = State::kEnded;
    }
    // Waits for a handler call already running.
    absl::MutexLock handler_lock(&handler_mu_);
  }

  // Ends a pause the handler asked for, on the strand: after the Pump()
  // whose event paused it, whichever thread calls.
  void Resume() {
    boost::asio::post(strand_, [weak = weak_from_this()] {
      if (auto self = weak.lock(); self != nullptr && self->paused_) {
        self->paused_ = false;
        self->Pump();
      }
    });
  }

  bool live() const {
    absl::MutexLock lock(&state_mu_);
    return state_ == State::kLive;
  }

 private:
  enum class State { kLive, kEnding, kEnded };

  void Pump();
  // Hands `event` to the handler; a handler that asks for a pause gets
  // nothing more until Resume().
  void Deliver(const SubscribeToShardEvent& event);
  void WatchShard();

  const std::shared_ptr<boost::asio::io_context> io_;  // Outlives strand_.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  const ShardLog* const log_;
  Clock* const clock_;
  const std::shared_ptr<StreamState> stream_;
  ShardState* const shard_;
  const std::shared_ptr<ConsumerState> consumer_;
  SubscriptionHandler* const handler_;
  const absl::Time deadline_;

  // Touched only on the strand.
  uint64_t position_;
  absl::Time last_event_;
  TokenBucket bucket_;
  bool watching_ = false;
  bool paused_ = false;  // The handler returned Demand::kPause.
  // Of the last event delivered; written on the strand, read by Lag().
  std::atomic<int64_t> millis_behind_latest_{0};

  mutable absl::Mutex state_mu_ ABSL_ACQUIRED_AFTER(handler_mu_);
  State state_ ABSL_GUARDED_BY(state_mu_) = State::kLive;
  absl::Status end_status_ ABSL_GUARDED_BY(state_mu_);
  // Held while the handler runs, so that Cancel() can wait for it.
  absl::Mutex handler_mu_;
};

void SubscriptionCore::Pump() {
  if (!live()) return;
  const absl::Time now = clock_->Now();
  if (now >= deadline_) {
    End(absl::OkStatus());
    return;
  }
  if (consumer_->deleted() || stream_->deleted()) {
    End(
        ResourceNotFound("the consumer was deregistered or its stream "
                         "deleted"));
    return;
  }
  if (paused_) return;                  // Resume() pumps again.
  if (!bucket_.HasCredit(now)) return;  // The next tick tries again.

  const ShardRef shard = shard_->ref();
  absl::StatusOr<VisibleRead> read =
      ReadVisible(*log_, *stream_, *shard_, position_, kMaxEventRecords,
                  kMaxEventBytes, now);
  if (!read.ok()) {
    End(read.status());
    return;
  }
  position_ = read->read.next_counter;
  if (!read->read.records.empty() || read->reached_end) {
    int64_t bytes = 0;
    for (const Record& record : read->read.records) {
      bytes += record.partition_key.size() + record.data.size();
    }
    bucket_.Charge(bytes, now);
    SubscribeToShardEvent event;
    event.records = std::move(read->read.records);
    event.continuation_sequence_number =
        MakeSequenceNumber(position_ - 1, shard);
    event.millis_behind_latest = read->millis_behind_latest;
    if (read->reached_end) {
      event.child_shards = stream_->ChildShardsOf(shard.shard_index);
    }
    Deliver(event);
    if (read->reached_end) {
      End(absl::OkStatus());
      return;
    }
    last_event_ = now;
    if (!paused_) Schedule();
    return;
  }
  if (now - last_event_ >= kHeartbeatInterval) {
    SubscribeToShardEvent heartbeat;
    heartbeat.continuation_sequence_number =
        MakeSequenceNumber(position_ - 1, shard);
    Deliver(heartbeat);
    last_event_ = now;
    if (paused_) return;
  }
  WatchShard();
}

void SubscriptionCore::Deliver(const SubscribeToShardEvent& event) {
  absl::MutexLock handler_lock(&handler_mu_);
  if (!live()) return;
  millis_behind_latest_.store(event.millis_behind_latest,
                              std::memory_order_relaxed);
  if (handler_->OnEvent(event) == Demand::kPause) paused_ = true;
}

void SubscriptionCore::WatchShard() {
  if (!watching_) {
    watching_ = true;
    shard_->WatchOnce([weak = weak_from_this()] {
      auto self = weak.lock();
      if (self == nullptr) return;
      boost::asio::post(self->strand_, [weak] {
        if (auto self = weak.lock()) {
          self->watching_ = false;
          self->Pump();
        }
      });
    });
  }
  // A publication between the read above and the registration would not
  // wake us: look once more.
  if (shard_->last_visible_counter() >= position_) Schedule();
}

namespace {

class SubscriptionHandle final : public Subscription {
 public:
  explicit SubscriptionHandle(std::shared_ptr<SubscriptionCore> core)
      : core_(std::move(core)) {}
  ~SubscriptionHandle() override { Cancel(); }
  void Cancel() override { core_->Cancel(); }
  void Resume() override { core_->Resume(); }

 private:
  std::shared_ptr<SubscriptionCore> core_;
};

}  // namespace

FanOutService::FanOutService(const ShardLog* log, const FanOutOptions& options)
    : log_(log),
      options_(options),
      io_(std::make_shared<boost::asio::io_context>()),
      work_(boost::asio::make_work_guard(*io_)),
      tick_strand_(boost::asio::make_strand(*io_)),
      tick_timer_(tick_strand_) {}

FanOutService::~FanOutService() { Stop(); }

void FanOutService::Start() {
  ScheduleTick();
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] { io_->run(); });
  }
}

void FanOutService::ScheduleTick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) Tick();
  });
}

void FanOutService::Tick() {
  std::vector<std::shared_ptr<SubscriptionCore>> live;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    auto alive = [&](const std::weak_ptr<SubscriptionCore>& weak) {
      std::shared_ptr<SubscriptionCore> core = weak.lock();
      if (core == nullptr || !core->live()) return false;
      live.push_back(std::move(core));
      return true;
    };
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [&](const auto& weak) { return !alive(weak); }),
                live_.end());
    ScheduleTick();
  }
  for (const auto& core : live) core->Schedule();
}

absl::StatusOr<std::unique_ptr<Subscription>> FanOutService::Subscribe(
    std::shared_ptr<StreamState> stream, ShardState* shard,
    std::shared_ptr<ConsumerState> consumer, uint64_t start_counter,
    SubscriptionHandler* handler) {
  const absl::Time now = options_.clock->Now();
  const std::string shard_id = ShardIdOf(shard->ref().shard_index);
  std::shared_ptr<SubscriptionCore> replaced;
  std::shared_ptr<SubscriptionCore> core;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return InternalFailure("the broker is closed");
    Slot& slot = slots_[SlotKey(consumer->id(), shard->ref().shard_index)];
    slot.stream_id = stream->id();
    const absl::Time last_call = slot.last_call;
    slot.last_call = now;
    if (now - last_call < kMinCallInterval) {
      return LimitExceeded(absl::StrCat("consumer '", consumer->name(),
                                        "' may call SubscribeToShard on ",
                                        shard_id, " at most once per second"));
    }
    replaced = slot.active.lock();
    if (replaced != nullptr && replaced->live() &&
        now - slot.last_success < kTakeoverAfter) {
      return ResourceInUse(absl::StrCat("consumer '", consumer->name(),
                                        "' subscribed to ", shard_id,
                                        " less than 5 seconds ago"));
    }
    core = std::make_shared<SubscriptionCore>(
        io_, log_, options_.clock, options_.subscription_lifetime,
        std::move(stream), shard, std::move(consumer), start_counter, handler);
    slot.active = core;
    slot.last_success = now;
    live_.push_back(core);
  }
  if (replaced != nullptr) {
    replaced->End(ResourceInUse(
        absl::StrCat("another SubscribeToShard took over ", shard_id)));
  }
  core->Schedule();
  return std::unique_ptr<Subscription>(new SubscriptionHandle(core));
}

std::vector<ConsumerShardLag> FanOutService::Lags() {
  std::vector<ConsumerShardLag> lags;
  {
    absl::MutexLock lock(&mu_);
    for (const std::weak_ptr<SubscriptionCore>& weak : live_) {
      std::shared_ptr<SubscriptionCore> core = weak.lock();
      if (core != nullptr && core->live()) lags.push_back(core->Lag());
    }
  }
  std::sort(lags.begin(), lags.end(),
            [](const ConsumerShardLag& a, const ConsumerShardLag& b) {
              return std::tie(a.stream, a.consumer_name, a.shard_id) <
                     std::tie(b.stream, b.consumer_name, b.shard_id);
            });
  return lags;
}

template <typename Matches>
void FanOutService::EndSlots(Matches matches, const absl::Status& status) {
  std::vector<std::shared_ptr<SubscriptionCore>> ending;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (!matches(it->first, it->second)) {
        ++it;
        continue;
      }
      if (auto core = it->second.active.lock()) ending.push_back(core);
      slots_.erase(it++);
    }
  }
  for (const auto& core : ending) core->End(status);
}

void FanOutService::EndConsumer(const ConsumerState* consumer,
                                const absl::Status& status) {
  EndSlots([id = consumer->id()](const SlotKey& key,
                                 const Slot&) { return key.first == id; },
           status);
}

void FanOutService::EndStream(uint32_t stream_id, const absl::Status& status) {
  EndSlots(
      [stream_id](const SlotKey&, const Slot& slot) {
        return slot.stream_id == stream_id;
      },
      status);
}

void FanOutService::Stop() {
  std::vector<std::shared_ptr<SubscriptionCore>> ending;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    for (const auto& weak : live_) {
      if (auto core = weak.lock()) ending.push_back(core);
    }
    live_.clear();
    slots_.clear();
  }
  for (const auto& core : ending) {
    core->End(InternalFailure("the broker is closed"));
  }
  ending.clear();
  // Let the queued work (the OnEnd calls above) run, then let run() return.
  boost::asio::post(tick_strand_, [this] { tick_timer_.cancel(); });
  work_.reset();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace brook
