#include "write/commit_pipeline.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/encrypted_batch.h"
#include "storage/meta_reader.h"

namespace brook {
namespace {

// Counters reserved per synced reservation write. A crash skips at most this
// many numbers; 2^64 leaves room for 2^42 such crashes.
constexpr uint64_t kReservationStep = uint64_t{1} << 22;

// What a queued record costs besides its bytes (the PendingRecord and its
// outcome), so that empty records still count against the memory bound.
constexpr size_t kRecordOverheadBytes = 96;

size_t RequestBytes(const WriteRequest& request) {
  size_t bytes = 0;
  for (const PendingRecord& record : request.records) {
    bytes +=
        record.partition_key.size() + record.data.size() + kRecordOverheadBytes;
  }
  return bytes;
}

}  // namespace

// The records of one group that go to one shard, in queue order.
struct CommitPipeline::ShardRun {
  ShardState* shard = nullptr;
  // The key that seals the run's batch; nullopt: stored in plaintext.
  absl::optional<SealingKey> sealing;
  std::vector<RecordView> records;
  std::vector<RecordOutcome*> outcomes;
};

// A group whose batch was written, waiting for its sync.
struct CommitPipeline::WrittenGroup {
  std::vector<WriteRequest> requests;
  std::vector<std::vector<RecordOutcome>> outcomes;
  // What to publish once durable: each shard's last counter and traffic.
  struct Publication {
    ShardState* shard;
    uint64_t last_counter;
    int64_t records;
    int64_t bytes;
  };
  std::vector<Publication> publications;
  size_t bytes = 0;  // Released from the pending budget when completed.
};

absl::StatusOr<std::unique_ptr<CommitPipeline>> CommitPipeline::Start(
    Store* store, const CommitPipelineOptions& options,
    int64_t newest_arrival_ms) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<uint64_t> reservation,
                         MetaReader(store).CounterReservation());
  std::unique_ptr<CommitPipeline> pipeline(new CommitPipeline(
      store, options, reservation.value_or(1), newest_arrival_ms));
  pipeline->commit_thread_ =
      std::thread([p = pipeline.get()] { p->RunCommitStage(); });
  pipeline->sync_thread_ =
      std::thread([p = pipeline.get()] { p->RunSyncStage(); });
  return pipeline;
}

CommitPipeline::CommitPipeline(Store* store,
                               const CommitPipelineOptions& options,
                               uint64_t next_counter, int64_t newest_arrival_ms)
    : store_(store),
      options_(options),
      next_counter_(next_counter),
      reserved_until_(next_counter),
      last_arrival_ms_(newest_arrival_ms),
      // Room for a full group and its keys and checksums.
      group_write_(store->NewWrite(options.max_group_bytes +
                                   options.max_group_bytes / 4)) {}

CommitPipeline::~CommitPipeline() { Stop(); }

void CommitPipeline::Submit(WriteRequest request) {
  const size_t bytes = RequestBytes(request);
  {
    absl::MutexLock lock(&queue_mu_);
    auto has_room = [this, bytes]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
      return stopping_ || pending_bytes_ == 0 ||
             pending_bytes_ + bytes <= options_.max_pending_bytes;
    };
    if (!has_room()) {
      ++waiting_submitters_;
      queue_mu_.Await(absl::Condition(&has_room));
      --waiting_submitters_;
    }
    if (!stopping_) {
      pending_bytes_ += bytes;
      queue_.push_back(std::move(request));
      return;
    }
  }
  std::vector<RecordOutcome> outcomes(request.records.size());
  for (RecordOutcome& outcome : outcomes) {
    outcome.status = InternalFailure("the broker is closed");
  }
  std::move(request.done)(std::move(outcomes));
}

absl::Status CommitPipeline::RunExclusive(
    absl::FunctionRef<absl::Status(Exclusive&)> fn) {
  absl::MutexLock lock(&commit_mu_);
  {
    absl::MutexLock sync_lock(&sync_mu_);
    auto published = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
      return unpublished_groups_ == 0;
    };
    sync_mu_.Await(absl::Condition(&published));
  }
  Exclusive section(this);
  return fn(section);
}

uint64_t CommitPipeline::Exclusive::next_counter() const {
  return pipeline_->next_counter();
}

absl::Status CommitPipeline::Exclusive::SkipCounters(uint64_t count) {
  // RunExclusive() holds commit_mu_ for as long as `this` lives.
  pipeline_->commit_mu_.AssertHeld();
  BROOK_RETURN_IF_ERROR(pipeline_->ReserveCounters(count));
  pipeline_->next_counter_.fetch_add(count, std::memory_order_release);
  return absl::OkStatus();
}

int CommitPipeline::TEST_waiting_submitters() {
  absl::MutexLock lock(&queue_mu_);
  return waiting_submitters_;
}

