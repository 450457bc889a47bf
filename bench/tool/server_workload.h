// brook_bench's server mode: the produce workload over the Kinesis JSON
// API from concurrent HTTP/1.1 clients, against brookd or any
// Kinesis-compatible endpoint, then an optional read-back of everything
// with GetRecords, so that the same client load can be compared across
// servers in one run. The clients are the tool's own (pre-serialized
// requests, one connection each) or a remote brook::Broker, to measure
// what the remote Broker costs over the wire format alone. The mirror
// workload times a StreamMirror forwarding a local stream to the endpoint.

#ifndef BROOK_BENCH_TOOL_SERVER_WORKLOAD_H_
#define BROOK_BENCH_TOOL_SERVER_WORKLOAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "tool/kinesis_client.h"
#include "tool/latency_histogram.h"
#include "tool/workloads.h"

namespace brook::bench {

struct ServerRun {
  Throughput put;
  int64_t records_refused = 0;  // Throttled or failed inside PutRecords.
  LatencyHistogram put_latency;
  Throughput get;  // Empty without a read-back.
  LatencyHistogram get_latency;
};

// Creates a stream of `config.shards` on `endpoint` and waits until it is
// ACTIVE; puts to it from `config.producers` clients (each with one
// connection, one request at a time) for `config.duration`; with
// `config.consumer` "classic", then reads every acknowledged record back
// with GetRecords of 10,000, one client per shard at once, and checks the
// count; finally deletes the stream.
absl::StatusOr<ServerRun> RunServerLoad(const Config& config,
                                        const Endpoint& endpoint);

// Loads `config.mirror_records` into a local stream of `config.shards`
// (untimed), then times a StreamMirror forwarding all of it to a new,
// unlimited stream on `endpoint` until it has caught up. `put` holds the
// forwarding throughput.
absl::StatusOr<ServerRun> RunMirrorLoad(const Config& config,
                                        const Endpoint& endpoint);

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_SERVER_WORKLOAD_H_
