// -----------------------------------------------------------------------------
// File: brook/metrics.h
// -----------------------------------------------------------------------------
//
// Per-shard counters, named after Kinesis' shard-level CloudWatch metrics so
// that users find the figures they know. Counters are cumulative since the
// Broker opened; sample them twice and divide by the interval for rates.
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

}  // namespace brook

#endif  // BROOK_METRICS_H_
