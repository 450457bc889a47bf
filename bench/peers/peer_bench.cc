// peer_bench: brook_bench's produce workload against Redis Streams or NATS
// JetStream, for a side-by-side comparison with Brook
// (bench/peer_compare.sh starts the servers with their durable settings).
//
//   peer_bench --peer=redis --port=6379 --record_bytes=1024 --producers=4
//              --batch=500 --inflight=4 --duration_s=10
//   peer_bench --peer=nats --port=4222 ...
//
// Prints a progress line per second to stderr and one JSON line of results
// to stdout, with brook_bench's names for the same figures. Exits 1 when
// the server fails or holds a different number of records than it
// acknowledged, 2 on a usage error.

#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "boost/json.hpp"
#include "nats/nats.h"
#include "peers/peer_load.h"
#include "tool/latency_json.h"
#include "tool/plain_json.h"

ABSL_FLAG(std::string, peer, "redis", "redis or nats");
ABSL_FLAG(std::string, host, "127.0.0.1", "the server's address");
ABSL_FLAG(int, port, 0, "the server's port");
ABSL_FLAG(int, record_bytes, 1024, "bytes of data per record");
ABSL_FLAG(int, shards, 4, "Redis stream keys or NATS subjects");
ABSL_FLAG(int, producers, 4, "producer threads, one connection each");
ABSL_FLAG(int, batch, 500, "records per batch");
ABSL_FLAG(int, inflight, 4, "unacknowledged batches per producer");
ABSL_FLAG(int, duration_s, 10, "seconds to produce");

namespace brook::bench {
namespace {

absl::StatusOr<PeerConfig> ConfigFromFlags() {
  PeerConfig config;
  config.host = absl::GetFlag(FLAGS_host);
  config.port = absl::GetFlag(FLAGS_port);
  config.record_bytes = absl::GetFlag(FLAGS_record_bytes);
  config.shards = absl::GetFlag(FLAGS_shards);
  config.producers = absl::GetFlag(FLAGS_producers);
  config.batch = absl::GetFlag(FLAGS_batch);
  config.inflight = absl::GetFlag(FLAGS_inflight);
  config.duration = absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  if (config.port < 1 || config.port > 65535 ||
      config.record_bytes < static_cast<int>(kStampBytes) ||
      config.shards < 1 || config.producers < 1 || config.batch < 1 ||
      config.inflight < 1 || config.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--port 1..65535, --record_bytes >= 8, and counts and durations "
        "must be positive");
  }
  return config;
}

boost::json::object ResultJson(const std::string& peer,
                               const PeerConfig& config, const PeerRun& run) {
  const double seconds = absl::ToDoubleSeconds(run.elapsed);
  boost::json::object out;
  out["config"] = {{"peer", peer},
                   {"record_bytes", config.record_bytes},
                   {"shards", config.shards},
                   {"producers", config.producers},
                   {"batch", config.batch},
                   {"inflight", config.inflight},
                   {"duration_s", absl::ToDoubleSeconds(config.duration)}};
  out["server"] = run.server_version;
  out["put"] = {{"records", run.records},
                {"seconds", seconds},
                {"records_per_s", run.records / seconds},
                {"mb_per_s", run.bytes / seconds / 1e6}};
  out["records_acknowledged"] = run.records_acknowledged;
  out["records_stored"] = run.records_stored;
  out["put_latency"] = LatencyJson(run.put_latency);
  return out;
}

int Run() {
  absl::StatusOr<PeerConfig> config = ConfigFromFlags();
  const std::string peer = absl::GetFlag(FLAGS_peer);
  if (!config.ok() || (peer != "redis" && peer != "nats")) {
    std::cerr << (config.ok() ? "--peer: redis or nats"
                              : config.status().message())
              << "\n";
    return 2;
  }
  absl::StatusOr<PeerRun> run =
      peer == "redis" ? RunRedisLoad(*config) : RunNatsLoad(*config);
  if (!run.ok()) {
    std::cerr << peer << ": " << run.status() << "\n";
    return 1;
  }
  std::cout << PlainJson(ResultJson(peer, *config, *run)) << std::endl;
  if (run->records_stored != run->records_acknowledged) {
    std::cerr << peer << " acknowledged " << run->records_acknowledged
              << " records but holds " << run->records_stored << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace brook::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs brook_bench's produce workload against Redis Streams or NATS "
      "JetStream. See docs/benchmarks.md.");
  absl::ParseCommandLine(argc, argv);
  const int result = brook::bench::Run();
  // Releases the NATS library's threads and memory, for leak checkers.
  nats_Close();
  return result;
}
