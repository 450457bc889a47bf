// Constructors for the statuses Brook returns. Each attaches its Kinesis
// error name (see brook/error.h) in the one place that knows the mapping
// from names to canonical codes.

#ifndef BROOK_COMMON_ERRORS_H_
#define BROOK_COMMON_ERRORS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "brook/error.h"

namespace brook {

// Returns a non-OK status with `name`'s canonical code, `name` attached and
// `message`. REQUIRES: name != ErrorName::kNone.
absl::Status MakeError(ErrorName name, absl::string_view message);

inline absl::Status InvalidArgument(absl::string_view message) {
  return MakeError(ErrorName::kInvalidArgumentException, message);
}
inline absl::Status ResourceNotFound(absl::string_view message) {
  return MakeError(ErrorName::kResourceNotFoundException, message);
}
inline absl::Status ResourceInUse(absl::string_view message) {
  return MakeError(ErrorName::kResourceInUseException, message);
}
inline absl::Status LimitExceeded(absl::string_view message) {
  return MakeError(ErrorName::kLimitExceededException, message);
}
inline absl::Status ProvisionedThroughputExceeded(absl::string_view message) {
  return MakeError(ErrorName::kProvisionedThroughputExceededException, message);
}
inline absl::Status ExpiredIterator(absl::string_view message) {
  return MakeError(ErrorName::kExpiredIteratorException, message);
}
inline absl::Status ExpiredNextToken(absl::string_view message) {
  return MakeError(ErrorName::kExpiredNextTokenException, message);
}
inline absl::Status InternalFailure(absl::string_view message) {
  return MakeError(ErrorName::kInternalFailure, message);
}

// InternalFailure with the code that tells a caller more than kInternal:
//   DataLoss   kDataLoss: stored bytes are damaged (a record batch, a key or
//              a metadata value that does not decode, or corruption that
//              RocksDB's checksums found); never retry blindly.
//   NoSpace    kResourceExhausted: the data directory's filesystem is full
//              or below its reserve; retry once space has been freed.
//   Unreachable kUnavailable: a remote endpoint could not be reached or
//              did not answer in time; a write's outcome is unknown; retry
//              with backoff.
// Kinesis has one name for every server-side failure, so the name stays
// InternalFailure and only the code differs.
absl::Status DataLoss(absl::string_view message);
absl::Status NoSpace(absl::string_view message);
absl::Status Unreachable(absl::string_view message);

// The name spelled `text` as Kinesis spells it in `__type`, or nullopt if
// Brook has no such name (and for "").
std::optional<ErrorName> ErrorNameFromString(absl::string_view text);

// Wraps a status from a dependency (RocksDB, the OS) as InternalFailure,
// prefixing `context`.
absl::Status InternalFailureFrom(absl::string_view context,
                                 absl::string_view detail);

}  // namespace brook

#endif  // BROOK_COMMON_ERRORS_H_
