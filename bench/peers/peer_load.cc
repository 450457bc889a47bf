#include "peers/peer_load.h"

#include <thread>
#include <vector>

#include "absl/time/clock.h"

namespace brook::bench {

PeerRecord MakePeerRecord(const PeerConfig& config, const Payloads& payloads,
                          int producer, int64_t index, absl::Time sent) {
  // The numbering of brook_bench's producers, so that the same partition
  // keys and payload bytes are put.
  const int64_t record = (int64_t{producer} << 40) + index;
  return {static_cast<int>(record % config.shards), PartitionKey(record),
          payloads.Make(record, sent)};
}

absl::StatusOr<PeerRun> RunProducers(const PeerConfig& config,
                                     const std::string& name,
                                     const ProduceFn& produce) {
  std::atomic<bool> stop{false};
  Progress progress;
  std::vector<LatencyHistogram> latencies(config.producers);
  std::vector<absl::Status> results(config.producers);
  const absl::Time start = absl::Now();
  std::vector<std::thread> producers;
  for (int p = 0; p < config.producers; ++p) {
    producers.emplace_back([&, p] {
      results[p] = produce(p, stop, progress, latencies[p]);
      // A failed producer ends the run early rather than hiding behind
      // the others' figures.
      if (!results[p].ok()) stop = true;
    });
  }
  progress.Report(name, start, start + config.duration);
  PeerRun run;
  run.records = progress.records();
  run.bytes = progress.bytes();
  run.elapsed = absl::Now() - start;
  stop = true;
  for (std::thread& producer : producers) producer.join();
  for (int p = 0; p < config.producers; ++p) {
    if (!results[p].ok()) return results[p];
    run.put_latency.Merge(latencies[p]);
  }
  run.records_acknowledged = progress.records();
  return run;
}

}  // namespace brook::bench
