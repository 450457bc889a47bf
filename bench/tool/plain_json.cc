#include "tool/plain_json.h"

#include <charconv>
#include <cmath>

#include "boost/json/serialize.hpp"

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

void Append(const boost::json::value& value, std::string* out) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      AppendDouble(value.get_double(), out);
      return;
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const boost::json::value& element : value.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        Append(element, out);
      }
      out->push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const boost::json::key_value_pair& member : value.get_object()) {
        if (!first) out->push_back(',');
        first = false;
        out->append(boost::json::serialize(member.key()));
        out->push_back(':');
        Append(member.value(), out);
      }
      out->push_back('}');
      return;
    }
    default:  // Strings, integers, booleans and null have one form.
      out->append(boost::json::serialize(value));
  }
}

}  // namespace

std::string PlainJson(const boost::json::value& value) {
  std::string out;
  Append(value, &out);
  return out;
}

}  // namespace brook::bench
