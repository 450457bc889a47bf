#include "server/server_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace brook {

void ServerMetrics::RecordRequest(absl::string_view operation,
                                  const absl::Status& status,
                                  absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t bucket =
      std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds) -
      kLatencyBounds.begin();
  absl::MutexLock lock(&mu_);
  auto it = operations_.find(operation);
  if (it == operations_.end()) {
    it = operations_.emplace(std::string(operation), OperationStats()).first;
  }
  OperationStats& stats = it->second;
  ++stats.requests;
  if (!status.ok()) ++stats.errors[ErrorNameOf(status)];
  ++stats.buckets[bucket];
  stats.latency_sum += latency;
}

void ServerMetrics::AppendTo(PrometheusText& text) const {
  absl::MutexLock lock(&mu_);
  text.Family("brook_api_requests_total", "counter",
              "API requests answered, by operation (errors included).");
  for (const auto& [operation, stats] : operations_) {
    text.Sample("brook_api_requests_total", {{"operation", operation}},
                stats.requests);
  }
  text.Family("brook_api_errors_total", "counter",
              "API requests answered with an error, by operation and "
              "Kinesis error name.");
  for (const auto& [operation, stats] : operations_) {
    for (const auto& [error, count] : stats.errors) {
      text.Sample(
          "brook_api_errors_total",
          {{"operation", operation}, {"error", ErrorNameToString(error)}},
          count);
    }
  }
  text.Family("brook_api_request_duration_seconds", "histogram",
              "Time from a request's body to its answer, by operation.");
  for (const auto& [operation, stats] : operations_) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < stats.buckets.size(); ++i) {
      cumulative += stats.buckets[i];
      const std::string le = i < kLatencyBounds.size()
                                 ? absl::StrCat(kLatencyBounds[i])
                                 : std::string("+Inf");
      text.Sample("brook_api_request_duration_seconds_bucket",
                  {{"operation", operation}, {"le", le}}, cumulative);
    }
    text.Sample("brook_api_request_duration_seconds_sum",
                {{"operation", operation}},
                absl::ToDoubleSeconds(stats.latency_sum));
    text.Sample("brook_api_request_duration_seconds_count",
                {{"operation", operation}}, stats.requests);
  }
  text.Family("brook_open_connections", "gauge",
              "Client connections open now (HTTP/1.1 and HTTP/2).");
  text.Sample("brook_open_connections", {}, open_connections());
}

}  // namespace brook
