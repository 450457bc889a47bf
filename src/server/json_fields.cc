#include "server/json_fields.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "common/epoch_seconds.h"
#include "common/errors.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/uint128.h"

namespace brook {
namespace {

// A Java int, as Kinesis reads an integer member.
constexpr schema::Shape kJavaInt{.name = "Integer",
                                 .type = schema::ShapeType::kInteger};

std::string JavaClassOf(const boost::json::value& value) {
  if (value.is_bool()) return "class java.lang.Boolean";
  if (value.is_string()) return "class java.lang.String";
  return "class java.math.BigDecimal";
}

absl::Status Serialization(absl::string_view message) {
  return MakeError(ErrorName::kSerializationException, message);
}

}  // namespace

absl::Status NotOfType(const boost::json::value& value,
                       schema::ShapeType expected) {
  using schema::ShapeType;
  switch (expected) {
    case ShapeType::kList:
      return Serialization(value.is_object()
                               ? "Start of structure or map found where not "
                                 "expected."
                               : "Expected list or null");
    case ShapeType::kMap:
    case ShapeType::kStructure:
      if (value.is_array()) {
        return Serialization("Start of list found where not expected");
      }
      return Serialization(expected == ShapeType::kMap ? "Expected map or null"
                                                       : "Expected null");
    default:
      break;
  }
  if (value.is_array()) {
    return Serialization("Start of list found where not expected");
  }
  if (value.is_object()) {
    return Serialization("Start of structure or map found where not expected.");
  }
  constexpr std::pair<ShapeType, absl::string_view> kJavaTypes[] = {
      {ShapeType::kString, "an String"},
      {ShapeType::kInteger, "an Integer"},
      {ShapeType::kLong, "an Long"},
      {ShapeType::kDouble, "an Double"},
      {ShapeType::kBoolean, "an Boolean"},
      {ShapeType::kTimestamp, "a Timestamp"},
      {ShapeType::kBlob, "a Blob"}};
  absl::string_view to;
  for (const auto& [type, words] : kJavaTypes) {
    if (type == expected) to = words;
  }
  return Serialization(
      absl::StrCat(JavaClassOf(value), " can not be converted to ", to));
}

absl::StatusOr<absl::Time> ReadTimestamp(const boost::json::value& value) {
  if (!value.is_number()) {
    return NotOfType(value, schema::ShapeType::kTimestamp);
  }
  absl::optional<absl::Time> time =
      TimeOfEpochSeconds(value.to_number<double>());
  if (!time.has_value()) {
    return Serialization(absl::StrCat(boost::json::serialize(value),
                                      " can not be converted to a Timestamp"));
  }
  return *time;
}

JsonFields::JsonFields(const boost::json::object& object,
                       const JsonFields& parent, absl::string_view name)
    : object_(object), location_(parent.MemberAt(name)) {}

JsonFields::JsonFields(const boost::json::object& object,
                       const JsonFields& parent, absl::string_view list,
                       size_t index)
    : object_(object),
      list_location_(parent.MemberAt(list)),
      location_{.parent = &list_location_,
                .kind = schema::Location::Kind::kEntry,
                .name = {},
                .index = index} {}

schema::Location JsonFields::MemberAt(absl::string_view name) const {
  return schema::Location{.parent = &location_,
                          .kind = schema::Location::Kind::kMember,
                          .name = name};
}

absl::Status JsonFields::Missing(absl::string_view name) const {
  schema::Violations violations;
  violations.Missing(MemberAt(name));
  return violations.ToStatus();
}

template <typename T>
absl::StatusOr<T> JsonFields::Required(absl::StatusOr<absl::optional<T>> value,
                                       absl::string_view name) const {
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Missing(name);
  return **std::move(value);
}

const boost::json::value* JsonFields::Find(absl::string_view name) const {
  const boost::json::value* value =
      object_.if_contains(boost::json::string_view(name.data(), name.size()));
  return value == nullptr || value->is_null() ? nullptr : value;
}

absl::StatusOr<absl::optional<absl::string_view>> JsonFields::Text(
    absl::string_view name, schema::ShapeType type) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (!value->is_string()) return NotOfType(*value, type);
  const boost::json::string& text = value->get_string();
  return absl::string_view(text.data(), text.size());
}

namespace {

absl::StatusOr<absl::optional<std::string>> Copied(
    absl::StatusOr<absl::optional<absl::string_view>> text) {
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::nullopt;
  return std::string(**text);
}

}  // namespace

absl::StatusOr<absl::optional<std::string>> JsonFields::String(
    absl::string_view name) const {
  return Copied(Text(name, schema::ShapeType::kString));
}

