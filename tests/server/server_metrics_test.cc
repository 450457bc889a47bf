// The server's own figures and the Prometheus text they are written in.

#include "server/server_metrics.h"

#include <string>

#include "absl/time/time.h"
#include "common/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/prometheus_text.h"

namespace brook {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TextOf(const ServerMetrics& metrics) {
  PrometheusText text;
  metrics.AppendTo(text);
  return text.text();
}

TEST(ServerMetricsTest, EveryFamilyHasHelpAndType) {
  const std::string text = TextOf(ServerMetrics());
  for (const char* family :
       {"brook_api_requests_total counter", "brook_api_errors_total counter",
        "brook_api_request_duration_seconds histogram",
        "brook_open_connections gauge"}) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", family, "\n")));
    const std::string name(absl::string_view(family).substr(
        0, absl::string_view(family).find(' ')));
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# HELP ", name, " ")));
  }
}

TEST(ServerMetricsTest, RequestsAndErrorsAreCountedByOperationAndName) {
  ServerMetrics metrics;
  metrics.RecordRequest("PutRecord", absl::OkStatus(), absl::Milliseconds(1));
  metrics.RecordRequest("PutRecord", ResourceNotFound("no stream"),
                        absl::Milliseconds(1));
  metrics.RecordRequest("PutRecord", ResourceNotFound("no stream"),
                        absl::Milliseconds(1));
  metrics.RecordRequest("ListStreams", absl::OkStatus(), absl::Milliseconds(1));
  const std::string text = TextOf(metrics);
  EXPECT_THAT(text, HasSubstr("brook_api_requests_total{operation="
                              "\"PutRecord\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("brook_api_requests_total{operation="
                              "\"ListStreams\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("brook_api_errors_total{operation=\"PutRecord\","
                              "error=\"ResourceNotFoundException\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("operation=\"ListStreams\",error")));
}

// Buckets are cumulative and inclusive of their bound; the sum is in
// seconds.
TEST(ServerMetricsTest, LatencyIsAHistogramInSeconds) {
  ServerMetrics metrics;
  metrics.RecordRequest("GetRecords", absl::OkStatus(), absl::Milliseconds(1));
  metrics.RecordRequest("GetRecords", absl::OkStatus(), absl::Milliseconds(3));
  metrics.RecordRequest("GetRecords", absl::OkStatus(), absl::Seconds(20));
  const std::string text = TextOf(metrics);
  const std::string bucket =
      "brook_api_request_duration_seconds_bucket{operation=\"GetRecords\",le=";
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.0005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("brook_api_request_duration_seconds_sum{"
                              "operation=\"GetRecords\"} 20.004\n"));
  EXPECT_THAT(text, HasSubstr("brook_api_request_duration_seconds_count{"
                              "operation=\"GetRecords\"} 3\n"));
}

TEST(ServerMetricsTest, ConnectionsAreAGauge) {
  ServerMetrics metrics;
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  EXPECT_THAT(TextOf(metrics), HasSubstr("\nbrook_open_connections 1\n"));
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  PrometheusText text;
  text.Family("x_bytes", "gauge", "back\\slash\nnewline");
  text.Sample("x_bytes", {{"stream", "a\"b\\c\nd"}}, int64_t{7});
  EXPECT_EQ(text.text(),
            "# HELP x_bytes back\\\\slash\\nnewline\n"
            "# TYPE x_bytes gauge\n"
            "x_bytes{stream=\"a\\\"b\\\\c\\nd\"} 7\n");
}

}  // namespace
}  // namespace brook
