// The StreamMirror behind brook/stream_mirror.h: a Worker over the source
// stream whose record processors forward each shard's records through an
// OrderedBatcher, checkpointing the forwarded prefix after every answer.

#include "brook/stream_mirror.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "brook/error.h"
#include "brook/worker.h"
#include "common/backoff.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "mirror/ordered_batcher.h"

namespace brook {
namespace {

// Kinesis' PutRecords bounds.
constexpr int kMaxBatchRecords = 500;
constexpr size_t kMaxBatchBytes = size_t{5} << 20;
constexpr int kMaxRetentionHours = 8760;

// What the mirror's shards report, behind one lock.
class MirrorState {
 public:
  struct Shard {
    int64_t pending = 0;
    int64_t millis_behind = 0;
    absl::optional<absl::Time> oldest_pending;
    // The last two times a read found nothing new and nothing was pending,
    // in an unbroken run (see CaughtUpSince()).
    absl::optional<absl::Time> previous_tip;
    absl::optional<absl::Time> last_tip;
  };

  void Forwarded(int64_t records, int64_t bytes) {
    absl::MutexLock lock(&mu_);
    metrics_.records_forwarded += records;
    metrics_.bytes_forwarded += bytes;
    metrics_.destination_reachable = true;
  }
  void RequestFailed(const absl::Status& error) {
    absl::MutexLock lock(&mu_);
    ++metrics_.failed_requests;
    metrics_.last_error = error;
    metrics_.destination_reachable =
        error.code() != absl::StatusCode::kUnavailable;
  }
  void RecordsFailed(int64_t records, const absl::Status& error) {
    absl::MutexLock lock(&mu_);
    metrics_.failed_records += records;
    metrics_.last_error = error;
    metrics_.destination_reachable = true;
  }
  void ExpiredGap(const absl::Status& error) {
    absl::MutexLock lock(&mu_);
    ++metrics_.expired_gaps;
    metrics_.last_error = error;
  }
  void Report(const std::string& shard_id, const OrderedBatcher& batcher,
              int64_t millis_behind, bool at_tip, absl::Time now) {
    absl::MutexLock lock(&mu_);
    Shard& shard = shards_[shard_id];
    shard.pending = static_cast<int64_t>(batcher.pending());
    shard.oldest_pending = batcher.oldest_pending_arrival();
    shard.millis_behind = millis_behind;
    if (at_tip && shard.pending == 0) {
      shard.previous_tip = shard.last_tip;
      shard.last_tip = now;
    } else {
      shard.previous_tip.reset();
      shard.last_tip.reset();
    }
  }
  void Finished(const std::string& shard_id) {
    absl::MutexLock lock(&mu_);
    finished_.push_back(shard_id);
    shards_.erase(shard_id);
  }

  StreamMirrorMetrics Metrics(absl::Time now) const {
    absl::MutexLock lock(&mu_);
    StreamMirrorMetrics metrics = metrics_;
    for (const auto& [id, shard] : shards_) {
      metrics.records_pending += shard.pending;
      const int64_t lag =
          shard.oldest_pending.has_value()
              ? absl::ToInt64Milliseconds(now - *shard.oldest_pending)
              : shard.millis_behind;
      metrics.lag_millis = std::max(metrics.lag_millis, lag);
    }
    return metrics;
  }

  // Whether every shard of `shard_ids` has been read at its tip, with
  // nothing pending, by a read that started at or after `since`, or was
  // finished.
  bool CaughtUpSince(const std::vector<std::string>& shard_ids,
                     absl::Time since) const {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : shard_ids) {
      if (std::find(finished_.begin(), finished_.end(), id) !=
          finished_.end()) {
        continue;
      }
      auto it = shards_.find(id);
      // A read that returned after `previous_tip` started after it.
      if (it == shards_.end() || !it->second.previous_tip.has_value() ||
          *it->second.previous_tip < since) {
        return false;
      }
    }
    return true;
  }

