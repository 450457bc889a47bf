// Checks a JSON request body against its operation's input shape in the
// Kinesis API model, in AWS's order and with AWS's error names:
//   1. every member present has the JSON type its shape needs, and every
//      blob is base64: otherwise SerializationException, naming the first
//      member that does not;
//   2. every constraint of the model (required members, lengths, ranges,
//      patterns, enum values): otherwise one ValidationException listing
//      the violations (see schema/constraints.h).
// Members the model does not define are ignored, as AWS ignores them.
//
// Thread safety: a pure function.

#ifndef BROOK_SERVER_REQUEST_VALIDATOR_H_
#define BROOK_SERVER_REQUEST_VALIDATOR_H_

#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "schema/kinesis_shapes.h"

namespace brook {

// REQUIRES: `operation` takes an input.
absl::Status ValidateRequest(const schema::Operation& operation,
                             const boost::json::object& body);

}  // namespace brook

#endif  // BROOK_SERVER_REQUEST_VALIDATOR_H_