void CommitPipeline::Stop() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  if (commit_thread_.joinable()) commit_thread_.join();
  if (sync_thread_.joinable()) sync_thread_.join();
}

void CommitPipeline::RunCommitStage() {
  for (;;) {
    size_t group_bytes = 0;
    std::vector<WriteRequest> group = NextGroup(&group_bytes);
    if (group.empty()) break;
    Write(std::move(group), group_bytes);
  }
  absl::MutexLock lock(&sync_mu_);
  commit_stage_done_ = true;
}

void CommitPipeline::RunSyncStage() {
  for (;;) {
    std::vector<WrittenGroup> groups;
    {
      absl::MutexLock lock(&sync_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
        return commit_stage_done_ || !written_.empty();
      };
      sync_mu_.Await(absl::Condition(&ready));
      if (written_.empty()) return;  // The commit stage is done and drained.
      groups.swap(written_);
    }
    Complete(groups);
    absl::MutexLock lock(&sync_mu_);
    unpublished_groups_ -= static_cast<int>(groups.size());
  }
}

std::vector<WriteRequest> CommitPipeline::NextGroup(size_t* group_bytes) {
  std::vector<WriteRequest> group;
  absl::MutexLock lock(&queue_mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return stopping_ || !queue_.empty();
  };
  queue_mu_.Await(absl::Condition(&ready));
  while (!queue_.empty()) {
    const size_t bytes = RequestBytes(queue_.front());
    if (!group.empty() && *group_bytes + bytes > options_.max_group_bytes) {
      break;
    }
    *group_bytes += bytes;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

void CommitPipeline::Write(std::vector<WriteRequest> group,
                           size_t group_bytes) {
  WrittenGroup written;
  written.bytes = group_bytes;
  absl::MutexLock lock(&commit_mu_);
  std::vector<ShardRun> runs = GatherRuns(group, written);
  if (absl::Status status = WriteRuns(runs); !status.ok()) {
    for (ShardRun& run : runs) {
      for (RecordOutcome* outcome : run.outcomes) outcome->status = status;
    }
    runs.clear();
  }
  for (const ShardRun& run : runs) {
    int64_t bytes = 0;
    for (const RecordView& record : run.records) {
      bytes += record.partition_key.size() + record.data.size();
    }
    written.publications.push_back({run.shard, run.outcomes.back()->counter,
                                    static_cast<int64_t>(run.records.size()),
                                    bytes});
  }
  written.requests = std::move(group);
  // Still under commit_mu_, so that RunExclusive() sees this group.
  absl::MutexLock sync_lock(&sync_mu_);
  written_.push_back(std::move(written));
  ++unpublished_groups_;
}

std::vector<CommitPipeline::ShardRun> CommitPipeline::GatherRuns(
    std::vector<WriteRequest>& group, WrittenGroup& written) {
  written.outcomes.resize(group.size());
  std::vector<ShardRun> runs;
  absl::flat_hash_map<ShardState*, size_t> run_of_shard;
  for (size_t i = 0; i < group.size(); ++i) {
    WriteRequest& request = group[i];
    std::vector<RecordOutcome>& outcomes = written.outcomes[i];
    outcomes.resize(request.records.size());
    // The exclusive section of DeleteStream keeps this from changing under
    // us; a deleted stream gets none of its queued records.
    if (request.stream->deleted()) {
      for (RecordOutcome& outcome : outcomes) {
        outcome.status = ResourceNotFound(
            absl::StrCat("stream '", request.stream->name(), "' was deleted"));
      }
      continue;
    }
    // The stream's key now; a put that passed PrepareWrites() finds it.
    absl::StatusOr<absl::optional<SealingKey>> sealing =
        request.stream->keys().WriteKey();
    if (!sealing.ok()) {
      for (RecordOutcome& outcome : outcomes) outcome.status = sealing.status();
      continue;
    }
    const EncryptionType encryption =
        sealing->has_value() ? EncryptionType::kKms : EncryptionType::kNone;
    std::shared_ptr<const ShardRouter> router;  // Only if a shard closed.
    for (size_t j = 0; j < request.records.size(); ++j) {
      PendingRecord& record = request.records[j];
      if (!record.shard->open()) {
        if (router == nullptr) router = request.stream->router();
        record.shard = &router->ShardFor(record.hash_key);
      }
      auto [it, inserted] = run_of_shard.try_emplace(record.shard, runs.size());
      if (inserted) runs.push_back(ShardRun{record.shard, *sealing, {}, {}});
      ShardRun& run = runs[it->second];
      run.records.push_back(RecordView{
          record.partition_key, record.data,
          record.hash_key_explicit ? absl::make_optional(record.hash_key)
                                   : absl::nullopt});
      run.outcomes.push_back(&outcomes[j]);
      outcomes[j].shard = record.shard->ref();
      outcomes[j].encryption = encryption;
    }
  }
  // In key order (stream, then shard), so that the store inserts the
  // group's batches in ascending order, each insert into the memtable
  // starting from where the one before ended. With thousands of shards a
  // group holds a batch per record or so, and inserting them in arrival
  // order, at random places, took a quarter of the write CPU. Only the
  // order across shards changes, which nothing promises.
  std::sort(runs.begin(), runs.end(), [](const ShardRun& a, const ShardRun& b) {
    const ShardRef x = a.shard->ref();
    const ShardRef y = b.shard->ref();
    return std::tie(x.stream_id, x.shard_index) <
           std::tie(y.stream_id, y.shard_index);
  });
  return runs;
}

absl::Status CommitPipeline::WriteRuns(std::vector<ShardRun>& runs) {
  uint64_t total = 0;
  for (const ShardRun& run : runs) total += run.records.size();
  if (total == 0) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(ReserveCounters(total));

  const int64_t arrival_ms =
      std::max(absl::ToUnixMillis(options_.clock->Now()), last_arrival_ms_);
  const uint64_t first = next_counter_.load(std::memory_order_relaxed);
  StoreWrite& write = group_write_;
  write.Clear();
  std::vector<std::shared_ptr<CachedBatch>> encoded(runs.size());
  uint64_t counter = first;
  for (size_t i = 0; i < runs.size(); ++i) {
    // Encoded once, for the log and for the tail cache.
    encoded[i] = std::make_shared<CachedBatch>();
    CachedBatch& cached = *encoded[i];
    EncodeRecordBatch(arrival_ms, runs[i].records, &cached.encoded);
    // The store gets the sealed bytes; the tail keeps the plaintext.
    std::string sealed;
    if (runs[i].sealing.has_value()) {
      BROOK_RETURN_IF_ERROR(
          SealRecordBatch(runs[i].shard->ref(), counter, arrival_ms,
                          runs[i].records.size(), runs[i].sealing->generation,
                          *runs[i].sealing->key, cached.encoded, &sealed));
      cached.encryption = EncryptionType::kKms;
    }
    write.AppendBatch(runs[i].shard->ref(), counter, arrival_ms,
                      runs[i].sealing.has_value() ? sealed : cached.encoded);
    cached.first_counter = counter;
    for (RecordOutcome* outcome : runs[i].outcomes) {
      outcome->counter = counter++;
    }
    cached.last_counter = counter - 1;
  }
  // The counters are spent even if the write fails: a failed write may still
  // leave the batch in the log, to be replayed on the next open.
  next_counter_.store(counter, std::memory_order_release);
  // In kSync the sync stage makes the write durable, one sync for every
  // group written meanwhile.
  const Durability write_durability = options_.durability == Durability::kSync
                                          ? Durability::kNoSync
                                          : options_.durability;
  BROOK_RETURN_IF_ERROR(store_->Write(write, write_durability));
  last_arrival_ms_ = arrival_ms;
  // Readable in the log from here on (a failed sync does not undo that), so
  // in the tail too; both are read only up to the published watermark.
  for (size_t i = 0; i < runs.size(); ++i) {
    options_.tail_cache->Add(runs[i].shard->tail(), std::move(encoded[i]));
  }
  return absl::OkStatus();
}

void CommitPipeline::Complete(std::vector<WrittenGroup>& groups) {
  absl::Status synced = absl::OkStatus();
  if (options_.durability == Durability::kSync) synced = store_->SyncWal();
  size_t bytes = 0;
  for (WrittenGroup& group : groups) {
    for (const WrittenGroup::Publication& publication : group.publications) {
      if (!synced.ok()) break;
      publication.shard->Publish(publication.last_counter);
      publication.shard->counters().AddIncoming(publication.records,
                                                publication.bytes);
    }
    for (size_t i = 0; i < group.requests.size(); ++i) {
      if (!synced.ok()) {
        for (RecordOutcome& outcome : group.outcomes[i]) {
          if (outcome.status.ok()) outcome.status = synced;
        }
      }
      std::move(group.requests[i].done)(std::move(group.outcomes[i]));
    }
    bytes += group.bytes;
  }
  absl::MutexLock lock(&queue_mu_);
  pending_bytes_ -= bytes;
}

absl::Status CommitPipeline::ReserveCounters(uint64_t count) {
  const uint64_t needed = next_counter_.load(std::memory_order_relaxed) + count;
  if (needed <= reserved_until_) return absl::OkStatus();
  const uint64_t reservation = needed + kReservationStep;
  StoreWrite write = store_->NewWrite();
  write.PutCounterReservation(reservation);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  reserved_until_ = reservation;
  return absl::OkStatus();
}

}  // namespace brook