 private:
  mutable absl::Mutex mu_;
  StreamMirrorMetrics metrics_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Shard> shards_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> finished_ ABSL_GUARDED_BY(mu_);
};

// Everything a shard's forwarder needs, owned by the mirror.
struct MirrorContext {
  Broker* source;
  Broker* destination;
  StreamMirrorOptions options;
  std::string destination_stream;
  MirrorState state;
  absl::Notification stop;
};

// Forwards one shard: each batch of records the Worker reads is sent in
// PutRecords requests until all of it has landed (or the mirror stops),
// and the forwarded prefix is checkpointed after every answer.
class ShardForwarder final : public RecordProcessor {
 public:
  explicit ShardForwarder(MirrorContext* context) : context_(context) {}

  void Initialize(const InitializationInput& input) override {
    shard_id_ = input.shard_id;
    if (input.checkpoint.has_value()) CheckResumePoint(*input.checkpoint);
  }

  void ProcessRecords(const ProcessRecordsInput& input,
                      Checkpointer& checkpointer) override {
    batcher_.Add(input.records);
    const bool at_tip =
        input.records.empty() && input.millis_behind_latest == 0;
    if (!at_tip) Report(input.millis_behind_latest, /*at_tip=*/false);
    while (batcher_.pending() > 0 && !context_->stop.HasBeenNotified()) {
      SendOneBatch();
      if (absl::optional<SequenceNumber> prefix =
              batcher_.TakeForwardedPrefix()) {
        unsaved_prefix_ = prefix;
      }
      if (absl::Now() >= next_checkpoint_) Checkpoint(checkpointer);
      Report(input.millis_behind_latest, /*at_tip=*/false);
      HoldRetention();
    }
    Checkpoint(checkpointer);
    Report(input.millis_behind_latest, at_tip);
  }

  void ShardEnded(Checkpointer& checkpointer) override {
    if (checkpointer.Checkpoint().ok()) context_->state.Finished(shard_id_);
  }

 private:
  void SendOneBatch() {
    const StreamMirrorOptions& options = context_->options;
    const std::vector<const Record*> batch =
        batcher_.Batch(static_cast<size_t>(options.max_batch_records),
                       options.max_batch_bytes);
    PutRecordsRequest request;
    request.stream = context_->destination_stream;
    request.records.reserve(batch.size());
    for (const Record* record : batch) {
      request.records.push_back(
          {record->partition_key, record->data, record->explicit_hash_key});
    }
    absl::StatusOr<PutRecordsResult> result =
        context_->destination->PutRecords(request);
    std::vector<bool> landed(batch.size(), false);
    if (!result.ok()) {
      context_->state.RequestFailed(result.status());
      batcher_.Complete(landed);
      Backoff();
      return;
    }
    int64_t bytes = 0;
    int64_t failed = 0;
    absl::Status failure;
    for (size_t i = 0; i < batch.size(); ++i) {
      landed[i] = result->records[i].status.ok();
      if (landed[i]) {
        bytes += static_cast<int64_t>(batch[i]->data.size() +
                                      batch[i]->partition_key.size());
      } else {
        ++failed;
        failure = result->records[i].status;
      }
    }
    batcher_.Complete(landed);
    context_->state.Forwarded(static_cast<int64_t>(batch.size()) - failed,
                              bytes);
    if (failed == 0) {
      retry_ = 0;
      return;
    }
    context_->state.RecordsFailed(failed, failure);
    Backoff();
  }

  // Saves the forwarded prefix in the source Broker, if it moved.
  void Checkpoint(Checkpointer& checkpointer) {
    if (!unsaved_prefix_.has_value()) return;
    // A failure is retried with the next prefix.
    if (checkpointer.Checkpoint(*unsaved_prefix_).ok()) unsaved_prefix_.reset();
    next_checkpoint_ = absl::Now() + context_->options.checkpoint_interval;
  }

