// Retention: removes records older than their stream's retention period,
// from the oldest end of each shard only (invariant 4).
//
// A trim pass computes, per shard, the horizon now - retention; finds the
// first batch that arrived at or after it in the time index; moves the
// shard's trim point there (readers start no earlier from that moment on);
// then, if there are older records, range-deletes them and their time index
// entries and compacts, so that the space comes back. Deleting a stream
// range-deletes its keys at once; the next pass compacts them away. Because
// arrival times never decrease within a shard, the batches before the trim
// point are exactly the expired ones.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; passes are serialized.
// Lifetime: Stop() (or the destructor) joins the background thread; the
// store, log, catalog and clock must outlive the trimmer.

#ifndef BROOK_RETENTION_RETENTION_TRIMMER_H_
#define BROOK_RETENTION_RETENTION_TRIMMER_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "catalog/catalog.h"
#include "common/periodic_thread.h"
#include "storage/shard_log.h"
#include "storage/store.h"

namespace brook {

class RetentionTrimmer {
 public:
  RetentionTrimmer(Store* store, const ShardLog* log, const Catalog* catalog,
                   Clock* clock);
  ~RetentionTrimmer();

  // RetentionTrimmer::TrimAll()
  //
  // Runs one pass over every shard of every stream, on the calling thread,
  // and returns whether it removed any record (and so compacted). Every
  // shard's trim point moves even if removing the records of another fails;
  // then the first failure is returned. The pass also compacts the key
  // ranges of streams deleted since the last one, to give their space back.
  absl::StatusOr<bool> TrimAll();

  // RetentionTrimmer::CompactDeleted()
  //
  // Has the next pass compact the key range of a stream that was deleted.
  void CompactDeleted(uint32_t stream_id);

  // Runs a pass every `interval` of real time on a background thread.
  void Start(absl::Duration interval);
  void Stop();

 private:
  // Moves the shard's trim point; returns whether records were removed.
  absl::StatusOr<bool> TrimShard(const StreamState& stream, ShardState& shard,
                                 absl::Time now);

  Store* const store_;
  const ShardLog* const log_;
  const Catalog* const catalog_;
  Clock* const clock_;

  absl::Mutex pass_mu_;  // Serializes passes.
  PeriodicThread thread_;

  absl::Mutex deleted_mu_ ABSL_ACQUIRED_AFTER(pass_mu_);
  // Streams deleted, whose ranges the next pass compacts.
  std::vector<uint32_t> deleted_ ABSL_GUARDED_BY(deleted_mu_);
};

}  // namespace brook

#endif  // BROOK_RETENTION_RETENTION_TRIMMER_H_
