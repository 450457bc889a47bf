// The Worker behind brook/worker.h. A coordinating thread learns the
// stream's shards (ShardLineage, primed with the application's
// checkpoints), and starts one thread per shard that is ready; a shard
// thread feeds its processor until the shard ends, the Worker stops, or an
// error that retrying cannot fix ends it.

#include "brook/worker.h"

#include <cassert>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "brook/error.h"
#include "brook/shard_lineage.h"
#include "common/backoff.h"
#include "common/errors.h"
#include "worker/shard_feed.h"

namespace brook {
namespace {

absl::Status ValidateOptions(const WorkerOptions& options,
                             const RecordProcessorFactory& factory) {
  if (!factory)
    return InvalidArgument("a record processor factory is required");
  if (options.max_records < 1 || options.max_records > 10000) {
    return InvalidArgument(absl::StrCat(
        "max_records must be between 1 and 10000, got ", options.max_records));
  }
  switch (options.initial_position) {
    case ShardIteratorType::kTrimHorizon:
    case ShardIteratorType::kLatest:
      return absl::OkStatus();
    case ShardIteratorType::kAtTimestamp:
      if (options.initial_timestamp.has_value()) return absl::OkStatus();
      return InvalidArgument("initial position AT_TIMESTAMP needs a timestamp");
    case ShardIteratorType::kAtSequenceNumber:
    case ShardIteratorType::kAfterSequenceNumber:
      break;
  }
  return InvalidArgument(
      "the initial position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP");
}

// Where the application's checkpoints of the stream are kept: with the
// stream in the Broker read, or in WorkerOptions::checkpoint_broker under
// the remote stream's endpoint and ARN.
struct CheckpointPlace {
  Broker* broker;
  std::string stream;
  std::string remote_endpoint;  // Empty when `broker` serves the stream.

  GetCheckpointsRequest ListRequest(const std::string& application) const {
    return GetCheckpointsRequest{stream, application, remote_endpoint};
  }
};

absl::StatusOr<CheckpointPlace> PlaceCheckpoints(Broker* broker,
                                                 const WorkerOptions& options) {
  Broker* const keeper = options.checkpoint_broker;
  if (keeper == nullptr || keeper == broker) {
    return CheckpointPlace{broker, options.stream, ""};
  }
  std::string endpoint = broker->Endpoint();
  if (endpoint.empty()) {
    return InvalidArgument(
        "checkpoint_broker keeps the checkpoints of a stream another Broker "
        "serves, but the Broker read is local: leave it unset to keep them "
        "with the stream");
  }
  // The ARN, however the stream was named: one key for one stream.
  absl::StatusOr<StreamDescriptionSummary> summary =
      broker->DescribeStreamSummary({options.stream});
  if (!summary.ok()) return summary.status();
  return CheckpointPlace{keeper, summary->stream_arn, std::move(endpoint)};
}

// What a processor's Checkpointer writes to: the checkpoints of the
// application's CheckpointPlace.
class ShardCheckpointer final : public Checkpointer {
 public:
  ShardCheckpointer(const CheckpointPlace& place, const WorkerOptions& options,
                    std::string shard_id)
      : place_(place), options_(options), shard_id_(std::move(shard_id)) {}

  void set_last_handed_out(const SequenceNumber& number) { last_ = number; }
  void set_shard_ended() { shard_ended_ = true; }

  absl::Status Checkpoint() override {
    if (shard_ended_) return Put(SequenceNumber(), /*shard_end=*/true);
    if (!last_.has_value()) return absl::OkStatus();  // Nothing processed.
    return Put(*last_, /*shard_end=*/false);
  }
  absl::Status Checkpoint(const SequenceNumber& number) override {
    return Put(number, /*shard_end=*/false);
  }

 private:
  absl::Status Put(const SequenceNumber& number, bool shard_end) {
    PutCheckpointRequest request;
    request.stream = place_.stream;
    request.remote_endpoint = place_.remote_endpoint;
    request.application_name = options_.application_name;
    request.shard_id = shard_id_;
    request.sequence_number = number;
    request.shard_end = shard_end;
    return place_.broker->PutCheckpoint(request);
  }

