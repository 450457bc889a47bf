#include "capacity/capacity_controller.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "brook/error.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook {
namespace {

// `rate` as a fraction of `limit` per second; 0 for an unlimited limit.
double Utilization(double rate, int64_t limit) {
  return limit == StreamLimits::kUnlimited ? 0.0
                                           : rate / static_cast<double>(limit);
}

absl::uint128 Midpoint(const HashKeyRange& range) {
  return range.starting_hash_key +
         (range.ending_hash_key - range.starting_hash_key) / 2 + 1;
}

}  // namespace

CapacityController::CapacityController(const OnDemandOptions& options,
                                       Catalog* catalog, Clock* clock,
                                       ReshardFn reshard)
    : options_(options),
      catalog_(catalog),
      clock_(clock),
      reshard_(std::move(reshard)) {}

void CapacityController::Start() {
  if (options_.check_interval == absl::ZeroDuration()) return;
  thread_.Start(options_.check_interval, [this] {
    // A failed reshard has stopped writes (the store fails stop) and says
    // so through the Broker's write state; the next check tries again.
    Check().IgnoreError();
  });
}

absl::Status CapacityController::Check() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  absl::Status status;
  absl::flat_hash_set<uint32_t> on_demand;
  for (const std::shared_ptr<StreamState>& stream : catalog_->All()) {
    if (stream->stream_mode() != StreamMode::kOnDemand) continue;
    on_demand.insert(stream->id());
    status.Update(CheckStream(stream, now));
  }
  // Streams deleted or provisioned again start afresh if they come back.
  for (auto it = watches_.begin(); it != watches_.end();) {
    auto current = it++;
    if (!on_demand.contains(current->first)) watches_.erase(current);
  }
  return status;
}

absl::Status CapacityController::CheckStream(
    const std::shared_ptr<StreamState>& stream, absl::Time now) {
  auto [it, first_sight] = watches_.try_emplace(stream->id());
  StreamWatch& watch = it->second;
  if (first_sight) {
    // A first check only notes where the counters are.
    watch.last_check = now;
    Measure(*stream, watch, now);
    return absl::OkStatus();
  }
  if (now <= watch.last_check) return absl::OkStatus();
  const std::vector<ShardLoad> loads = Measure(*stream, watch, now);
  BROOK_RETURN_IF_ERROR(SplitHot(stream, loads));
  return MergeCold(stream, loads);
}

std::vector<CapacityController::ShardLoad> CapacityController::Measure(
    StreamState& stream, StreamWatch& watch, absl::Time now) const {
  const double seconds = absl::ToDoubleSeconds(now - watch.last_check);
  const StreamLimits limits = stream.limits();
  const std::shared_ptr<const ShardRouter> router = stream.router();
  std::vector<ShardLoad> loads;
  absl::flat_hash_map<uint32_t, ShardWatch> shards;
  double stream_bytes = 0;
  double stream_records = 0;
  for (ShardState* shard : router->shards()) {
    ShardMetrics counters;
    shard->counters().Snapshot(&counters);
    // A shard opened since the last check has counted from zero.
    auto previous = watch.shards.find(shard->index());
    const ShardWatch before =
        previous != watch.shards.end() ? previous->second : ShardWatch();
    ShardLoad load;
    load.shard = shard;
    load.traffic = shard->traffic().Take();
    ShardWatch& after = shards[shard->index()];
    after.bytes = counters.incoming_bytes;
    after.records = counters.incoming_records;
    if (seconds > 0) {
      const double bytes = (after.bytes - before.bytes) / seconds;
      const double records = (after.records - before.records) / seconds;
      stream_bytes += bytes;
      stream_records += records;
      load.utilization =
          std::max(Utilization(bytes, limits.write_bytes_per_second),
                   Utilization(records, limits.write_records_per_second));
      if (load.utilization < options_.merge_utilization) {
        after.cold_since = std::min(before.cold_since, watch.last_check);
      }
      load.quiet = now - after.cold_since >= options_.merge_quiet_period;
    }
    loads.push_back(load);
  }
  if (seconds > 0) {
    stream.write_capacity().Observe({static_cast<int64_t>(stream_bytes),
                                     static_cast<int64_t>(stream_records)},
                                    now);
  }
  watch.shards = std::move(shards);
  watch.last_check = now;
  return loads;
}

absl::StatusOr<bool> CapacityController::TryReshard(
    const std::shared_ptr<StreamState>& stream,
    absl::FunctionRef<absl::Status(ReshardPlanner&)> plan) {
  absl::Status status =
      reshard_(stream, [&](ReshardPlanner& planner) -> absl::Status {
        // Checked with the stream's reshard turn held: a switch to
        // PROVISIONED since the measurement wins.
        if (stream->stream_mode() != StreamMode::kOnDemand) {
          return ResourceInUse("the stream is no longer ON_DEMAND");
        }
        return plan(planner);
      });
  // Another reshard or a mode switch ran, or the stream was deleted since
  // the measurement: nothing to do now.
  const ErrorName error = ErrorNameOf(status);
  if (error == ErrorName::kResourceInUseException ||
      error == ErrorName::kResourceNotFoundException) {
    return false;
  }
  BROOK_RETURN_IF_ERROR(status);
  return true;
}

absl::Status CapacityController::SplitHot(
    const std::shared_ptr<StreamState>& stream,
    const std::vector<ShardLoad>& loads) {
  for (const ShardLoad& load : loads) {
    // One hot key stays in one child however the shard splits.
    if (load.utilization <= options_.split_utilization ||
        !load.traffic.several_keys) {
      continue;
    }
    const HashKeyRange range = load.shard->hash_key_range();
    if (range.ending_hash_key - range.starting_hash_key < 3) continue;
    const absl::uint128 split_at = load.shard->traffic()
                                       .SplitPoint(load.traffic)
                                       .value_or(Midpoint(range));
    const uint32_t index = load.shard->index();
    BROOK_ASSIGN_OR_RETURN(bool split,
                           TryReshard(stream, [&](ReshardPlanner& planner) {
                             return planner.Split(index, split_at);
                           }));
    if (!split) return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status CapacityController::MergeCold(
    const std::shared_ptr<StreamState>& stream,
    const std::vector<ShardLoad>& loads) {
  int open = stream->open_shard_count();
  for (size_t i = 0; i + 1 < loads.size(); ++i) {
    if (open <= options_.initial_shard_count) break;
    const ShardLoad& lower = loads[i];
    const ShardLoad& upper = loads[i + 1];
    // A shard split in this check is closed; its neighbours are not
    // adjacent to each other.
    if (!lower.shard->open() || !upper.shard->open() || !lower.quiet ||
        !upper.quiet ||
        lower.utilization + upper.utilization >= options_.merge_utilization) {
      continue;
    }
    // Open shards in hash key order are adjacent, the lower one first as
    // MergeShards takes them.
    const uint32_t index = lower.shard->index();
    const uint32_t adjacent = upper.shard->index();
    BROOK_ASSIGN_OR_RETURN(bool merged,
                           TryReshard(stream, [&](ReshardPlanner& planner) {
                             return planner.Merge(index, adjacent);
                           }));
    if (!merged) return absl::OkStatus();
    --open;
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace brook
