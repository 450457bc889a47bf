// WriteRecovery: brings writes back on their own after the disk filled.
//
// Every interval, a background thread has the store measure free space (it
// enters or leaves its low-space state and keeps its reserve file; see
// storage/disk_reserve.h). Once a full disk has stopped writes, it resumes
// the store with no commit group in flight: RocksDB flushes every memtable,
// so that each write that reached the log is durable; every shard becomes
// visible up to its newest stored batch (records whose log sync failed are
// stored, and readable in counter order from now on); only then does the
// store take writes again. A failure other than a full disk is never
// resumed: writes stay stopped until the Broker is reopened.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: Stop() (or the destructor) joins the thread; the store, the
// pipeline and the catalog must outlive it.

#ifndef BROOK_WRITE_WRITE_RECOVERY_H_
#define BROOK_WRITE_WRITE_RECOVERY_H_

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "catalog/catalog.h"
#include "common/periodic_thread.h"
#include "storage/store.h"
#include "write/commit_pipeline.h"

namespace brook {

class WriteRecovery {
 public:
  WriteRecovery(Store* store, CommitPipeline* pipeline, Catalog* catalog)
      : store_(store), pipeline_(pipeline), catalog_(catalog) {}

  // WriteRecovery::CheckNow()
  //
  // One round, on the calling thread: measures space and, if a full disk
  // stopped writes and there is room again, resumes them. Returns why it
  // could not (writes then stay stopped until a later round).
  absl::Status CheckNow();

  // Runs a round every `interval` of real time on a background thread.
  void Start(absl::Duration interval);
  void Stop() { thread_.Stop(); }

 private:
  Store* const store_;
  CommitPipeline* const pipeline_;
  Catalog* const catalog_;
  absl::Mutex round_mu_;  // Serializes rounds.
  PeriodicThread thread_;
};

}  // namespace brook

#endif  // BROOK_WRITE_WRITE_RECOVERY_H_
