// The CBOR form of the Kinesis JSON 1.1 protocol, as the AWS SDK for Java
// (v2 and v1, and so the KCL) speaks it by default
// (Content-Type: application/x-amz-cbor-1.1): the same members under the
// same names, with two types of their own, found through the Kinesis model
// table (schema/kinesis_shapes.h):
//   - a blob is a CBOR byte string (base64 text in JSON);
//   - a timestamp is epoch milliseconds, an integer (the Java SDK tags it
//     with tag 1, which is read past); epoch seconds as a floating-point
//     number are accepted too. In JSON it is epoch seconds.
// CBOR is read and written with libcbor (nlohmann-json's reader stops at
// tags 0 to 5, tag 1 among them); items of definite and indefinite length
// are both read.
//
// brookd reads a CBOR request straight into the value tree the operations
// take from a JSON body (Boost.JSON values: kinesis_api.h), and writes their
// answer's tree straight to CBOR, so no operation knows which encoding
// carried it and no JSON text is made on the way.
//
// Thread safety: pure functions.

#ifndef BROOK_SERVER_CBOR_CODEC_H_
#define BROOK_SERVER_CBOR_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/json/storage_ptr.hpp"
#include "boost/json/value.hpp"
#include "server/json_fields.h"

namespace brook {

inline constexpr char kCborContentType[] = "application/x-amz-cbor-1.1";

// ReadCbor()
//
// The value tree of `cbor`, a value of the model's shape `shape_name` (an
// operation's input shape, say "PutRecordInput"; "" reads it without a
// shape), with its memory from `storage`: what JSON would carry, with a
// timestamp as epoch seconds (a double) and a blob member's value as
// `blobs` says (a byte string's bytes, or base64 text; a blob sent as
// base64 text is read as well). A byte string anywhere else becomes base64
// text. Fails with SerializationException if `cbor` is not one well-formed
// CBOR item, holds a map key that is not a text string, an integer beyond
// 64 bits signed, a number that is not finite, items nested more than 64
// deep, or a blob in text that is not base64.
absl::StatusOr<boost::json::value> ReadCbor(
    absl::string_view shape_name, absl::string_view cbor, BlobForm blobs,
    boost::json::storage_ptr storage = {});

// WriteCbor()
//
// The CBOR of `value`, a value of the model's shape `shape_name` (an
// operation's output shape, an event's, or "" for an error), as the Java
// SDK reads it: blob members (base64 text in the tree, as the operations
// answer them) as byte strings, timestamps as tag 1 and epoch milliseconds,
// maps and arrays of definite length. Fails with InternalFailure if a blob
// member is not base64: the tree comes from brookd's own operations.
absl::StatusOr<std::string> WriteCbor(absl::string_view shape_name,
                                      const boost::json::value& value);

// CborToJson(), JsonToCbor()
//
// The same, from and to JSON text (blobs in base64), for clients that
// build and read JSON bodies (the benchmark tool). CborToJson() fails as
// ReadCbor(); JsonToCbor() as WriteCbor(), or with InternalFailure if
// `json` does not parse.
absl::StatusOr<std::string> CborToJson(absl::string_view shape_name,
                                       absl::string_view cbor);
absl::StatusOr<std::string> JsonToCbor(absl::string_view shape_name,
                                       absl::string_view json);

// The model's input and output shape names of `operation`, or "" if the
// model does not know it (or it takes or returns nothing).
std::string InputShapeOf(absl::string_view operation);
std::string OutputShapeOf(absl::string_view operation);

}  // namespace brook

#endif  // BROOK_SERVER_CBOR_CODEC_H_
