#include "schema/constraints.h"

#include <algorithm>
#include <cassert>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "re2/re2.h"

namespace brook::schema {
namespace {

std::string LowerFirst(absl::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = absl::ascii_tolower(out[0]);
  return out;
}

std::string Join(absl::string_view parent, absl::string_view child) {
  return parent.empty() ? std::string(child) : absl::StrCat(parent, ".", child);
}

// Every pattern of the model, compiled once. Java's String.matches(), which
// AWS applies, matches the whole value, as FullMatch() does.
const RE2& PatternOf(absl::string_view pattern) {
  static const auto* const compiled = [] {
    auto* map =
        new absl::flat_hash_map<absl::string_view, std::unique_ptr<RE2>>();
    RE2::Options options;
    options.set_log_errors(false);
    for (const Shape& shape : Shapes()) {
      if (shape.pattern.empty() || map->contains(shape.pattern)) continue;
      auto re = std::make_unique<RE2>(
          re2::StringPiece(shape.pattern.data(), shape.pattern.size()),
          options);
      assert(re->ok());
      map->emplace(shape.pattern, std::move(re));
    }
    return map;
  }();
  return *compiled->at(pattern);
}

bool MatchesPattern(absl::string_view pattern, absl::string_view value) {
  return RE2::FullMatch(re2::StringPiece(value.data(), value.size()),
                        PatternOf(pattern));
}

// A string's length as the model counts it: in characters. Bytes stand in
// for text that is not UTF-8, which Kinesis' own rules then refuse.
int64_t LengthOf(absl::string_view value) {
  const int64_t characters = CountUtf8Characters(value);
  return characters >= 0 ? characters : static_cast<int64_t>(value.size());
}

}  // namespace

std::string Location::Path() const {
  switch (kind) {
    case Kind::kInput:
      return "";
    case Kind::kMember:
      return Join(parent->Path(), LowerFirst(name));
    case Kind::kEntry:
      return absl::StrCat(parent->Path(), ".", index + 1, ".member");
    case Kind::kMapValue:
      return absl::StrCat(parent->Path(), ".", name, ".member");
  }
  return "";
}

Location InputOf(absl::string_view operation) {
  const Operation* op = FindOperation(operation);
  assert(op != nullptr && op->input != kNoShape);
  return Location{.shape = &ShapeAt(op->input)};
}

Location MemberOf(const Location& structure, absl::string_view member) {
  const Member* found = FindMember(*structure.shape, member);
  return Location{.shape = found == nullptr ? nullptr : &ShapeAt(found->shape),
                  .parent = &structure,
                  .kind = Location::Kind::kMember,
                  .name = member};
}

Location EntryOf(const Location& list, size_t index) {
  return Location{.shape = &ShapeAt(list.shape->element),
                  .parent = &list,
                  .kind = Location::Kind::kEntry,
                  .index = index};
}

Location ValueOf(const Location& map, absl::string_view key) {
  return Location{.shape = &ShapeAt(map.shape->element),
                  .parent = &map,
                  .kind = Location::Kind::kMapValue,
                  .name = key};
}

int64_t CountUtf8Characters(absl::string_view text) {
  int64_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return -1;
    }
    if (i + length > text.size()) return -1;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return -1;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    constexpr uint32_t kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return -1;
    }
    i += length;
    ++count;
  }
  return count;
}

std::string BlobText(size_t bytes) {
  return absl::StrCat("java.nio.HeapByteBuffer[pos=0 lim=", bytes,
                      " cap=", bytes, "]");
}

void Violations::Add(absl::string_view value_text, bool quote,
                     const Location& at, absl::string_view rule) {
  if (messages_.size() >= kMaxReported) return;
  messages_.push_back(absl::StrCat("Value ", quote ? "'" : "", value_text,
                                   quote ? "'" : "", " at '", at.Path(),
                                   "' failed to satisfy constraint: ", rule));
}

void Violations::Missing(const Location& at) {
  Add("null", /*quote=*/false, at, "Member must not be null");
}

void Violations::CheckString(const Location& at, absl::string_view value) {
  const Shape& shape = *at.shape;
  if (!shape.pattern.empty() && !MatchesPattern(shape.pattern, value)) {
    Add(value, true, at,
        absl::StrCat("Member must satisfy regular expression pattern: ",
                     shape.pattern));
  }
  const int64_t length = LengthOf(value);
  if (shape.min.has_value() && length < *shape.min) {
    Add(value, true, at,
        absl::StrCat("Member must have length greater than or equal to ",
                     *shape.min));
  }
  if (shape.max.has_value() && length > *shape.max) {
    Add(value, true, at,
        absl::StrCat("Member must have length less than or equal to ",
                     *shape.max));
  }
  const absl::Span<const absl::string_view> values = EnumValuesOf(shape);
  if (!values.empty() &&
      std::find(values.begin(), values.end(), value) == values.end()) {
    Add(value, true, at,
        absl::StrCat("Member must satisfy enum value set: [",
                     absl::StrJoin(values, ", "), "]"));
  }
}

void Violations::CheckNumber(const Location& at, int64_t value) {
  const Shape& shape = *at.shape;
  // An integer shape is a Java int: its 32 bits bound it where the model
  // sets no bound of its own.
  const bool is_int = shape.type == ShapeType::kInteger;
  const std::optional<int64_t> min =
      shape.min.has_value() || !is_int ? shape.min : INT32_MIN;
  const std::optional<int64_t> max =
      shape.max.has_value() || !is_int ? shape.max : INT32_MAX;
  if (min.has_value() && value < *min) {
    Add(absl::StrCat(value), true, at,
        absl::StrCat("Member must have value greater than or equal to ", *min));
  }
  if (max.has_value() && value > *max) {
    Add(absl::StrCat(value), true, at,
        absl::StrCat("Member must have value less than or equal to ", *max));
  }
}

