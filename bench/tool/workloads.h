// The workloads of brook_bench: the same traffic through Brook and through
// raw RocksDB (one key per record), so that every Brook figure can be read
// as a ratio measured in the same run (the disk's own bandwidth is in
// disk_probe.h).

#ifndef BROOK_BENCH_TOOL_WORKLOADS_H_
#define BROOK_BENCH_TOOL_WORKLOADS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "brook/broker.h"
#include "brook/options.h"
#include "tool/latency_histogram.h"
#include "tool/load.h"

namespace brook::bench {

// The stream every in-process workload creates.
inline constexpr char kBenchStream[] = "bench";

struct Config {
  // "produce", "drain" or "scale" (see scale_workload.h); against an
  // endpoint also "mirror" (see server_workload.h).
  std::string workload = "produce";
  // Against an endpoint: "raw" (the tool's own HTTP client) or "broker"
  // (brook::Broker::Connect).
  std::string client = "raw";
  // Records the mirror workload forwards.
  int64_t mirror_records = 200000;
  int record_bytes = 1024;
  int shards = 4;
  int producers = 4;
  int batch = 500;    // Records per put; 1 means PutRecord.
  bool async = true;  // Asynchronous puts, `inflight` per producer.
  int inflight = 4;
  Durability durability = Durability::kSync;
  // Encrypt the stream (StartStreamEncryption with alias/aws/kinesis) before
  // producing.
  bool encrypt = false;
  bool unlimited = true;          // StreamLimits::Unlimited() vs Kinesis'.
  std::string consumer = "none";  // "none", "classic" or "fanout"
  absl::Duration duration = absl::Seconds(10);
  // Records per second over all producers; 0 means as fast as possible.
  int64_t rate = 0;
  int64_t drain_bytes = int64_t{1} << 30;
  // With workload "drain": shards the records are spread over (by partition
  // key), each then read to its end in turn. Above one, a shard's sequence
  // numbers skip the counters its neighbours took, as in a real stream.
  int drain_shards = 1;
  // BrokerOptions::max_commit_group_bytes and max_pending_write_bytes; 0
  // keeps the Broker's default.
  size_t commit_group_bytes = 0;
  size_t pending_write_bytes = 0;
  // How many partition keys the producers cycle through (load.h).
  int64_t partition_keys = kDefaultPartitionKeys;
  // With workload "scale": shards that get an enhanced fan-out
  // subscription.
  int subscriptions = 0;
  std::string data_dir;
};

struct Throughput {
  int64_t records = 0;
  int64_t bytes = 0;
  absl::Duration elapsed;
  // CPU time of the measuring thread over `elapsed`, where one thread does
  // all the work (the drains): on a loaded machine a steadier comparison
  // than `elapsed`, which includes the time other processes took the core.
  absl::optional<absl::Duration> thread_cpu;

  double records_per_second() const;
  double megabytes_per_second() const;  // 10^6 bytes
};

struct BrookRun {
  Throughput throughput;
  LatencyHistogram put_latency;
  LatencyHistogram end_to_end_latency;
  // How often RocksDB began to delay or stop writes during the run
  // (BrokerMetrics): the usual cause of a put latency tail at full load.
  int64_t write_stalls_delayed = 0;
  int64_t write_stalls_stopped = 0;
  // Bytes the process wrote to storage while producing (disk_usage.h), -1
  // if unknown. Records still in a memtable when the run ends are counted
  // once (in the log), not yet twice.
  int64_t disk_write_bytes = -1;
};

// The Broker's options for `config`: its durability, and room for
// `config.shards` shards whatever BrokerOptions::max_shards' default.
BrokerOptions BenchBrokerOptions(const Config& config);

// Creates kBenchStream with `config.shards` shards and `config`'s limits
// and encryption.
absl::Status CreateBenchStream(const Config& config, Broker& broker);

class LatencyHandler;

// One enhanced fan-out consumer of kBenchStream, subscribed from LATEST to
// some of its shards, recording every delivered record's end-to-end
// latency. Must be destroyed (or finished) before the Broker closes.
class FanOutLatency {
 public:
  // Registers the consumer and subscribes it to `count` shards spread
  // evenly over the stream's `config.shards`.
  static absl::StatusOr<std::unique_ptr<FanOutLatency>> Subscribe(
      const Config& config, Broker& broker, int count);
  ~FanOutLatency();

  // Cancels the subscriptions; returns the latency of every record they
  // delivered.
  LatencyHistogram Finish();

 private:
  FanOutLatency();

  std::unique_ptr<LatencyHandler> handler_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
};

// Produces to kBenchStream of `broker` for `config.duration` (printing a
// progress line every second to stderr). With `config.consumer` "classic",
// a polling reader per shard measures end-to-end latency; so does
// `fan_out` if not null, which DriveProduce() finishes.
absl::StatusOr<BrookRun> DriveProduce(const Config& config, Broker& broker,
                                      FanOutLatency* fan_out);

// Opens a Broker on `dir`, creates the stream and drives it as
// DriveProduce() says (with `config.consumer` "fanout", every shard is
// subscribed), then closes it.
absl::StatusOr<BrookRun> RunBrookProduce(const Config& config,
                                         const std::string& dir);

// The same record bytes, producer threads, WriteBatch grouping and sync
// setting as raw RocksDB puts with one key per record.
absl::StatusOr<Throughput> RunRawProduce(const Config& config,
                                         const std::string& dir);

// Loads `config.drain_bytes` into one shard, then times reading all of it
// with GetRecords of 10,000 (warm).
absl::StatusOr<Throughput> RunBrookDrain(const Config& config,
                                         const std::string& dir);

// Loads the same records as one RocksDB key each, then times a prefix scan.
absl::StatusOr<Throughput> RunRawDrain(const Config& config,
                                       const std::string& dir);

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_WORKLOADS_H_
