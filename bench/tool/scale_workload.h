// brook_bench --workload=scale: one Broker with many shards. In one
// process, in this order:
//   1. open an empty data directory, create kBenchStream with
//      `config.shards` shards (timed), close;
//   2. Broker::Open of that directory (timed);
//   3. produce for `config.duration` as fast as the producers go, every
//      record with its own partition key, so that puts reach every shard;
//   4. register one enhanced fan-out consumer and subscribe it from LATEST
//      to `config.subscriptions` shards spread over the stream (timed),
//      then produce again for `config.duration` at `config.rate` (0: as
//      fast as possible) and measure end-to-end latency;
// taking the process' RSS before and after each step and every second of
// the two traffic phases.
//
// Thread safety: runs on the calling thread, with its own producer threads.

#ifndef BROOK_BENCH_TOOL_SCALE_WORKLOAD_H_
#define BROOK_BENCH_TOOL_SCALE_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "brook/metrics.h"
#include "tool/workloads.h"

namespace brook::bench {

// Resident bytes of the process at each step.
struct ScaleMemory {
  int64_t start = 0;         // Before the first Open.
  int64_t empty_broker = 0;  // An open Broker without streams.
  int64_t created = 0;       // Right after CreateStream.
  int64_t closed = 0;        // After Close, freed memory given back.
  int64_t reopened = 0;      // Right after the timed Open.
  int64_t after_produce = 0;
  int64_t subscribed = 0;  // Subscriptions made, before their traffic.
  int64_t after_fan_out = 0;
  // Every second of the traffic phases.
  std::vector<int64_t> during_produce;
  std::vector<int64_t> during_fan_out;
};

struct ScaleRun {
  absl::Duration create;
  absl::Duration open;
  absl::Duration subscribe;
  ScaleMemory memory;
  BrookRun produce;
  BrookRun fan_out;
  // Shards with at least one record after the produce phase, and the
  // fewest and most records one shard got.
  int shards_written = 0;
  int64_t min_shard_records = 0;
  int64_t max_shard_records = 0;
  // The Broker's gauges at the end of the produce phase, once subscribed,
  // and at the end of the fan-out phase (its subscriptions ended).
  BrokerMetrics after_produce;
  BrokerMetrics subscribed;
  BrokerMetrics after_fan_out;
};

// REQUIRES: `config` passed the tool's checks (0 <= subscriptions <=
// shards); `dir` does not exist or is empty.
absl::StatusOr<ScaleRun> RunScale(const Config& config, const std::string& dir);

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_SCALE_WORKLOAD_H_
