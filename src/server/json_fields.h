// Reading a Kinesis JSON 1.1 request body's members with Kinesis' error
// names and words: a member of the wrong JSON type is a
// SerializationException as Kinesis' Java deserializer words it ("class
// java.lang.String can not be converted to an Long"), a required one that
// is missing or an int out of 32 bits a ValidationException as
// schema/constraints.h words it (at "streamLimits.writeBytesPerSecond")...
// and writing the response's values the way the SDKs read them (timestamps
// in epoch seconds, blobs in base64). The members may have come in a CBOR
// body (cbor_codec.h): the value tree is the same. Kinesis operations are
// checked against the model first (server/request_validator.h); Brook's own
// operations, which the model does not have, get the same words from here.

#ifndef BROOK_SERVER_JSON_FIELDS_H_
#define BROOK_SERVER_JSON_FIELDS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "boost/json/object.hpp"
#include "boost/json/string.hpp"
#include "boost/json/value.hpp"
#include "brook/sequence_number.h"
#include "brook/streams.h"
#include "common/base64.h"
#include "schema/constraints.h"
#include "schema/kinesis_shapes.h"

namespace brook {

// How a request's value tree holds its blob members when it is read: as
// base64 text, as a JSON body carries them, or as their bytes, as a CBOR
// body does (byte strings: cbor_codec.h). The request checks
// (request_validator.h) leave the bytes in either case, so the operations
// read blobs the same way whichever encoding carried the request.
enum class BlobForm { kBase64, kBytes };

// The SerializationException for `value` where a member of type `expected`
// belongs, in the words of Kinesis' Java deserializer.
absl::Status NotOfType(const boost::json::value& value,
                       schema::ShapeType expected);

// A timestamp member's value, as TimeOfEpochSeconds()
// (common/epoch_seconds.h) reads it;
// SerializationException if it is no number or out of its range.
absl::StatusOr<absl::Time> ReadTimestamp(const boost::json::value& value);

// The members of one request object.
class JsonFields {
 public:
  // The request's input.
  explicit JsonFields(const boost::json::object& object) : object_(object) {}
  // `object`, the member `name` of `parent`'s object (which must outlive
  // this), e.g. a request's "StreamLimits".
  JsonFields(const boost::json::object& object, const JsonFields& parent,
             absl::string_view name);
  // `object`, entry `index` (from 0) of the list member `list` of
  // `parent`, e.g. a PutRecords request's "Records": a missing member is
  // named at "records.N.member.partitionKey", as AWS names it.
  JsonFields(const boost::json::object& object, const JsonFields& parent,
             absl::string_view list, size_t index);
  // The locations point into each other.
  JsonFields(const JsonFields&) = delete;
  JsonFields& operator=(const JsonFields&) = delete;

  // Each returns nullopt when the member is absent or null.
  absl::StatusOr<absl::optional<std::string>> String(
      absl::string_view name) const;
  absl::StatusOr<absl::optional<int64_t>> Integer(absl::string_view name) const;
  absl::StatusOr<absl::optional<bool>> Boolean(absl::string_view name) const;
  // Epoch seconds, possibly fractional.
  absl::StatusOr<absl::optional<absl::Time>> Timestamp(
      absl::string_view name) const;
  // The bytes of a blob member, which the request checks have decoded
  // (see BlobForm).
  absl::StatusOr<absl::optional<std::string>> Blob(
      absl::string_view name) const;
  absl::StatusOr<const boost::json::object*> Object(
      absl::string_view name) const;
  absl::StatusOr<const boost::json::array*> Array(absl::string_view name) const;

  // An integer that must fit a Java int, as Kinesis' integer members do;
  // `default_value` when absent.
  absl::StatusOr<int> Int(absl::string_view name, int default_value) const;

  // As String(), Integer(), Int()..., but absent is a ValidationException.
  absl::StatusOr<std::string> RequiredString(absl::string_view name) const;
  absl::StatusOr<int64_t> RequiredInteger(absl::string_view name) const;
  absl::StatusOr<int> RequiredInt(absl::string_view name) const;
  absl::StatusOr<std::string> RequiredBlob(absl::string_view name) const;

  // As String(), RequiredString() and RequiredBlob(), but the text or bytes
  // where they lie in the value tree, valid while it is: for an operation
  // that reads many records and copies none.
  absl::StatusOr<absl::optional<absl::string_view>> StringView(
      absl::string_view name) const;
  absl::StatusOr<absl::string_view> RequiredStringView(
      absl::string_view name) const;
  absl::StatusOr<absl::string_view> RequiredBlobView(
      absl::string_view name) const;
  absl::StatusOr<const boost::json::object*> RequiredObject(
      absl::string_view name) const;
  absl::StatusOr<const boost::json::array*> RequiredArray(
      absl::string_view name) const;

 private:
  const boost::json::value* Find(absl::string_view name) const;
  // The member `name` of this object, for a message.
  schema::Location MemberAt(absl::string_view name) const;
  // The ValidationException for the missing member `name`.
  absl::Status Missing(absl::string_view name) const;
  template <typename T>
  absl::StatusOr<T> Required(absl::StatusOr<absl::optional<T>> value,
                             absl::string_view name) const;
  // A string member's text (`type` kString) or a blob member's bytes
  // (kBlob); nullopt when absent or null.
  absl::StatusOr<absl::optional<absl::string_view>> Text(
      absl::string_view name, schema::ShapeType type) const;

  const boost::json::object& object_;
  // Of the list holding this object, when it is a list's entry.
  schema::Location list_location_;
  schema::Location location_;  // Of this object in the request.
};

// The stream a request names: its StreamARN if given, else its StreamName;
// empty if it names none (which the Broker refuses where it needs one).
// Given both, they must name the same stream, else InvalidArgumentException.
absl::StatusOr<std::string> StreamOf(const JsonFields& fields);

// The mode in a request's StreamModeDetails; unset when it has none.
absl::StatusOr<absl::optional<StreamMode>> StreamModeOf(
    const JsonFields& fields);

// A timestamp as the SDKs read it: epoch seconds, millisecond precision.
// In a response, only timestamps are doubles; SerializeResponse() writes
// them as AWS does.
boost::json::value EpochSeconds(absl::Time time);

// A sequence number as a string of `storage`, its decimal digits. A
// number of 128 bits (every one Brook issues) is formatted on the stack
// rather than in a std::string of its own: a PutRecords answer holds 500.
boost::json::string SequenceNumberJson(const SequenceNumber& number,
                                       const boost::json::storage_ptr& storage);

// `value` as JSON text, with every number that is not an integer (in
// Kinesis' responses, only timestamps) in plain notation with three
// decimals, as AWS writes timestamps: 1796031598.107, never
// 1.796031598107E9 (which the AWS SDK for Java v2 cannot read).
std::string SerializeResponse(const boost::json::value& value);

}  // namespace brook

#endif  // BROOK_SERVER_JSON_FIELDS_H_
