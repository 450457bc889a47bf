// Checking values against the Kinesis API model's constraints, with AWS's
// words: each violation reads
//   Value '<value>' at '<path>' failed to satisfy constraint: <rule>
// and a request's violations are reported together as one
// ValidationException, "N validation errors detected: <v1>; <v2>".
//
// A Location names the place of a value in a request: its shape and its
// path as AWS writes it (member names with a lower-case first letter,
// list entries as "records.1.member"; a string entry of a list or value of
// a map is reported at its list or map, as AWS does).
// The server walks JSON bodies with it, and the library checks its request
// structs with RequestCheck, so both report the same violations.
//
// Thread safety: Violations and RequestCheck are not thread-safe; the rest
// are pure functions.

#ifndef BROOK_SCHEMA_CONSTRAINTS_H_
#define BROOK_SCHEMA_CONSTRAINTS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "schema/kinesis_shapes.h"

namespace brook::schema {

// A place in a request. Locations chain to their parents, which must
// outlive them (they live on the stack of a walk), so that a path is spelt
// out only when a violation needs it.
struct Location {
  enum class Kind : uint8_t { kInput, kMember, kEntry, kMapValue };

  const Shape* shape = nullptr;  // Null: no such member in the model.
  const Location* parent = nullptr;
  Kind kind = Kind::kInput;
  absl::string_view name;  // The member's name, or the map key.
  size_t index = 0;        // The list entry's index, from 0.

  // The path as AWS writes it, e.g. "records.1.member.partitionKey".
  std::string Path() const;
};

// The input of `operation`. REQUIRES: the operation exists and takes input.
Location InputOf(absl::string_view operation);
// The member `member` of the structure at `structure` (its shape is null
// if the structure has no such member).
Location MemberOf(const Location& structure, absl::string_view member);
// Entry `index` (0-based; AWS counts from 1) of the list at `list`.
Location EntryOf(const Location& list, size_t index);
// The value under `key` of the map at `map`.
Location ValueOf(const Location& map, absl::string_view key);

// The number of Unicode characters in `text`, or -1 if it is not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
int64_t CountUtf8Characters(absl::string_view text);

// How AWS shows a blob of `bytes` bytes in a message.
std::string BlobText(size_t bytes);

// The violations of one request.
class Violations {
 public:
  // AWS reports at most this many.
  static constexpr size_t kMaxReported = 10;

  // A required member that is absent (or null).
  void Missing(const Location& at);
  // A present string: its pattern, length and enum values.
  void CheckString(const Location& at, absl::string_view value);
  // A present integer or long: its range.
  void CheckNumber(const Location& at, int64_t value);
  // A present blob of `bytes` bytes: its length.
  void CheckBlob(const Location& at, size_t bytes);
  // A present list or map of `count` entries, shown as `text()` (called
  // only for a violation: a PutRecords' list is long to show).
  void CheckCount(const Location& at, size_t count,
                  absl::FunctionRef<std::string()> text);
  // The string elements of lists and maps are reported as AWS does: once
  // per list or map, at the list or map (shown as `container_text()`),
  // with every rule of the element's shape in brackets, e.g.
  //   Value '[a, <129 k's>, b]' at 'tagKeys' failed to satisfy constraint:
  //   Member must satisfy constraint: [Member must have length less than
  //   or equal to 128, Member must have length greater than or equal to 1]
  // A map's values say "Map value must satisfy constraint", its keys "Map
  // keys must satisfy constraint".
  // REQUIRES: `element` is an EntryOf() or ValueOf() of a string shape.
  void CheckElement(const Location& element, absl::string_view value,
                    absl::FunctionRef<std::string()> container_text);
  void CheckMapKey(const Location& map, absl::string_view key,
                   absl::FunctionRef<std::string()> map_text);

  bool empty() const { return messages_.empty(); }
  // OK if there are none, otherwise a ValidationException listing them.
  absl::Status ToStatus() const;

 private:
  enum class Part : uint8_t { kEntries, kMapKeys, kMapValues };

  void Add(absl::string_view value_text, bool quote, const Location& at,
           absl::string_view rule);
  // Checks `value`, one of the `part` of `container`, against `shape`.
  void CheckPart(const Location& container, Part part, const Shape& shape,
                 absl::string_view value,
                 absl::FunctionRef<std::string()> container_text);

  std::vector<std::string> messages_;
  // The parts of lists and maps already reported (their Locations outlive
  // the walk that reports them).
  std::vector<std::pair<const Location*, Part>> reported_parts_;
};

// Checks a request given as values rather than JSON (the C++ library's
// requests), against the input shape of one operation.
//
//   RequestCheck check("CreateStream");
//   check.String("StreamName", request.stream_name);
//   check.Number("ShardCount", request.shard_count);
//   BROOK_RETURN_IF_ERROR(check.Finish());
class RequestCheck {
 public:
  // REQUIRES: `operation` is in the model and takes input.
  explicit RequestCheck(absl::string_view operation);
  RequestCheck(const RequestCheck&) = delete;
  RequestCheck& operator=(const RequestCheck&) = delete;

  const Location& input() const { return input_; }
  Violations& violations() { return violations_; }

  // Each checks a present member of the input (REQUIRES: the model has it).
  RequestCheck& String(absl::string_view member, absl::string_view value);
  // An empty `value` is an absent member.
  RequestCheck& OptionalString(absl::string_view member,
                               absl::string_view value);
  RequestCheck& Number(absl::string_view member, int64_t value);
  // A stream reference: a StreamARN if it starts with "arn:", else a
  // StreamName (checked against the StreamName shape even where the
  // operation has only StreamARN, since Brook takes names everywhere).
  // Empty is neither (Kinesis' own rule, checked elsewhere).
  RequestCheck& Stream(absl::string_view name_or_arn);

  absl::Status Finish() const { return violations_.ToStatus(); }

 private:
  Location Member(absl::string_view member) const;
  Location StreamMember(absl::string_view member) const;

  Location input_;
  Violations violations_;
};

}  // namespace brook::schema

#endif  // BROOK_SCHEMA_CONSTRAINTS_H_
