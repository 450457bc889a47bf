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
// brookd translates at its edge: a CBOR request becomes the JSON body the
// operations read, and their JSON answer becomes CBOR, so no operation
// knows which encoding carried it.
//
// Thread safety: pure functions.

#ifndef BROOK_SERVER_CBOR_CODEC_H_
#define BROOK_SERVER_CBOR_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

inline constexpr char kCborContentType[] = "application/x-amz-cbor-1.1";

// CborToJson()
//
// The JSON text of `cbor`, a value of the model's shape `shape_name` (an
// operation's input shape, say "PutRecordInput"; "" reads it without a
// shape: byte strings still become base64, numbers stay numbers). Fails
// with SerializationException if `cbor` is not one well-formed CBOR item,
// or holds a map key that is not a text string.
absl::StatusOr<std::string> CborToJson(absl::string_view shape_name,
                                       absl::string_view cbor);

// JsonToCbor()
//
// The CBOR of `json`, a value of the model's shape `shape_name` (an
// operation's output shape, or an event's). Fails with InternalFailure if
// `json` does not parse or a blob member is not base64: the JSON comes
// from brookd's own operations.
absl::StatusOr<std::string> JsonToCbor(absl::string_view shape_name,
                                       absl::string_view json);

// The model's input and output shape names of `operation`, or "" if the
// model does not know it (or it takes or returns nothing).
std::string InputShapeOf(absl::string_view operation);
std::string OutputShapeOf(absl::string_view operation);

}  // namespace brook

#endif  // BROOK_SERVER_CBOR_CODEC_H_
