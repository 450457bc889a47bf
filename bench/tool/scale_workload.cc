#include "tool/scale_workload.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "brook/broker.h"
#include "tool/process_memory.h"

namespace brook::bench {
namespace {

// Samples the process' RSS every second on its own thread until destroyed.
class ResidentSampler {
 public:
  explicit ResidentSampler(std::vector<int64_t>* samples)
      : thread_([this, samples] {
          while (!stop_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
            samples->push_back(ResidentBytes());
          }
        }) {}
  ~ResidentSampler() {
    stop_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;
};

// Drives traffic for one phase while sampling RSS into `samples`.
absl::StatusOr<BrookRun> SampledPhase(const Config& config, Broker& broker,
                                      FanOutLatency* fan_out,
                                      std::vector<int64_t>* samples) {
  ResidentSampler sampler(samples);
  return DriveProduce(config, broker, fan_out);
}

absl::Status CountShardsWritten(Broker& broker, ScaleRun& run) {
  GetShardMetricsRequest request;
  request.stream = kBenchStream;
  absl::StatusOr<GetShardMetricsResult> metrics =
      broker.GetShardMetrics(request);
  if (!metrics.ok()) return metrics.status();
  run.min_shard_records = INT64_MAX;
  for (const ShardMetrics& shard : metrics->shards) {
    if (shard.incoming_records > 0) ++run.shards_written;
    run.min_shard_records =
        std::min(run.min_shard_records, shard.incoming_records);
    run.max_shard_records =
        std::max(run.max_shard_records, shard.incoming_records);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ScaleRun> RunScale(const Config& config,
                                  const std::string& dir) {
  ScaleRun run;
  const BrokerOptions options = BenchBrokerOptions(config);
  run.memory.start = ResidentBytes();
  {
    absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options, dir);
    if (!broker.ok()) return broker.status();
    run.memory.empty_broker = ResidentBytes();
    const absl::Time began = absl::Now();
    if (absl::Status status = CreateBenchStream(config, **broker);
        !status.ok()) {
      return status;
    }
    run.create = absl::Now() - began;
    run.memory.created = ResidentBytes();
    if (absl::Status status = (*broker)->Close(); !status.ok()) return status;
  }
  ReleaseFreedMemory();
  run.memory.closed = ResidentBytes();

  const absl::Time began = absl::Now();
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options, dir);
  if (!broker.ok()) return broker.status();
  run.open = absl::Now() - began;
  run.memory.reopened = ResidentBytes();

  // Every record has its own partition key, so puts reach every shard.
  Config traffic = config;
  traffic.partition_keys = std::numeric_limits<int64_t>::max();
  Config unpaced = traffic;
  unpaced.rate = 0;
  absl::StatusOr<BrookRun> produce =
      SampledPhase(unpaced, **broker, nullptr, &run.memory.during_produce);
  if (!produce.ok()) return produce.status();
  run.produce = *std::move(produce);
  run.memory.after_produce = ResidentBytes();
  if (absl::Status status = CountShardsWritten(**broker, run); !status.ok()) {
    return status;
  }
  absl::StatusOr<BrokerMetrics> metrics = (*broker)->GetBrokerMetrics();
  if (!metrics.ok()) return metrics.status();
  run.after_produce = *std::move(metrics);

  const absl::Time subscribing = absl::Now();
  absl::StatusOr<std::unique_ptr<FanOutLatency>> subscribed =
      FanOutLatency::Subscribe(config, **broker, config.subscriptions);
  if (!subscribed.ok()) return subscribed.status();
  run.subscribe = absl::Now() - subscribing;
  run.memory.subscribed = ResidentBytes();
  metrics = (*broker)->GetBrokerMetrics();
  if (!metrics.ok()) return metrics.status();
  run.subscribed = *std::move(metrics);
  absl::StatusOr<BrookRun> fan_out = SampledPhase(
      traffic, **broker, subscribed->get(), &run.memory.during_fan_out);
  if (!fan_out.ok()) return fan_out.status();
  run.fan_out = *std::move(fan_out);
  run.memory.after_fan_out = ResidentBytes();
  metrics = (*broker)->GetBrokerMetrics();
  if (!metrics.ok()) return metrics.status();
  run.after_fan_out = *std::move(metrics);
  if (absl::Status status = (*broker)->Close(); !status.ok()) return status;
  return run;
}

}  // namespace brook::bench
