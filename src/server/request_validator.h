// Checks a JSON request body against its operation's input shape in the
// Kinesis API model, in AWS's order and with AWS's error names:
//   1. every member present has the JSON type its shape needs, and every
//      blob of a JSON body is base64: otherwise SerializationException,
//      naming the first member that does not; each such blob is decoded in
//      place, so that the operations read its bytes (see BlobForm);
//   2. every constraint of the model (required members, lengths, ranges,
//      patterns, enum values), and the members Brook requires beyond it (a
//      record's PartitionKey): otherwise one ValidationException listing
//      the violations (see schema/constraints.h).
// Members the model does not define are ignored, as AWS ignores them.
//
// Thread safety: a function of its arguments alone.

#ifndef BROOK_SERVER_REQUEST_VALIDATOR_H_
#define BROOK_SERVER_REQUEST_VALIDATOR_H_

#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "schema/kinesis_shapes.h"
#include "server/json_fields.h"

namespace brook {

// `body` holds its blobs as `blobs` says; after a success it holds their
// bytes. After a failure, `body` is partly decoded and of no further use.
// REQUIRES: `operation` takes an input.
absl::Status ValidateRequest(const schema::Operation& operation, BlobForm blobs,
                             boost::json::object& body);

}  // namespace brook

#endif  // BROOK_SERVER_REQUEST_VALIDATOR_H_