  const CheckpointPlace& place_;
  const WorkerOptions& options_;
  const std::string shard_id_;
  absl::optional<SequenceNumber> last_;
  bool shard_ended_ = false;
};

class WorkerImpl final : public Worker {
 public:
  WorkerImpl(Broker* broker, const WorkerOptions& options,
             RecordProcessorFactory factory, std::string consumer_arn,
             CheckpointPlace checkpoint_place,
             std::vector<Checkpoint> checkpoints)
      : broker_(broker),
        options_(options),
        checkpoint_place_(std::move(checkpoint_place)),
        factory_(std::move(factory)),
        consumer_arn_(std::move(consumer_arn)),
        lineage_(broker, options.stream) {
    for (Checkpoint& checkpoint : checkpoints) {
      std::string shard_id = checkpoint.shard_id;
      checkpoints_.emplace(std::move(shard_id), std::move(checkpoint));
    }
    absl::MutexLock lock(&stop_mu_);
    coordinator_ = std::thread([this] { Coordinate(); });
  }

  ~WorkerImpl() override { Stop().IgnoreError(); }

  bool WaitUntilStopped(absl::Duration timeout) override {
    return stop_.WaitForNotificationWithTimeout(timeout);
  }

  absl::Status Stop() override {
    RequestStop();
    {
      absl::MutexLock lock(&stop_mu_);
      if (coordinator_.joinable()) coordinator_.join();
    }
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  // Ends every wait of the Worker's threads; callable more than once.
  void RequestStop() {
    std::call_once(stop_once_, [this] { stop_.Notify(); });
  }
  void Coordinate();
  // Starts a thread for every shard that is ready.
  void StartReadyShards() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void JoinFinishedShards() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ProcessShard(const std::string& shard_id);
  // Records an error that ends a shard, and stops the Worker.
  void Fail(const absl::Status& status);
  std::unique_ptr<ShardFeed> NewFeed(
      const std::string& shard_id, const absl::optional<SequenceNumber>& from);

  Broker* const broker_;
  const WorkerOptions options_;
  const CheckpointPlace checkpoint_place_;
  const RecordProcessorFactory factory_;
  const std::string consumer_arn_;  // For kFanOut.
  ShardLineage lineage_;
  std::once_flag stop_once_;
  absl::Notification stop_;
  // Read-only once the coordinator runs.
  std::map<std::string, Checkpoint> checkpoints_;

  // Held by Stop() until the coordinator has joined.
  absl::Mutex stop_mu_;
  std::thread coordinator_ ABSL_GUARDED_BY(stop_mu_);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::thread> shard_threads_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::string> finished_ ABSL_GUARDED_BY(mu_);
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

void WorkerImpl::Coordinate() {
  // Shards already finished before a restart are not read again.
  bool primed = false;
  absl::Time next_sync = absl::InfinitePast();
  while (!stop_.HasBeenNotified()) {
    if (absl::Now() >= next_sync) {
      if (absl::Status status = lineage_.Refresh(); !status.ok()) {
        if (!IsRetryable(status)) {
          Fail(status);
          break;
        }
      } else if (!primed) {
        for (const auto& [shard_id, checkpoint] : checkpoints_) {
          if (checkpoint.shard_end) lineage_.Finish(shard_id, {});
        }
        primed = true;
      }
      next_sync = absl::Now() + options_.shard_sync_interval;
    }
    absl::MutexLock lock(&mu_);
    JoinFinishedShards();
    if (primed) StartReadyShards();
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !finished_.empty() || stop_.HasBeenNotified();
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken),
                         std::min(options_.shard_sync_interval,
                                  options_.idle_time_between_reads));
  }
  // Stopping: every shard thread ends after its processor's Shutdown().
  absl::flat_hash_map<std::string, std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(shard_threads_);
  }
  for (auto& [shard_id, thread] : threads) thread.join();
}

void WorkerImpl::StartReadyShards() {
  while (absl::optional<std::string> shard_id = lineage_.Acquire()) {
    // A shard thread hands its shard back only once a stop was requested,
    // and stays in shard_threads_ until it is joined: starting that shard
    // again would replace a joinable thread (std::terminate).
    if (stop_.HasBeenNotified()) return;
    std::string id = *shard_id;
    auto [slot, added] = shard_threads_.try_emplace(id);
    assert(added);
    slot->second = std::thread([this, id] {
      ProcessShard(id);
      absl::MutexLock lock(&mu_);
      finished_.push_back(id);
    });
  }
}

void WorkerImpl::JoinFinishedShards() {
  std::vector<std::string> finished;
  finished.swap(finished_);
  for (const std::string& shard_id : finished) {
    auto it = shard_threads_.find(shard_id);
    std::thread thread = std::move(it->second);
    shard_threads_.erase(it);
    // The thread has reported itself finished and is returning; join it
    // without the lock, which other shard threads may need meanwhile.
    mu_.Unlock();
    thread.join();
    mu_.Lock();
  }
}

std::unique_ptr<ShardFeed> WorkerImpl::NewFeed(
    const std::string& shard_id, const absl::optional<SequenceNumber>& from) {
  StartingPosition start;
  if (from.has_value()) {
    start.type = ShardIteratorType::kAfterSequenceNumber;
    start.sequence_number = *from;
  } else {
    start.type = options_.initial_position;
    start.timestamp = options_.initial_timestamp;
  }
  if (options_.consumer_type == ConsumerType::kFanOut) {
    return NewFanOutFeed(broker_, options_, consumer_arn_, shard_id, start,
                         &stop_);
  }
  return NewPollingFeed(broker_, options_, shard_id, start, &stop_);
}

void WorkerImpl::ProcessShard(const std::string& shard_id) {
  InitializationInput init;
  init.shard_id = shard_id;
  auto checkpoint = checkpoints_.find(shard_id);
  if (checkpoint != checkpoints_.end() && !checkpoint->second.shard_end) {
    init.checkpoint = checkpoint->second.sequence_number;
  }
  std::unique_ptr<RecordProcessor> processor = factory_();
  ShardCheckpointer checkpointer(checkpoint_place_, options_, shard_id);
  processor->Initialize(init);
  std::unique_ptr<ShardFeed> feed = NewFeed(shard_id, init.checkpoint);
  for (;;) {
    absl::StatusOr<FeedBatch> batch = feed->Next();
    if (!batch.ok()) {
      Fail(batch.status());
      break;
    }
    if (!batch->records.empty() || options_.process_empty_batches) {
      if (!batch->records.empty()) {
        checkpointer.set_last_handed_out(batch->records.back().sequence_number);
      }
      ProcessRecordsInput input;
      input.shard_id = shard_id;
      input.records = std::move(batch->records);
      input.millis_behind_latest = batch->millis_behind_latest;
      processor->ProcessRecords(input, checkpointer);
    }
    if (batch->shard_ended) {
      checkpointer.set_shard_ended();
      processor->ShardEnded(checkpointer);
      lineage_.Finish(shard_id, batch->child_shards);
      return;
    }
    if (stop_.HasBeenNotified()) break;
  }
  processor->Shutdown(checkpointer);
  lineage_.Release(shard_id);
}

void WorkerImpl::Fail(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (first_error_.ok()) first_error_ = status;
  }
  RequestStop();
}

