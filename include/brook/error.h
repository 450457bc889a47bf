// -----------------------------------------------------------------------------
// File: brook/error.h
// -----------------------------------------------------------------------------
//
// Every failure that Brook returns is an `absl::Status` with a canonical code
// chosen by Abseil's retry guidance and exactly one Kinesis error name, so
// that code written against Amazon Kinesis can branch on the same names.
//
// The name travels as a status payload; read it with `ErrorNameOf()`, never
// by parsing the message. The message says which argument was wrong and why.
//
// Thread safety: everything here is a pure function.

#ifndef BROOK_ERROR_H_
#define BROOK_ERROR_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

// The Kinesis error names that Brook reports. `kNone` is the name of an OK
// status.
//
// The numeric values are not persisted or sent anywhere; only the names are.
enum class ErrorName {
  kNone,
  // A request that breaks the Kinesis API model's constraints (a length,
  // range, pattern or enum value of a member, a required member missing),
  // from the library and brookd alike, with AWS's message: "1 validation
  // error detected: Value '0' at 'shardCount' failed to satisfy
  // constraint: Member must have value greater than or equal to 1".
  kValidationException,
  // A well-formed request that Kinesis' own rules refuse, or that does not
  // fit the state (a hash key outside the shard, a sequence number of
  // another shard, arguments that do not go together).
  kInvalidArgumentException,
  kResourceNotFoundException,
  kResourceInUseException,
  kLimitExceededException,
  kProvisionedThroughputExceededException,
  kExpiredIteratorException,
  kExpiredNextTokenException,
  kInternalFailure,
  // Only over the wire (from brookd, or from a remote Broker relaying its
  // endpoint's answer), about a request's form rather than its meaning: a
  // body that is not JSON, has a member of the wrong JSON type or a blob
  // that is not base64; an operation the endpoint does not serve (for a
  // remote Broker, also a Brook-only operation sent to an endpoint other
  // than brookd); an unknown access key; a signature that does not match
  // or is not scoped to Kinesis; no signature at all; a signature missing a
  // part; a request that is not a Kinesis call (a method other than POST);
  // a server too busy to take the request now (retry later, as for any AWS
  // endpoint).
  kSerializationException,
  kUnknownOperationException,
  kUnrecognizedClientException,
  kInvalidSignatureException,
  kMissingAuthenticationTokenException,
  kIncompleteSignatureException,
  kAccessDeniedException,
  kServiceUnavailable,
  // Server-side encryption (StartStreamEncryption, and puts and reads of an
  // encrypted stream), in the words of Kinesis' KMS errors: the master key
  // does not exist (kNotFound); it is disabled (kFailedPrecondition); it
  // cannot be used as asked, e.g. it cannot unwrap a stream's data key
  // (kFailedPrecondition); the key provider refused access
  // (kPermissionDenied); the provider is too busy now (kUnavailable: retry
  // with backoff); the account must opt in first (kFailedPrecondition).
  kKMSNotFoundException,
  kKMSDisabledException,
  kKMSInvalidStateException,
  kKMSAccessDeniedException,
  kKMSThrottlingException,
  kKMSOptInRequired,
};

// ErrorNameOf()
//
// Returns the Kinesis error name that `status` carries: `kNone` for an OK
// status, and `kInternalFailure` for a non-OK status that Brook did not make
// (which Brook never returns).
ErrorName ErrorNameOf(const absl::Status& status);

// ErrorNameToString()
//
// Returns the name exactly as Kinesis spells it in `__type`, for example
// "ProvisionedThroughputExceededException"; "" for `kNone`.
absl::string_view ErrorNameToString(ErrorName name);

std::ostream& operator<<(std::ostream& os, ErrorName name);

}  // namespace brook

#endif  // BROOK_ERROR_H_