  // Retention trims a shard from its oldest end, so the checkpointed
  // record is still there unless retention passed it; then the records
  // after it may have expired before they were forwarded.
  void CheckResumePoint(const SequenceNumber& checkpoint) {
    GetShardIteratorRequest at;
    at.stream = context_->options.source_stream;
    at.shard_id = shard_id_;
    at.shard_iterator_type = ShardIteratorType::kAtSequenceNumber;
    at.starting_sequence_number = checkpoint;
    absl::StatusOr<GetShardIteratorResult> iterator =
        context_->source->GetShardIterator(at);
    if (!iterator.ok()) return;
    absl::StatusOr<GetRecordsResult> first =
        context_->source->GetRecords({iterator->shard_iterator, 1});
    if (!first.ok() || (!first->records.empty() &&
                        first->records[0].sequence_number == checkpoint)) {
      return;
    }
    context_->state.ExpiredGap(MakeError(
        ErrorName::kInternalFailure,
        absl::StrCat("records of ", shard_id_, " after ", checkpoint.ToString(),
                     " may have expired before they were forwarded")));
  }

  // Keeps records waiting for the destination from expiring: doubles the
  // source's retention period once the oldest of them is half as old.
  void HoldRetention() {
    const StreamMirrorOptions& options = context_->options;
    const absl::optional<absl::Time> oldest = batcher_.oldest_pending_arrival();
    const absl::Time now = absl::Now();
    if (!options.hold_retention || !oldest.has_value() ||
        now < next_retention_check_) {
      return;
    }
    next_retention_check_ = now + absl::Minutes(1);
    absl::StatusOr<StreamDescriptionSummary> summary =
        context_->source->DescribeStreamSummary({options.source_stream});
    if (!summary.ok()) return;
    const int hours = summary->retention_period_hours;
    if (now - *oldest < absl::Hours(hours) / 2 ||
        hours >= options.max_retention_hours) {
      return;
    }
    const int raised = std::min(2 * hours, options.max_retention_hours);
    context_->source
        ->IncreaseStreamRetentionPeriod({options.source_stream, raised})
        .IgnoreError();  // Tried again in a minute.
  }

  // Waits before the next attempt, or until the mirror stops.
  void Backoff() {
    ++retry_;
    context_->stop.WaitForNotificationWithTimeout(
        BackoffPause(context_->options.backoff, retry_, random_));
  }

  void Report(int64_t millis_behind, bool at_tip) {
    context_->state.Report(shard_id_, batcher_, millis_behind, at_tip,
                           absl::Now());
  }

  MirrorContext* const context_;
  std::string shard_id_;
  OrderedBatcher batcher_;
  int retry_ = 0;
  absl::BitGen random_;
  absl::Time next_retention_check_ = absl::InfinitePast();
  // The forwarded prefix not checkpointed yet, and when to.
  absl::optional<SequenceNumber> unsaved_prefix_;
  absl::Time next_checkpoint_ = absl::InfinitePast();
};

class StreamMirrorImpl final : public StreamMirror {
 public:
  explicit StreamMirrorImpl(std::unique_ptr<MirrorContext> context)
      : context_(std::move(context)) {}
  ~StreamMirrorImpl() override { Stop().IgnoreError(); }

  absl::Status StartWorker() {
    WorkerOptions worker;
    worker.stream = context_->options.source_stream;
    worker.application_name = context_->options.application_name;
    worker.initial_position = ShardIteratorType::kTrimHorizon;
    worker.idle_time_between_reads = context_->options.idle_time_between_reads;
    worker.process_empty_batches = true;
    worker.backoff = context_->options.backoff;
    MirrorContext* context = context_.get();
    BROOK_ASSIGN_OR_RETURN(worker_,
                           Worker::Start(context->source, worker, [context] {
                             return std::make_unique<ShardForwarder>(context);
                           }));
    return absl::OkStatus();
  }

  StreamMirrorMetrics metrics() const override {
    return context_->state.Metrics(absl::Now());
  }

