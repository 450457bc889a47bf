// The write path, in two stages on two threads:
//   commit  takes everything queued (up to a group size), assigns counters
//           per shard in queue order, and writes one StoreWrite for the
//           whole group to the log without waiting for the disk;
//   sync    takes every group written so far, makes them durable with one
//           log sync (in Durability::kSync), then publishes each shard's
//           visible watermark and completes the callers, group by group in
//           commit order.
// Concurrent producers share one write and one sync, and the next group is
// written while the previous one syncs.
//
// A group whose write or sync fails completes with that failure and is not
// published: its outcome is unknown (it may have reached the log). The
// store then refuses every later write and sync (storage/write_gate.h), so
// no later group publishes a watermark past it; after a full disk, write
// recovery (write/write_recovery.h) publishes what the store holds before
// writes resume.
//
// A stream that encrypts (encryption/stream_data_keys.h) has each batch sealed
// here, before it enters the write, so that no plaintext of it reaches the
// log or the files; the tail cache gets the plaintext. Which key seals a
// group is decided when the group is gathered, under the commit lock, so
// a change made in RunExclusive() applies to every group committed after
// it.
//
// Counters come from one pipeline-wide counter that only grows. Before
// handing out counters the pipeline persists, with a sync, a reservation
// above them; after a restart counting resumes at the reservation. So no
// counter is ever handed out twice, whatever the durability mode and however
// the process ended.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: Stop() (or the destructor) commits what is queued and joins the
// commit and sync threads; `store`, the clock and the tail cache must
// outlive the pipeline.

#ifndef BROOK_WRITE_COMMIT_PIPELINE_H_
#define BROOK_WRITE_COMMIT_PIPELINE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "brook/clock.h"
#include "brook/options.h"
#include "catalog/stream_state.h"
#include "read/tail_cache.h"
#include "storage/record_batch.h"
#include "storage/store.h"

namespace brook {

// A record to append. The bytes are the producer's; they must stay valid
// until the request's callback has run.
struct PendingRecord {
  // A shard of the request's stream. If it has closed by the time the
  // record commits, the record goes to the open shard that owns its hash
  // key instead.
  ShardState* shard = nullptr;
  absl::uint128 hash_key = 0;
  absl::string_view partition_key;
  absl::string_view data;
  // Whether `hash_key` was given with the record (ExplicitHashKey) rather
  // than taken from its partition key; stored with it if so.
  bool hash_key_explicit = false;
};

// The fate of one submitted record: OK with its shard and counter, or why
// it failed.
struct RecordOutcome {
  absl::Status status;
  ShardRef shard;
  uint64_t counter = 0;
  // How the record is stored: sealed if its stream encrypted when the
  // record was committed.
  EncryptionType encryption = EncryptionType::kNone;
};

// Runs on the sync thread with one outcome per record, in submission
// order. Must not block.
using CommitCallback = absl::AnyInvocable<void(std::vector<RecordOutcome>) &&>;

struct WriteRequest {
  std::shared_ptr<StreamState> stream;
  std::vector<PendingRecord> records;
  CommitCallback done;
};

struct CommitPipelineOptions {
  Durability durability = Durability::kSync;
  size_t max_pending_bytes = size_t{64} << 20;
  size_t max_group_bytes = size_t{8} << 20;
  Clock* clock = nullptr;
  // Receives every batch written, before its watermark is published.
  TailCache* tail_cache = nullptr;
};

class CommitPipeline {
 public:
  // CommitPipeline::Start()
  //
  // Restores the counter from its reservation and starts both threads.
  // Arrival times will not go below `newest_arrival_ms`.
  static absl::StatusOr<std::unique_ptr<CommitPipeline>> Start(
      Store* store, const CommitPipelineOptions& options,
      int64_t newest_arrival_ms);

  ~CommitPipeline();
  CommitPipeline(const CommitPipeline&) = delete;
  CommitPipeline& operator=(const CommitPipeline&) = delete;

  // CommitPipeline::Submit()
  //
  // Queues `request`, first waiting while max_pending_bytes are queued or
  // committing. After Stop(), completes it at once with InternalFailure.
  void Submit(WriteRequest request);

