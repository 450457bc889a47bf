#include "common/json_writer.h"

#include "boost/json/serializer.hpp"

namespace brook {
namespace {

// Appends what `writer` (reset to a value) writes, through a buffer on the
// stack: an answer of 500 entries writes a few thousand scalars, none of
// which needs a string of its own.
void AppendWritten(boost::json::serializer& writer, std::string* out) {
  char buffer[256];
  while (!writer.done()) {
    const boost::json::string_view part = writer.read(buffer);
    out->append(part.data(), part.size());
  }
}

void Append(const boost::json::value& value, boost::json::serializer& writer,
            absl::FunctionRef<void(double, std::string*)> append_double,
            std::string* out) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const boost::json::key_value_pair& member : value.get_object()) {
        if (!first) out->push_back(',');
        first = false;
        writer.reset(member.key());
        AppendWritten(writer, out);
        out->push_back(':');
        Append(member.value(), writer, append_double, out);
      }
      out->push_back('}');
      return;
    }
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const boost::json::value& entry : value.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        Append(entry, writer, append_double, out);
      }
      out->push_back(']');
      return;
    }
    case boost::json::kind::double_:
      append_double(value.get_double(), out);
      return;
    default:  // Strings, integers, booleans and null have one form.
      writer.reset(&value);
      AppendWritten(writer, out);
      return;
  }
}

}  // namespace

void AppendJson(const boost::json::value& value,
                absl::FunctionRef<void(double, std::string*)> append_double,
                std::string* out) {
  boost::json::serializer writer;
  Append(value, writer, append_double, out);
}

}  // namespace brook
