// What brookd itself sees, for GET /metrics: API requests per operation,
// their errors by Kinesis error name and their latency as a histogram, and
// the connections open now. Figures of the Broker (queues, storage,
// consumers) are the Broker's own (Broker::GetBrokerMetrics); this holds
// only what the server measures.
//
// Operations are counted by the name the caller gives; callers pass only
// names of known operations (or "unknown"), so that a client cannot grow
// the set of series without bound.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.

#ifndef BROOK_SERVER_SERVER_METRICS_H_
#define BROOK_SERVER_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/error.h"
#include "server/prometheus_text.h"

namespace brook {

class ServerMetrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds: from a
  // cached read (well under a millisecond) to a put waiting out a slow
  // sync, and a request that waits for its body.
  static constexpr std::array<double, 14> kLatencyBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  // One request of `operation` answered with `status` after `latency`.
  void RecordRequest(absl::string_view operation, const absl::Status& status,
                     absl::Duration latency);

  void ConnectionOpened() { connections_.fetch_add(1); }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  int64_t open_connections() const { return connections_.load(); }

  // Appends brook_api_requests_total, brook_api_errors_total,
  // brook_api_request_duration_seconds and brook_open_connections.
  void AppendTo(PrometheusText& text) const;

 private:
  struct OperationStats {
    int64_t requests = 0;
    std::map<ErrorName, int64_t> errors;
    // Requests per bucket, not cumulative; the last is above every bound.
    std::array<int64_t, kLatencyBounds.size() + 1> buckets = {};
    absl::Duration latency_sum;
  };

  mutable absl::Mutex mu_;
  std::map<std::string, OperationStats, std::less<>> operations_
      ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> connections_{0};
};

}  // namespace brook

#endif  // BROOK_SERVER_SERVER_METRICS_H_