  bool WaitUntilCaughtUp(absl::Duration timeout) override {
    const absl::Time since = absl::Now();
    const absl::Time deadline = since + timeout;
    ListShardsRequest list;
    list.stream = context_->options.source_stream;
    ShardFilter open_now;
    open_now.type = ShardFilterType::kAtLatest;
    list.shard_filter = open_now;
    absl::StatusOr<ListShardsResult> open = context_->source->ListShards(list);
    if (!open.ok()) return false;
    std::vector<std::string> shard_ids;
    for (const Shard& shard : open->shards) shard_ids.push_back(shard.shard_id);
    while (!context_->state.CaughtUpSince(shard_ids, since)) {
      if (absl::Now() >= deadline ||
          context_->stop.WaitForNotificationWithTimeout(
              absl::Milliseconds(20))) {
        return false;
      }
    }
    return true;
  }

  absl::Status Stop() override {
    if (!context_->stop.HasBeenNotified()) context_->stop.Notify();
    if (worker_ == nullptr) return absl::OkStatus();
    return worker_->Stop();
  }

 private:
  std::unique_ptr<MirrorContext> context_;
  std::unique_ptr<Worker> worker_;
};

// Creates the destination stream like the source if it is missing.
absl::Status EnsureDestination(Broker& source, Broker& destination,
                               const StreamMirrorOptions& options,
                               const std::string& destination_stream) {
  absl::StatusOr<StreamDescriptionSummary> existing =
      destination.DescribeStreamSummary({destination_stream});
  if (existing.ok() ||
      ErrorNameOf(existing.status()) != ErrorName::kResourceNotFoundException ||
      !options.create_destination) {
    return existing.status();
  }
  BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary,
                         source.DescribeStreamSummary({options.source_stream}));
  CreateStreamRequest create;
  create.stream_name = destination_stream;
  create.shard_count = summary.open_shard_count;
  create.options.max_record_size_kib = summary.max_record_size_kib;
  absl::Status created = destination.CreateStream(create);
  // Another mirror may have created it meanwhile.
  if (ErrorNameOf(created) == ErrorName::kResourceInUseException) {
    return absl::OkStatus();
  }
  return created;
}

// The name part of a stream name or ARN.
std::string StreamNameOf(const std::string& stream) {
  const size_t slash = stream.rfind("stream/");
  return slash == std::string::npos ? stream : stream.substr(slash + 7);
}

}  // namespace

absl::Status StreamMirrorOptions::Validate() const {
  if (source_stream.empty())
    return InvalidArgument("source_stream is required");
  if (max_batch_records < 1 || max_batch_records > kMaxBatchRecords) {
    return InvalidArgument("max_batch_records must be between 1 and 500");
  }
  if (max_batch_bytes < 1 || max_batch_bytes > kMaxBatchBytes) {
    return InvalidArgument("max_batch_bytes must be between 1 and 5 MiB");
  }
  if (max_retention_hours < 24 || max_retention_hours > kMaxRetentionHours) {
    return InvalidArgument("max_retention_hours must be between 24 and 8760");
  }
  if (backoff.initial_backoff < absl::ZeroDuration() ||
      backoff.max_backoff < absl::ZeroDuration() ||
      idle_time_between_reads < absl::ZeroDuration() ||
      checkpoint_interval < absl::ZeroDuration()) {
    return InvalidArgument("durations must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StreamMirror>> StreamMirror::Start(
    Broker* source, Broker* destination, const StreamMirrorOptions& options) {
  if (source == nullptr || destination == nullptr) {
    return InvalidArgument("a source and a destination Broker are required");
  }
  BROOK_RETURN_IF_ERROR(options.Validate());
  auto context = std::make_unique<MirrorContext>();
  context->source = source;
  context->destination = destination;
  context->options = options;
  context->destination_stream = options.destination_stream.empty()
                                    ? StreamNameOf(options.source_stream)
                                    : options.destination_stream;
  BROOK_RETURN_IF_ERROR(EnsureDestination(*source, *destination, options,
                                          context->destination_stream));
  auto mirror = std::make_unique<StreamMirrorImpl>(std::move(context));
  BROOK_RETURN_IF_ERROR(mirror->StartWorker());
  return std::unique_ptr<StreamMirror>(std::move(mirror));
}

}  // namespace brook