void Violations::CheckBlob(const Location& at, size_t bytes) {
  const Shape& shape = *at.shape;
  const int64_t length = static_cast<int64_t>(bytes);
  if (shape.min.has_value() && length < *shape.min) {
    Add(BlobText(bytes), true, at,
        absl::StrCat("Member must have length greater than or equal to ",
                     *shape.min));
  }
  if (shape.max.has_value() && length > *shape.max) {
    Add(BlobText(bytes), true, at,
        absl::StrCat("Member must have length less than or equal to ",
                     *shape.max));
  }
}

void Violations::CheckCount(const Location& at, size_t count,
                            absl::FunctionRef<std::string()> text) {
  const Shape& shape = *at.shape;
  const int64_t length = static_cast<int64_t>(count);
  if (shape.min.has_value() && length < *shape.min) {
    Add(text(), true, at,
        absl::StrCat("Member must have length greater than or equal to ",
                     *shape.min));
  }
  if (shape.max.has_value() && length > *shape.max) {
    Add(text(), true, at,
        absl::StrCat("Member must have length less than or equal to ",
                     *shape.max));
  }
}

namespace {

// A shape's rules as AWS lists them inside a bracket.
std::vector<std::string> RulesOf(const Shape& shape) {
  std::vector<std::string> rules;
  if (shape.max.has_value()) {
    rules.push_back(absl::StrCat(
        "Member must have length less than or equal to ", *shape.max));
  }
  if (shape.min.has_value()) {
    rules.push_back(absl::StrCat(
        "Member must have length greater than or equal to ", *shape.min));
  }
  if (!shape.pattern.empty()) {
    rules.push_back(absl::StrCat(
        "Member must satisfy regular expression pattern: ", shape.pattern));
  }
  const absl::Span<const absl::string_view> values = EnumValuesOf(shape);
  if (!values.empty()) {
    rules.push_back(absl::StrCat("Member must satisfy enum value set: [",
                                 absl::StrJoin(values, ", "), "]"));
  }
  return rules;
}

}  // namespace

void Violations::CheckPart(const Location& container, Part part,
                           const Shape& shape, absl::string_view value,
                           absl::FunctionRef<std::string()> container_text) {
  const std::pair<const Location*, Part> reported(&container, part);
  if (std::find(reported_parts_.begin(), reported_parts_.end(), reported) !=
      reported_parts_.end()) {
    return;
  }
  const Location at{.shape = &shape, .parent = &container};
  Violations of_part;
  of_part.CheckString(at, value);
  if (of_part.empty()) return;
  reported_parts_.push_back(reported);
  constexpr absl::string_view kPrefixes[] = {
      "Member must satisfy constraint: [",
      "Map keys must satisfy constraint: [",
      "Map value must satisfy constraint: ["};
  Add(container_text(), true, container,
      absl::StrCat(kPrefixes[static_cast<int>(part)],
                   absl::StrJoin(RulesOf(shape), ", "), "]"));
}

void Violations::CheckElement(const Location& element, absl::string_view value,
                              absl::FunctionRef<std::string()> container_text) {
  assert(element.kind == Location::Kind::kEntry ||
         element.kind == Location::Kind::kMapValue);
  CheckPart(*element.parent,
            element.kind == Location::Kind::kEntry ? Part::kEntries
                                                   : Part::kMapValues,
            *element.shape, value, container_text);
}

void Violations::CheckMapKey(const Location& map, absl::string_view key,
                             absl::FunctionRef<std::string()> map_text) {
  CheckPart(map, Part::kMapKeys, ShapeAt(map.shape->key), key, map_text);
}

absl::Status Violations::ToStatus() const {
  if (messages_.empty()) return absl::OkStatus();
  return MakeError(ErrorName::kValidationException,
                   absl::StrCat(messages_.size(), " validation error",
                                messages_.size() == 1 ? "" : "s",
                                " detected: ", absl::StrJoin(messages_, "; ")));
}

RequestCheck::RequestCheck(absl::string_view operation)
    : input_(InputOf(operation)) {}

Location RequestCheck::Member(absl::string_view member) const {
  Location at = MemberOf(input_, member);
  assert(at.shape != nullptr);
  return at;
}

// Brook takes a name or an ARN wherever Kinesis takes either: where the
// operation has only one of the members, the other's shape checks it.
Location RequestCheck::StreamMember(absl::string_view member) const {
  Location at = MemberOf(input_, member);
  if (at.shape == nullptr) at.shape = FindShape(member);
  return at;
}

RequestCheck& RequestCheck::String(absl::string_view member,
                                   absl::string_view value) {
  violations_.CheckString(Member(member), value);
  return *this;
}

RequestCheck& RequestCheck::OptionalString(absl::string_view member,
                                           absl::string_view value) {
  if (!value.empty()) String(member, value);
  return *this;
}

RequestCheck& RequestCheck::Number(absl::string_view member, int64_t value) {
  violations_.CheckNumber(Member(member), value);
  return *this;
}

RequestCheck& RequestCheck::Stream(absl::string_view name_or_arn) {
  if (name_or_arn.empty()) return *this;
  const bool arn = name_or_arn.substr(0, 4) == "arn:";
  violations_.CheckString(StreamMember(arn ? "StreamARN" : "StreamName"),
                          name_or_arn);
  return *this;
}

}  // namespace brook::schema
