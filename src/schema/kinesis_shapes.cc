#include "schema/kinesis_shapes.h"

#include <algorithm>
#include <cassert>

namespace brook::schema {
namespace {

#include "schema/kinesis_model.inc"

template <typename T, size_t n>
constexpr bool SortedByName(const T (&table)[n]) {
  for (size_t i = 1; i < n; ++i) {
    if (!(table[i - 1].name < table[i].name)) return false;
  }
  return true;
}
static_assert(SortedByName(kOperations), "FindOperation() searches by name");
static_assert(SortedByName(kShapes), "FindShape() searches by name");

template <typename T, size_t n>
const T* FindByName(const T (&table)[n], absl::string_view name) {
  const T* it = std::lower_bound(
      std::begin(table), std::end(table), name,
      [](const T& entry, absl::string_view key) { return entry.name < key; });
  return it != std::end(table) && it->name == name ? it : nullptr;
}

}  // namespace

absl::Span<const Operation> Operations() { return kOperations; }

const Operation* FindOperation(absl::string_view name) {
  return FindByName(kOperations, name);
}

absl::Span<const Shape> Shapes() { return kShapes; }

const Shape* FindShape(absl::string_view name) {
  return FindByName(kShapes, name);
}

const Shape& ShapeAt(ShapeId id) {
  assert(id < std::size(kShapes));
  return kShapes[id];
}

absl::Span<const Member> MembersOf(const Shape& shape) {
  return absl::MakeConstSpan(kMembers + shape.first_member, shape.member_count);
}

const Member* FindMember(const Shape& structure, absl::string_view name) {
  for (const Member& member : MembersOf(structure)) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

absl::Span<const absl::string_view> EnumValuesOf(const Shape& shape) {
  return absl::MakeConstSpan(kEnumValues + shape.first_enum_value,
                             shape.enum_value_count);
}

}  // namespace brook::schema
