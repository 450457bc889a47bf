// The produce workload of brook_bench, driven against the stores a user
// would otherwise pick for a durable local stream: Redis Streams (XADD
// through hiredis) and NATS JetStream (asynchronous publish through the
// NATS C client). Each producer thread has its own connection and keeps at
// most `inflight` batches of `batch` records unacknowledged, as
// brook_bench's asynchronous producers do, and puts the same record bytes
// and partition keys (tool/load.h). A batch's latency runs from when its
// first record was handed to the client until the server has acknowledged
// all of its records.
//
// Durability is the server's configuration, not the client's: the caller
// starts Redis with `appendfsync always` and NATS with its strongest sync
// setting (see bench/peer_compare.sh).
//
// Thread safety: each Run*Load() call owns its threads and connections and
// returns when all of them are done.

#ifndef BROOK_BENCH_PEERS_PEER_LOAD_H_
#define BROOK_BENCH_PEERS_PEER_LOAD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tool/latency_histogram.h"
#include "tool/load.h"

namespace brook::bench {

struct PeerConfig {
  std::string host = "127.0.0.1";
  int port = 0;
  int record_bytes = 1024;
  // Records go to one of `shards` Redis stream keys or NATS subjects by
  // their partition key, as to Brook's shards.
  int shards = 4;
  int producers = 4;
  int batch = 500;
  int inflight = 4;
  absl::Duration duration = absl::Seconds(10);
};

struct PeerRun {
  // Acknowledged within `duration` (as brook_bench counts).
  int64_t records = 0;
  int64_t bytes = 0;  // Record data plus partition keys.
  absl::Duration elapsed;
  // Every acknowledged record, including those acknowledged after
  // `duration` while the producers drained their windows.
  int64_t records_acknowledged = 0;
  // What the server holds afterwards, asked separately: equal to
  // `records_acknowledged` unless a write was lost or duplicated.
  int64_t records_stored = 0;
  LatencyHistogram put_latency;
  std::string server_version;
};

// Appends to Redis streams "peer:0" .. "peer:<shards - 1>" (deleted first)
// with pipelined `XADD peer:<shard> * pk <key> data <bytes>`.
// Errors: kUnavailable when Redis cannot be reached, kInternal when an XADD
// is refused.
absl::StatusOr<PeerRun> RunRedisLoad(const PeerConfig& config);

// Creates the JetStream stream "PEER" (file storage, one replica, subjects
// "peer.>"; an existing one is deleted first) and publishes each record
// asynchronously to "peer.<shard>" with its partition key in the
// "Partition-Key" header. Errors as RunRedisLoad().
absl::StatusOr<PeerRun> RunNatsLoad(const PeerConfig& config);

// The record of one producer's `index`-th record: which shard it goes to,
// its partition key and its data, stamped with `sent`.
struct PeerRecord {
  int shard;
  std::string partition_key;
  std::string data;
};
PeerRecord MakePeerRecord(const PeerConfig& config, const Payloads& payloads,
                          int producer, int64_t index, absl::Time sent);

// One producer's loop: puts batches until `stop`, then waits for all of its
// puts to be acknowledged. Records each batch's latency in `latency` and
// adds acknowledged records to `progress`.
using ProduceFn =
    std::function<absl::Status(int producer, const std::atomic<bool>& stop,
                               Progress& progress, LatencyHistogram& latency)>;

// Runs `produce` on `config.producers` threads for `config.duration`,
// printing progress as `name`. Fills everything in PeerRun but
// `records_stored` and `server_version`; returns the first producer error.
absl::StatusOr<PeerRun> RunProducers(const PeerConfig& config,
                                     const std::string& name,
                                     const ProduceFn& produce);

}  // namespace brook::bench

#endif  // BROOK_BENCH_PEERS_PEER_LOAD_H_
