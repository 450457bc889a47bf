#include "server/request_validator.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "boost/json/serialize.hpp"
#include "common/base64.h"
#include "common/errors.h"
#include "schema/constraints.h"
#include "server/json_fields.h"

namespace brook {
namespace {

namespace json = boost::json;
using schema::Location;
using schema::Shape;
using schema::ShapeType;

absl::string_view StringOf(const json::string& text) {
  return absl::string_view(text.data(), text.size());
}

absl::string_view StringOf(const json::value& value) {
  return StringOf(value.get_string());
}

absl::Status Serialization(std::string message) {
  return MakeError(ErrorName::kSerializationException, message);
}

// A blob member of a JSON body, base64 text, becomes its bytes in place:
// one pass, no copy. A failure leaves the text, which the message quotes.
absl::Status DecodeBlob(json::string& text) {
  if (text.size() % 4 != 0) {
    return Serialization(absl::StrCat(
        "'", StringOf(text),
        "' can not be converted to a Blob: Base64 encoded length ",
        "is expected a multiple of 4 bytes but found: ", text.size()));
  }
  absl::StatusOr<size_t> size =
      DecodeBase64InPlace(absl::MakeSpan(text.data(), text.size()));
  if (!size.ok()) {
    return Serialization(absl::StrCat(
        "'", StringOf(text), "' can not be converted to a Blob: Invalid ",
        "Base64 character or padding"));
  }
  text.resize(*size);
  return absl::OkStatus();
}

// Pass 1: JSON types; blobs become bytes.
absl::Status CheckTypes(json::value& value, const Shape& shape, BlobForm blobs);

absl::Status CheckStructureTypes(json::object& object, const Shape& shape,
                                 BlobForm blobs) {
  for (const schema::Member& member : schema::MembersOf(shape)) {
    json::value* found = object.if_contains(
        json::string_view(member.name.data(), member.name.size()));
    if (found == nullptr || found->is_null()) continue;
    if (absl::Status status =
            CheckTypes(*found, schema::ShapeAt(member.shape), blobs);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTypes(json::value& value, const Shape& shape,
                        BlobForm blobs) {
  switch (shape.type) {
    case ShapeType::kString:
      if (!value.is_string()) return NotOfType(value, shape.type);
      return absl::OkStatus();
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (!value.is_int64() && !value.is_uint64()) {
        return NotOfType(value, shape.type);
      }
      return absl::OkStatus();
    case ShapeType::kDouble:
      if (!value.is_number()) return NotOfType(value, shape.type);
      return absl::OkStatus();
    case ShapeType::kBoolean:
      if (!value.is_bool()) return NotOfType(value, shape.type);
      return absl::OkStatus();
    case ShapeType::kTimestamp:
      return ReadTimestamp(value).status();
    case ShapeType::kBlob:
      if (!value.is_string()) return NotOfType(value, shape.type);
      if (blobs == BlobForm::kBytes) return absl::OkStatus();
      return DecodeBlob(value.get_string());
    case ShapeType::kList: {
      if (!value.is_array()) return NotOfType(value, shape.type);
      const Shape& element = schema::ShapeAt(shape.element);
      for (json::value& entry : value.get_array()) {
        if (entry.is_null()) continue;
        if (absl::Status status = CheckTypes(entry, element, blobs);
            !status.ok()) {
          return status;
        }
      }
      return absl::OkStatus();
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return NotOfType(value, shape.type);
      const Shape& element = schema::ShapeAt(shape.element);
      for (auto& entry : value.get_object()) {
        if (entry.value().is_null()) continue;
        if (absl::Status status = CheckTypes(entry.value(), element, blobs);
            !status.ok()) {
          return status;
        }
      }
      return absl::OkStatus();
    }
    case ShapeType::kStructure:
      if (!value.is_object()) return NotOfType(value, shape.type);
      return CheckStructureTypes(value.get_object(), shape, blobs);
  }
  return absl::OkStatus();
}

// How a value shows in a violation's message.
std::string Text(const json::value& value, const Shape& shape) {
  switch (shape.type) {
    case ShapeType::kString:
      return std::string(StringOf(value));
    case ShapeType::kBlob:
      return schema::BlobText(value.get_string().size());
    case ShapeType::kList: {
      std::vector<std::string> entries;
      for (const json::value& entry : value.get_array()) {
        entries.push_back(entry.is_null()
                              ? "null"
                              : Text(entry, schema::ShapeAt(shape.element)));
      }
      return absl::StrCat("[", absl::StrJoin(entries, ", "), "]");
    }
    case ShapeType::kMap: {
      std::vector<std::string> entries;
      for (const auto& entry : value.get_object()) {
        entries.push_back(absl::StrCat(
            std::string(entry.key()), "=",
            entry.value().is_null()
                ? "null"
                : Text(entry.value(), schema::ShapeAt(shape.element))));
      }
      return absl::StrCat("{", absl::StrJoin(entries, ", "), "}");
    }
    case ShapeType::kStructure: {
      std::vector<std::string> members;
      for (const schema::Member& member : schema::MembersOf(shape)) {
        const json::value* found = value.get_object().if_contains(
            json::string_view(member.name.data(), member.name.size()));
        if (found == nullptr || found->is_null()) continue;
        members.push_back(absl::StrCat(
            member.name, "=", Text(*found, schema::ShapeAt(member.shape))));
      }
      return absl::StrCat(shape.name, "(", absl::StrJoin(members, ", "), ")");
    }
    default:
      return json::serialize(value);
  }
}

// Pass 2: the model's constraints, on values of the right types.
void CheckConstraints(const json::value& value, const Location& at,
                      schema::Violations& violations);

// An entry of a list or a value of a map: a string is reported at its
// container, as AWS does; a structure's members at their own paths.
void CheckEntry(const json::value& value, const Location& at,
                absl::FunctionRef<std::string()> container_text,
                schema::Violations& violations) {
  if (at.shape->type == ShapeType::kString) {
    violations.CheckElement(at, StringOf(value), container_text);
    return;
  }
  CheckConstraints(value, at, violations);
}

// Whether `member` of `structure` must be present: the model requires it,
// or Brook does. The newest model leaves PartitionKey optional, for streams
// with the AUTO record distribution strategy; every Brook stream routes
// records by their partition key, so Brook requires it. Both kinds are
// checked in one pass, so that a request missing several members is told
// of every one, in the model's member order, as AWS tells of them.
bool IsRequired(const Shape& structure, const schema::Member& member) {
  constexpr std::pair<absl::string_view, absl::string_view> kBrookRequires[] = {
      {"PutRecordInput", "PartitionKey"},
      {"PutRecordsRequestEntry", "PartitionKey"}};
  return member.required ||
         std::find(std::begin(kBrookRequires), std::end(kBrookRequires),
                   std::make_pair(structure.name, member.name)) !=
             std::end(kBrookRequires);
}

void CheckStructure(const json::object& object, const Location& at,
                    schema::Violations& violations) {
  for (const schema::Member& member : schema::MembersOf(*at.shape)) {
    const Location member_at = schema::MemberOf(at, member.name);
    const json::value* found = object.if_contains(
        json::string_view(member.name.data(), member.name.size()));
    if (found == nullptr || found->is_null()) {
      if (IsRequired(*at.shape, member)) violations.Missing(member_at);
      continue;
    }
    CheckConstraints(*found, member_at, violations);
  }
}

void CheckConstraints(const json::value& value, const Location& at,
                      schema::Violations& violations) {
  const Shape& shape = *at.shape;
  switch (shape.type) {
    case ShapeType::kString:
      violations.CheckString(at, StringOf(value));
      return;
    case ShapeType::kInteger:
    case ShapeType::kLong:
      violations.CheckNumber(at,
                             value.is_uint64() && value.get_uint64() > INT64_MAX
                                 ? INT64_MAX
                                 : value.to_number<int64_t>());
      return;
    case ShapeType::kBlob:
      violations.CheckBlob(at, value.get_string().size());
      return;
    case ShapeType::kList: {
      const json::array& list = value.get_array();
      auto text = [&] { return Text(value, shape); };
      violations.CheckCount(at, list.size(), text);
      for (size_t i = 0; i < list.size(); ++i) {
        const Location entry = schema::EntryOf(at, i);
        if (list[i].is_null()) {
          violations.Missing(entry);
          continue;
        }
        CheckEntry(list[i], entry, text, violations);
      }
      return;
    }
    case ShapeType::kMap: {
      const json::object& map = value.get_object();
      auto text = [&] { return Text(value, shape); };
      violations.CheckCount(at, map.size(), text);
      for (const auto& entry : map) {
        const absl::string_view key(entry.key().data(), entry.key().size());
        violations.CheckMapKey(at, key, text);
        const Location value_at = schema::ValueOf(at, key);
        if (entry.value().is_null()) {
          violations.Missing(value_at);
          continue;
        }
        CheckEntry(entry.value(), value_at, text, violations);
      }
      return;
    }
    case ShapeType::kStructure:
      CheckStructure(value.get_object(), at, violations);
      return;
    case ShapeType::kDouble:
    case ShapeType::kBoolean:
    case ShapeType::kTimestamp:
      return;
  }
}

}  // namespace

absl::Status ValidateRequest(const schema::Operation& operation, BlobForm blobs,
                             json::object& body) {
  const Shape& input = schema::ShapeAt(operation.input);
  if (absl::Status status = CheckStructureTypes(body, input, blobs);
      !status.ok()) {
    return status;
  }
  schema::Violations violations;
  Location root;
  root.shape = &input;
  CheckStructure(body, root, violations);
  return violations.ToStatus();
}

}  // namespace brook
