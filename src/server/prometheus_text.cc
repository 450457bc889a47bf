#include "server/prometheus_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace brook {
namespace {

std::string EscapeHelp(absl::string_view help) {
  return absl::StrReplaceAll(help, {{"\\", "\\\\"}, {"\n", "\\n"}});
}

std::string EscapeLabelValue(absl::string_view value) {
  return absl::StrReplaceAll(value,
                             {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

void PrometheusText::Family(absl::string_view name, absl::string_view type,
                            absl::string_view help) {
  absl::StrAppend(&text_, "# HELP ", name, " ", EscapeHelp(help), "\n",
                  "# TYPE ", name, " ", type, "\n");
}

void PrometheusText::Sample(absl::string_view name, Labels labels,
                            int64_t value) {
  AppendSeries(name, labels);
  absl::StrAppend(&text_, " ", value, "\n");
}

void PrometheusText::Sample(absl::string_view name, Labels labels,
                            double value) {
  AppendSeries(name, labels);
  // Enough digits that a sum of seconds keeps its microseconds.
  absl::StrAppend(&text_, " ", absl::StrFormat("%.15g", value), "\n");
}

void PrometheusText::AppendSeries(absl::string_view name, Labels labels) {
  absl::StrAppend(&text_, name);
  if (labels.size() == 0) return;
  char separator = '{';
  for (const auto& [label, value] : labels) {
    absl::StrAppend(&text_, absl::string_view(&separator, 1), label, "=\"",
                    EscapeLabelValue(value), "\"");
    separator = ',';
  }
  absl::StrAppend(&text_, "}");
}

}  // namespace brook
