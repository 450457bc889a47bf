#include "tool/plain_json.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"

namespace brook::bench {
namespace {

void AppendDouble(double number, std::string* out) {
  if (!std::isfinite(number)) {
    out->append("null");
    return;
  }
  // Fixed notation of a double needs at most 309 integer digits and 1074
  // fraction digits (the smallest subnormal); the shortest round-trip form
  // is far shorter in practice but must fit in any case.
  char buffer[1100];
  const std::to_chars_result result = std::to_chars(
      buffer, buffer + sizeof(buffer), number, std::chars_format::fixed);
  out->append(buffer, result.ptr);
}

}  // namespace

std::string PlainJson(const boost::json::value& value) {
  std::string out;
  AppendJson(value, AppendDouble, &out);
  return out;
}

}  // namespace brook::bench