  // Every counter below this has been handed out; none at or above it has.
  uint64_t next_counter() const {
    return next_counter_.load(std::memory_order_acquire);
  }

  // Bytes of requests queued, or being committed and synced: what
  // max_pending_bytes bounds.
  size_t pending_bytes() {
    absl::MutexLock lock(&queue_mu_);
    return pending_bytes_;
  }

  // What a change that runs exclusively may do with the counters.
  class Exclusive {
   public:
    // The first counter not yet handed out.
    uint64_t next_counter() const;
    // Hands out the next `count` counters to no record, so that they can
    // bound shards that open or close (a shard's range then never meets
    // another's). Persists the reservation first.
    absl::Status SkipCounters(uint64_t count);

   private:
    friend class CommitPipeline;
    explicit Exclusive(CommitPipeline* pipeline) : pipeline_(pipeline) {}
    CommitPipeline* const pipeline_;
  };

  // CommitPipeline::RunExclusive()
  //
  // Runs `fn` while no group is being committed and every group committed
  // before has been published, for changes (creating, deleting or
  // resharding a stream) that must not interleave with a commit.
  absl::Status RunExclusive(absl::FunctionRef<absl::Status(Exclusive&)> fn);

  // CommitPipeline::Stop()
  //
  // Commits every queued request, completes it, and joins both threads.
  // Idempotent.
  void Stop();

  // How many Submit() calls are waiting for memory.
  int TEST_waiting_submitters();

 private:
  struct ShardRun;
  struct WrittenGroup;

  CommitPipeline(Store* store, const CommitPipelineOptions& options,
                 uint64_t next_counter, int64_t newest_arrival_ms);

  void RunCommitStage();
  void RunSyncStage();
  // Takes the next group off the queue; empty when stopping and drained.
  std::vector<WriteRequest> NextGroup(size_t* group_bytes);
  // Writes `group` and hands it to the sync stage.
  void Write(std::vector<WriteRequest> group, size_t group_bytes);
  // Gathers the records of `group` into one run per shard, sending records
  // of closed shards to their successors and failing those of deleted
  // streams.
  std::vector<ShardRun> GatherRuns(std::vector<WriteRequest>& group,
                                   WrittenGroup& written)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status WriteRuns(std::vector<ShardRun>& runs)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // Syncs, publishes and completes `groups`, then releases their bytes.
  void Complete(std::vector<WrittenGroup>& groups);
  absl::Status ReserveCounters(uint64_t count)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  Store* const store_;
  const CommitPipelineOptions options_;

  absl::Mutex queue_mu_;
  std::deque<WriteRequest> queue_ ABSL_GUARDED_BY(queue_mu_);
  size_t pending_bytes_ ABSL_GUARDED_BY(queue_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  int waiting_submitters_ ABSL_GUARDED_BY(queue_mu_) = 0;

  // Held while a group is assigned counters, written and published.
  absl::Mutex commit_mu_ ABSL_ACQUIRED_AFTER(queue_mu_);
  std::atomic<uint64_t> next_counter_;  // Written under commit_mu_.
  uint64_t reserved_until_ ABSL_GUARDED_BY(commit_mu_);
  int64_t last_arrival_ms_ ABSL_GUARDED_BY(commit_mu_);
  // Every group's write, reused: a group of a few MiB would otherwise
  // allocate and fault in a fresh buffer each time.
  StoreWrite group_write_ ABSL_GUARDED_BY(commit_mu_);

  // Groups written but not yet synced, in commit order.
  absl::Mutex sync_mu_ ABSL_ACQUIRED_AFTER(commit_mu_);
  std::vector<WrittenGroup> written_ ABSL_GUARDED_BY(sync_mu_);
  // Groups written and not yet completed, whether queued in written_ or
  // being completed.
  int unpublished_groups_ ABSL_GUARDED_BY(sync_mu_) = 0;
  bool commit_stage_done_ ABSL_GUARDED_BY(sync_mu_) = false;

  std::thread commit_thread_;
  std::thread sync_thread_;
};

}  // namespace brook

#endif  // BROOK_WRITE_COMMIT_PIPELINE_H_
