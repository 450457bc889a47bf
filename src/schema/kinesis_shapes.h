// The Kinesis API's shapes, as its model defines them: every operation's
// input and output, and every shape they reach, with its type and the
// model's constraints. One table serves every use of the model: validating
// requests (constraints.h), reading and writing them on the wire, in JSON
// now and CBOR later (where blobs and timestamps have forms of their own).
//
// The table is generated from the AWS model by gen_kinesis_shapes.py into
// kinesis_model.inc; only facts are kept (names, types, constraints).
//
// Thread safety: immutable data; every function is safe to call from any
// thread.

#ifndef BROOK_SCHEMA_KINESIS_SHAPES_H_
#define BROOK_SCHEMA_KINESIS_SHAPES_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace brook::schema {

// The model's shape types. A timestamp is epoch seconds in JSON and epoch
// milliseconds in CBOR; a blob is base64 text in JSON and a byte string in
// CBOR.
enum class ShapeType : uint8_t {
  kString,
  kInteger,
  kLong,
  kDouble,
  kBoolean,
  kBlob,
  kTimestamp,
  kStructure,
  kList,
  kMap,
};

using ShapeId = uint16_t;
inline constexpr ShapeId kNoShape = 0xffff;

struct Member {
  absl::string_view name;  // As on the wire, e.g. "StreamName".
  ShapeId shape;
  bool required;
};

// Every field but the name and type has a default, so that the generated
// table names only what the model sets (a field without one would be a
// missing initializer in every entry that leaves it out).
struct Shape {
  absl::string_view name;
  ShapeType type;
  // Bounds: of the value (integer, long), of the length in characters
  // (string), bytes (blob) or entries (list, map).
  std::optional<int64_t> min = std::nullopt;
  std::optional<int64_t> max = std::nullopt;
  // A regular expression the whole string must match; empty if none.
  absl::string_view pattern = {};
  // The enum values of a string shape: kEnumValues[first, first + count).
  uint16_t first_enum_value = 0;
  uint16_t enum_value_count = 0;
  // A structure's members: kMembers[first, first + count).
  uint16_t first_member = 0;
  uint16_t member_count = 0;
  // A list's member shape, or a map's value shape.
  ShapeId element = kNoShape;
  // A map's key shape.
  ShapeId key = kNoShape;
  // A structure whose members are the events of an event stream.
  bool event_stream = false;
};

struct Operation {
  absl::string_view name;  // e.g. "PutRecord".
  ShapeId input;           // kNoShape if it takes none.
  ShapeId output;          // kNoShape if it returns nothing.
};

// Every operation of the model, in name order.
absl::Span<const Operation> Operations();

// The operation named `name`, or nullptr.
const Operation* FindOperation(absl::string_view name);

// Every shape of the table, in name order.
absl::Span<const Shape> Shapes();

// The shape named `name` (e.g. "StreamName"), or nullptr.
const Shape* FindShape(absl::string_view name);

// REQUIRES: `id` is a ShapeId from this table (not kNoShape).
const Shape& ShapeAt(ShapeId id);

// A structure's members in the model's order; empty for other shapes.
absl::Span<const Member> MembersOf(const Shape& shape);

// The member of `structure` named `name`, or nullptr.
const Member* FindMember(const Shape& structure, absl::string_view name);

// A string shape's enum values in the model's order; empty if it has none.
absl::Span<const absl::string_view> EnumValuesOf(const Shape& shape);

}  // namespace brook::schema

#endif  // BROOK_SCHEMA_KINESIS_SHAPES_H_
