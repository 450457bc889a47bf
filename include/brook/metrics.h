// -----------------------------------------------------------------------------
// File: brook/metrics.h
// -----------------------------------------------------------------------------
//
// Per-shard counters, named after Kinesis' shard-level CloudWatch metrics so
// that users find the figures they know (Broker::GetShardMetrics), and the
// figures of the Broker as a whole (Broker::GetBrokerMetrics): its queues
// and caches, its storage, and its enhanced fan-out consumers. Counters are
// cumulative since the Broker opened; sample them twice and divide by the
// interval for rates. Gauges are the value at the call.
//
// Thread safety: plain values.

#ifndef BROOK_METRICS_H_
#define BROOK_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace brook {

struct ShardMetrics {
  std::string shard_id;
  // IncomingBytes / IncomingRecords: data plus partition key bytes, and
  // records, appended to the shard.
  int64_t incoming_bytes = 0;
  int64_t incoming_records = 0;
  // OutgoingBytes / OutgoingRecords: returned by GetRecords.
  int64_t outgoing_bytes = 0;
  int64_t outgoing_records = 0;
  // WriteProvisionedThroughputExceeded: records refused by the write limits.
  int64_t write_provisioned_throughput_exceeded = 0;
  // ReadProvisionedThroughputExceeded: GetRecords calls refused by the
  // read limits.
  int64_t read_provisioned_throughput_exceeded = 0;
  // IteratorAgeMilliseconds: how far behind the newest record the last
  // GetRecords call on the shard was (its MillisBehindLatest).
  int64_t iterator_age_milliseconds = 0;
};

struct GetShardMetricsRequest {
  std::string stream;  // Name or ARN.
};

struct GetShardMetricsResult {
  // Which of the counters the stream publishes as Kinesis' shard-level
  // metrics (EnableEnhancedMonitoring); every counter is counted anyway.
  std::vector<std::string> shard_level_metrics;
  std::vector<ShardMetrics> shards;  // In shard-id order.
};

// The bytes one stream takes in storage.
struct StreamStorageMetrics {
  std::string stream;
  // RocksDB's estimate of the bytes the stream's records and their time
  // index take, on disk and in memtables: after compression, and including
  // records past retention not yet trimmed. Gauge, bytes.
  int64_t stored_bytes = 0;
};

// How far one enhanced fan-out consumer's subscription to one shard is
// behind: the MillisBehindLatest of the last SubscribeToShard event it was
// served (0 in a heartbeat, which is sent only when nothing is left to
// read).
struct ConsumerShardLag {
  std::string stream;
  std::string consumer_name;
  std::string shard_id;
  int64_t millis_behind_latest = 0;  // Gauge, milliseconds.
};

struct BrokerMetrics {
  // Bytes of records accepted by a put and not yet durable in the store:
  // queued for a group commit, or being written and synced. Bounded by
  // BrokerOptions::max_pending_write_bytes. Gauge, bytes.
  int64_t queued_write_bytes = 0;
  // Bytes of record batches the tail cache holds for readers at the tip.
  // Bounded by BrokerOptions::tail_cache_bytes. Gauge, bytes.
  int64_t tail_cache_bytes = 0;
  // Times RocksDB began to delay writes (it writes slower while compaction
  // is behind) and to stop them (it waits for a flush or compaction), since
  // the Broker opened. Counters.
  int64_t write_stalls_delayed = 0;
  int64_t write_stalls_stopped = 0;
  // Whether writes are delayed or stopped by RocksDB now. Gauge.
  bool write_stalled = false;
  // RocksDB's estimate of the bytes compaction has to rewrite to bring the
  // store to its target shape; writes stall when it grows too large.
  // Gauge, bytes.
  int64_t pending_compaction_bytes = 0;
  // SubscribeToShard subscriptions being served. Gauge.
  int64_t open_subscriptions = 0;
  std::vector<StreamStorageMetrics> streams;  // In stream-name order.
  // One per open subscription, in (stream, consumer, shard) order.
  std::vector<ConsumerShardLag> consumer_lag;
};

}  // namespace brook

#endif  // BROOK_METRICS_H_
