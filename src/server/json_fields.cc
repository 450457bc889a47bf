#include "server/json_fields.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook {
namespace {

absl::Status WrongType(absl::string_view name, absl::string_view expected) {
  return MakeError(ErrorName::kSerializationException,
                   absl::StrCat("member '", name, "' must be ", expected));
}

absl::Status Missing(absl::string_view name) {
  return MakeError(
      ErrorName::kValidationException,
      absl::StrCat("1 validation error detected: Value null at '", name,
                   "' failed to satisfy constraint: Member must "
                   "not be null"));
}

template <typename T>
absl::StatusOr<T> Required(absl::StatusOr<absl::optional<T>> value,
                           absl::string_view name) {
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Missing(name);
  return **std::move(value);
}

}  // namespace

const boost::json::value* JsonFields::Find(absl::string_view name) const {
  const boost::json::value* value =
      object_.if_contains(boost::json::string_view(name.data(), name.size()));
  return value == nullptr || value->is_null() ? nullptr : value;
}

absl::StatusOr<absl::optional<std::string>> JsonFields::String(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (!value->is_string()) return WrongType(name, "a string");
  return std::string(value->get_string());
}

absl::StatusOr<absl::optional<int64_t>> JsonFields::Integer(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return WrongType(name, "an integer");
}

absl::StatusOr<absl::optional<bool>> JsonFields::Boolean(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (!value->is_bool()) return WrongType(name, "a boolean");
  return value->get_bool();
}

absl::StatusOr<absl::optional<absl::Time>> JsonFields::Timestamp(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (!value->is_number()) return WrongType(name, "epoch seconds");
  const double seconds = value->to_number<double>();
  // Beyond year 5000 either way is no timestamp a client means.
  constexpr double kMaxSeconds = 1e11;
  if (!std::isfinite(seconds) || std::abs(seconds) > kMaxSeconds) {
    return MakeError(ErrorName::kValidationException,
                     absl::StrCat("member '", name, "' is out of range"));
  }
  return absl::FromUnixMillis(
      static_cast<int64_t>(std::llround(seconds * 1000)));
}

absl::StatusOr<absl::optional<std::string>> JsonFields::Blob(
    absl::string_view name) const {
  absl::StatusOr<absl::optional<std::string>> text = String(name);
  if (!text.ok() || !text->has_value()) return text;
  absl::StatusOr<std::string> bytes = DecodeBase64(**text);
  if (!bytes.ok()) {
    return InvalidArgument(
        absl::StrCat("member '", name, "': ", bytes.status().message()));
  }
  return *std::move(bytes);
}

absl::StatusOr<const boost::json::object*> JsonFields::Object(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) return WrongType(name, "an object");
  return &value->get_object();
}

absl::StatusOr<const boost::json::array*> JsonFields::Array(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) return WrongType(name, "a list");
  return &value->get_array();
}

absl::StatusOr<std::string> JsonFields::RequiredString(
    absl::string_view name) const {
  return Required(String(name), name);
}

absl::StatusOr<int64_t> JsonFields::RequiredInteger(
    absl::string_view name) const {
  return Required(Integer(name), name);
}

absl::StatusOr<std::string> JsonFields::RequiredBlob(
    absl::string_view name) const {
  return Required(Blob(name), name);
}

absl::StatusOr<std::string> StreamOf(const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> arn,
                         fields.String("StreamARN"));
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> name,
                         fields.String("StreamName"));
  if (arn.has_value() && name.has_value()) {
    const size_t slash = arn->rfind("stream/");
    if (slash == std::string::npos ||
        absl::string_view(*arn).substr(slash + 7) != *name) {
      return InvalidArgument(
          absl::StrCat("StreamARN ", *arn, " does not name stream ", *name));
    }
  }
  if (arn.has_value()) return *std::move(arn);
  return name.value_or("");
}

boost::json::value EpochSeconds(absl::Time time) {
  return static_cast<double>(absl::ToUnixMillis(time)) / 1000.0;
}

namespace {

void AppendSeconds(double seconds, std::string* out) {
  const int64_t millis = std::llround(seconds * 1000);
  const uint64_t magnitude =
      millis < 0 ? -static_cast<uint64_t>(millis) : millis;
  absl::StrAppend(out, millis < 0 ? "-" : "", magnitude / 1000, ".",
                  absl::Dec(magnitude % 1000, absl::kZeroPad3));
}

void AppendJson(const boost::json::value& value, std::string* out) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out->push_back(',');
        first = false;
        out->append(boost::json::serialize(boost::json::string_view(
            member.key().data(), member.key().size())));
        out->push_back(':');
        AppendJson(member.value(), out);
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
        AppendJson(entry, out);
      }
      out->push_back(']');
      return;
    }
    case boost::json::kind::double_:
      AppendSeconds(value.get_double(), out);
      return;
    default:
      out->append(boost::json::serialize(value));
      return;
  }
}

}  // namespace

std::string SerializeResponse(const boost::json::value& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

}  // namespace brook
