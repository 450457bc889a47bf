// -----------------------------------------------------------------------------
// File: brook/shard_lineage.h
// -----------------------------------------------------------------------------
//
// ShardLineage hands out a stream's shards to readers so that resharding
// never reorders a partition key's records: a shard is handed out only once
// every parent it has is finished (read to its end). After a split the
// children's keys were in the parent; after a merge the child's keys were in
// both parents; reading parents first keeps each key in put order, as the
// Kinesis Client Library does.
//
// Use it from one or several reader threads:
//
//   brook::ShardLineage lineage(broker, "orders");
//   if (absl::Status s = lineage.Refresh(); !s.ok()) return s;
//   while (absl::optional<std::string> shard_id = lineage.Acquire()) {
//     // Read *shard_id from TRIM_HORIZON (or a checkpoint) with GetRecords
//     // or SubscribeToShard until it ends with child shards...
//     lineage.Finish(*shard_id, child_shards);
//   }
//
// Acquire() returns nullopt when no shard is ready: every unfinished shard
// is handed out or waits for a parent. Open shards never finish, so a
// consumer that keeps up reads each open shard for as long as it runs.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `broker` must outlive the ShardLineage.

#ifndef BROOK_SHARD_LINEAGE_H_
#define BROOK_SHARD_LINEAGE_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "brook/broker.h"

namespace brook {

class ShardLineage {
 public:
  // `stream` is a name or an ARN.
  ShardLineage(Broker* broker, std::string stream);

  ShardLineage(const ShardLineage&) = delete;
  ShardLineage& operator=(const ShardLineage&) = delete;

  // ShardLineage::Refresh()
  //
  // Learns every shard the stream still keeps (ListShards from the trim
  // horizon). Parents that are no longer kept count as finished: the
  // retention period removed their records. Call it before the first
  // Acquire(), and again after finishing a shard that could not be read
  // because it had expired. Fails as ListShards does.
  absl::Status Refresh();

  // ShardLineage::Acquire()
  //
  // Hands out the lowest-id shard that is neither handed out nor finished
  // and whose parents are all finished; nullopt if there is none now.
  absl::optional<std::string> Acquire();

  // ShardLineage::Finish()
  //
  // Records that `shard_id` was read to its end and learns its `children`
  // (from GetRecordsResult or the last SubscribeToShardEvent).
  void Finish(absl::string_view shard_id,
              const std::vector<ChildShard>& children);

  // ShardLineage::Release()
  //
  // Hands back an acquired shard that was not finished (its reader stopped),
  // so that Acquire() can hand it out again.
  void Release(absl::string_view shard_id);

  // The shards learned and not yet finished.
  int unfinished_count() const;

 private:
  enum class State { kWaiting, kAcquired, kFinished };
  struct Node {
    std::vector<std::string> parents;
    State state = State::kWaiting;
  };

  // Adds a shard not known yet.
  void Learn(const std::string& shard_id, std::vector<std::string> parents)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ParentsFinished(const Node& node) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Broker* const broker_;
  const std::string stream_;

  mutable absl::Mutex mu_;
  // By shard id, which orders shards by age.
  absl::btree_map<std::string, Node> shards_ ABSL_GUARDED_BY(mu_);
  // Parents that were no longer kept when learned of.
  absl::flat_hash_set<std::string> expired_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_SHARD_LINEAGE_H_