// The consumer ARN of the application, registering it first if needed.
absl::StatusOr<std::string> FanOutConsumerArn(Broker* broker,
                                              const WorkerOptions& options) {
  ConsumerRef ref;
  ref.stream = options.stream;
  ref.consumer_name = options.application_name;
  absl::StatusOr<Consumer> consumer = broker->DescribeStreamConsumer(ref);
  if (!consumer.ok() &&
      ErrorNameOf(consumer.status()) == ErrorName::kResourceNotFoundException) {
    RegisterStreamConsumerRequest request;
    request.stream = options.stream;
    request.consumer_name = options.application_name;
    consumer = broker->RegisterStreamConsumer(request);
  }
  if (!consumer.ok()) return consumer.status();
  return consumer->consumer_arn;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Worker>> Worker::Start(
    Broker* broker, const WorkerOptions& options,
    RecordProcessorFactory factory) {
  if (absl::Status status = ValidateOptions(options, factory); !status.ok()) {
    return status;
  }
  absl::StatusOr<CheckpointPlace> place = PlaceCheckpoints(broker, options);
  if (!place.ok()) return place.status();
  // Checks the stream and the application name too.
  absl::StatusOr<GetCheckpointsResult> checkpoints =
      place->broker->GetCheckpoints(
          place->ListRequest(options.application_name));
  if (!checkpoints.ok()) return checkpoints.status();
  std::string consumer_arn;
  if (options.consumer_type == ConsumerType::kFanOut) {
    absl::StatusOr<std::string> arn = FanOutConsumerArn(broker, options);
    if (!arn.ok()) return arn.status();
    consumer_arn = *std::move(arn);
  }
  return std::unique_ptr<Worker>(new WorkerImpl(
      broker, options, std::move(factory), std::move(consumer_arn),
      *std::move(place), std::move(checkpoints->checkpoints)));
}

}  // namespace brook
