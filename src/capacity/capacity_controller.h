// The scaling controller of on-demand streams: at every check it measures
// each on-demand stream's shards' write rates since the last check on the
// Broker's clock, raises or lowers the stream's write limit from the
// stream's rate (capacity/write_capacity.h), splits each hot shard (above
// OnDemandOptions::split_utilization of the per-shard limits) at the hash
// key that halves its traffic, and merges adjacent shards that have been
// cold (below merge_utilization) for merge_quiet_period, never below
// initial_shard_count open shards.
//
// Every split and merge goes through the Broker's reshard (`ReshardFn`),
// so lineage, per-key order and the child-above-parent sequence rule hold
// as for SplitShard and MergeShards. A reshard that fails (a failing disk)
// changes nothing; the check stops for that stream and reports the error.
//
// Memory: per open shard of an on-demand stream, a few counters (the
// shards' own ShardTraffic holds where the bytes landed); nothing per key
// or per record.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; checks are serialized.
// Lifetime: `catalog` and `clock` must outlive the controller; Stop() (or
// the destructor) joins the background thread.

#ifndef BROOK_CAPACITY_CAPACITY_CONTROLLER_H_
#define BROOK_CAPACITY_CAPACITY_CONTROLLER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/options.h"
#include "capacity/shard_traffic.h"
#include "catalog/catalog.h"
#include "common/periodic_thread.h"
#include "resharding/reshard_planner.h"

namespace brook {

class CapacityController {
 public:
  // Plans a reshard of the stream with the function and applies it
  // atomically (BrokerImpl's reshard); ResourceInUseException while
  // another reshard of the stream runs.
  using ReshardFn = absl::AnyInvocable<absl::Status(
      const std::shared_ptr<StreamState>&,
      absl::FunctionRef<absl::Status(ReshardPlanner&)>)>;

  CapacityController(const OnDemandOptions& options, Catalog* catalog,
                     Clock* clock, ReshardFn reshard);
  ~CapacityController() { Stop(); }

  // Checks every on-demand stream now (see above). Returns the first
  // reshard error; other streams are still checked.
  absl::Status Check();

  // Checks every OnDemandOptions::check_interval of real time, unless it is
  // zero. REQUIRES: not started.
  void Start();
  void Stop() { thread_.Stop(); }

 private:
  struct ShardWatch {
    // The shard's counters at the last check.
    int64_t bytes = 0;
    int64_t records = 0;
    // Since when the shard has been cold; InfiniteFuture while it is not.
    absl::Time cold_since = absl::InfiniteFuture();
  };
  struct StreamWatch {
    absl::Time last_check;
    // The open shards at the last check, by index.
    absl::flat_hash_map<uint32_t, ShardWatch> shards;
  };
  // One open shard over the interval since the last check.
  struct ShardLoad {
    ShardState* shard = nullptr;
    // Of the per-shard write limits: the larger of bytes and records.
    double utilization = 0;
    // Cold for at least merge_quiet_period.
    bool quiet = false;
    // Where its bytes landed.
    ShardTraffic::Snapshot traffic{};
  };

  absl::Status CheckStream(const std::shared_ptr<StreamState>& stream,
                           absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The open shards' loads in hash key order; updates `watch` and the
  // stream's write limit.
  std::vector<ShardLoad> Measure(StreamState& stream, StreamWatch& watch,
                                 absl::Time now) const;
  absl::Status SplitHot(const std::shared_ptr<StreamState>& stream,
                        const std::vector<ShardLoad>& loads);
  absl::Status MergeCold(const std::shared_ptr<StreamState>& stream,
                         const std::vector<ShardLoad>& loads);
  // Runs `plan` as a reshard of a stream still on-demand. Another reshard
  // or mode switch of the stream, or its deletion, is not an error (the
  // next check measures anew), reported as false.
  absl::StatusOr<bool> TryReshard(
      const std::shared_ptr<StreamState>& stream,
      absl::FunctionRef<absl::Status(ReshardPlanner&)> plan);

  const OnDemandOptions options_;
  Catalog* const catalog_;
  Clock* const clock_;
  ReshardFn reshard_;
  absl::Mutex mu_;
  // On-demand streams seen at the last check, by id.
  absl::flat_hash_map<uint32_t, StreamWatch> watches_ ABSL_GUARDED_BY(mu_);
  PeriodicThread thread_;
};

}  // namespace brook

#endif  // BROOK_CAPACITY_CAPACITY_CONTROLLER_H_