absl::StatusOr<absl::optional<absl::string_view>> JsonFields::StringView(
    absl::string_view name) const {
  return Text(name, schema::ShapeType::kString);
}

absl::StatusOr<absl::optional<int64_t>> JsonFields::Integer(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return NotOfType(*value, schema::ShapeType::kLong);
}

absl::StatusOr<absl::optional<bool>> JsonFields::Boolean(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  if (!value->is_bool()) return NotOfType(*value, schema::ShapeType::kBoolean);
  return value->get_bool();
}

absl::StatusOr<absl::optional<absl::Time>> JsonFields::Timestamp(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return absl::nullopt;
  return ReadTimestamp(*value);
}

absl::StatusOr<absl::optional<std::string>> JsonFields::Blob(
    absl::string_view name) const {
  return Copied(Text(name, schema::ShapeType::kBlob));
}

absl::StatusOr<const boost::json::object*> JsonFields::Object(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    return NotOfType(*value, schema::ShapeType::kStructure);
  }
  return &value->get_object();
}

absl::StatusOr<const boost::json::array*> JsonFields::Array(
    absl::string_view name) const {
  const boost::json::value* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) return NotOfType(*value, schema::ShapeType::kList);
  return &value->get_array();
}

absl::StatusOr<int> JsonFields::Int(absl::string_view name,
                                    int default_value) const {
  BROOK_ASSIGN_OR_RETURN(absl::optional<int64_t> value, Integer(name));
  if (!value.has_value()) return default_value;
  schema::Location at = MemberAt(name);
  at.shape = &kJavaInt;
  schema::Violations violations;
  violations.CheckNumber(at, *value);
  BROOK_RETURN_IF_ERROR(violations.ToStatus());
  return static_cast<int>(*value);
}

absl::StatusOr<int> JsonFields::RequiredInt(absl::string_view name) const {
  BROOK_RETURN_IF_ERROR(RequiredInteger(name).status());
  return Int(name, 0);
}

absl::StatusOr<const boost::json::object*> JsonFields::RequiredObject(
    absl::string_view name) const {
  BROOK_ASSIGN_OR_RETURN(const boost::json::object* object, Object(name));
  if (object == nullptr) return Missing(name);
  return object;
}

absl::StatusOr<const boost::json::array*> JsonFields::RequiredArray(
    absl::string_view name) const {
  BROOK_ASSIGN_OR_RETURN(const boost::json::array* array, Array(name));
  if (array == nullptr) return Missing(name);
  return array;
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

absl::StatusOr<absl::string_view> JsonFields::RequiredStringView(
    absl::string_view name) const {
  return Required(StringView(name), name);
}

absl::StatusOr<absl::string_view> JsonFields::RequiredBlobView(
    absl::string_view name) const {
  return Required(Text(name, schema::ShapeType::kBlob), name);
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

absl::StatusOr<absl::optional<StreamMode>> StreamModeOf(
    const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(const boost::json::object* details,
                         fields.Object("StreamModeDetails"));
  if (details == nullptr) return absl::nullopt;
  const JsonFields members(*details, fields, "StreamModeDetails");
  BROOK_ASSIGN_OR_RETURN(std::string mode,
                         members.RequiredString("StreamMode"));
  if (mode == StreamModeToString(StreamMode::kOnDemand)) {
    return StreamMode::kOnDemand;
  }
  if (mode == StreamModeToString(StreamMode::kProvisioned)) {
    return StreamMode::kProvisioned;
  }
  return InvalidArgument(absl::StrCat(
      "StreamMode '", mode, "' is neither PROVISIONED nor ON_DEMAND"));
}

boost::json::value EpochSeconds(absl::Time time) {
  return static_cast<double>(absl::ToUnixMillis(time)) / 1000.0;
}

boost::json::string SequenceNumberJson(
    const SequenceNumber& number, const boost::json::storage_ptr& storage) {
  if (number.is_wide()) return boost::json::string(number.ToString(), storage);
  DecimalDigits digits;
  const absl::string_view text = Uint128ToChars(number.value(), digits);
  return boost::json::string(boost::json::string_view(text.data(), text.size()),
                             storage);
}

namespace {

void AppendSeconds(double seconds, std::string* out) {
  const int64_t millis = std::llround(seconds * 1000);
  const uint64_t magnitude =
      millis < 0 ? -static_cast<uint64_t>(millis) : millis;
  absl::StrAppend(out, millis < 0 ? "-" : "", magnitude / 1000, ".",
                  absl::Dec(magnitude % 1000, absl::kZeroPad3));
}

}  // namespace

std::string SerializeResponse(const boost::json::value& value) {
  std::string out;
  AppendJson(value, AppendSeconds, &out);
  return out;
}

}  // namespace brook
