// The body of brookd's GET /metrics, in Prometheus' text format: every
// family with its HELP and TYPE, in base units, counters ending in _total.
// docs/operations.md lists the families.
//
//   brook_shard_*             Kinesis' shard-level metrics, for the streams
//                             that enabled them (EnableEnhancedMonitoring)
//   brook_* (broker)          Broker::GetBrokerMetrics(): queues, caches,
//                             RocksDB, storage per stream, subscriptions and
//                             their lag
//   brook_write_state         the Broker's write state (brook/write_state.h)
//   brook_api_*, brook_open_connections
//                             the server's own (server/server_metrics.h)
//   process_*_memory_bytes    the process, from /proc/self/statm
//
// Thread safety: as the Broker's calls.

#ifndef BROOK_SERVER_PROMETHEUS_METRICS_H_
#define BROOK_SERVER_PROMETHEUS_METRICS_H_

#include <string>

#include "brook/broker.h"
#include "server/server_metrics.h"

namespace brook {

// The text of GET /metrics. `server` may be null (then its families are
// left out).
std::string PrometheusMetrics(Broker& broker, const ServerMetrics* server);

}  // namespace brook

#endif  // BROOK_SERVER_PROMETHEUS_METRICS_H_
