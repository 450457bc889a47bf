// The JSON form of a latency histogram in the benchmark tools' result
// lines: sample count and p50, p99 and p99.9 in microseconds.

#ifndef BROOK_BENCH_TOOL_LATENCY_JSON_H_
#define BROOK_BENCH_TOOL_LATENCY_JSON_H_

#include "absl/time/time.h"
#include "boost/json.hpp"
#include "tool/latency_histogram.h"

namespace brook::bench {

inline boost::json::object LatencyJson(const LatencyHistogram& histogram) {
  auto micros = [&](double fraction) {
    return absl::ToDoubleMicroseconds(histogram.Percentile(fraction));
  };
  return {{"samples", histogram.count()},
          {"p50_us", micros(0.50)},
          {"p99_us", micros(0.99)},
          {"p999_us", micros(0.999)}};
}

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_LATENCY_JSON_H_
