// Prometheus' text exposition format (version 0.0.4), written one metric
// family at a time: Family() writes the family's "# HELP" and "# TYPE"
// lines, and the Sample() calls that follow write its samples. Label
// values and help texts are escaped as the format requires, so any stream,
// consumer or shard name is safe to use as a label value.
//
// Naming is the caller's: base units in the name (_seconds, _bytes) and
// _total on counters, as Prometheus' naming practices ask.
//
// Thread safety: none; one writer per text.

#ifndef BROOK_SERVER_PROMETHEUS_TEXT_H_
#define BROOK_SERVER_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace brook {

class PrometheusText {
 public:
  using Labels =
      std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

  // Starts the family `name` of `type` ("counter", "gauge", "histogram").
  void Family(absl::string_view name, absl::string_view type,
              absl::string_view help);

  // A sample named `name` (the family's name, or for a histogram the
  // family's name with _bucket, _sum or _count).
  void Sample(absl::string_view name, Labels labels, int64_t value);
  void Sample(absl::string_view name, Labels labels, double value);

  const std::string& text() const { return text_; }

 private:
  void AppendSeries(absl::string_view name, Labels labels);

  std::string text_;
};

}  // namespace brook

#endif  // BROOK_SERVER_PROMETHEUS_TEXT_H_
