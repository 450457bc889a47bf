#include "common/errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace brook {
namespace {

// The payload type URL under which the Kinesis name travels.
constexpr absl::string_view kErrorNameUrl = "type.brook/ErrorName";

struct NameInfo {
  ErrorName name;
  absl::string_view text;
  absl::StatusCode code;
};

// The one table that ties names to codes. Codes follow Abseil's retry
// guidance: kResourceExhausted means "retry later", kFailedPrecondition
// "fix the state first", kAlreadyExists "the name is taken".
constexpr NameInfo kNames[] = {
    {ErrorName::kNone, "", absl::StatusCode::kOk},
    {ErrorName::kInvalidArgumentException, "InvalidArgumentException",
     absl::StatusCode::kInvalidArgument},
    {ErrorName::kResourceNotFoundException, "ResourceNotFoundException",
     absl::StatusCode::kNotFound},
    {ErrorName::kResourceInUseException, "ResourceInUseException",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kLimitExceededException, "LimitExceededException",
     absl::StatusCode::kResourceExhausted},
    {ErrorName::kProvisionedThroughputExceededException,
     "ProvisionedThroughputExceededException",
     absl::StatusCode::kResourceExhausted},
    {ErrorName::kExpiredIteratorException, "ExpiredIteratorException",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kExpiredNextTokenException, "ExpiredNextTokenException",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kSerializationException, "SerializationException",
     absl::StatusCode::kInvalidArgument},
    {ErrorName::kValidationException, "ValidationException",
     absl::StatusCode::kInvalidArgument},
    {ErrorName::kUnknownOperationException, "UnknownOperationException",
     absl::StatusCode::kUnimplemented},
    {ErrorName::kUnrecognizedClientException, "UnrecognizedClientException",
     absl::StatusCode::kUnauthenticated},
    {ErrorName::kInvalidSignatureException, "InvalidSignatureException",
     absl::StatusCode::kUnauthenticated},
    {ErrorName::kMissingAuthenticationTokenException,
     "MissingAuthenticationTokenException", absl::StatusCode::kUnauthenticated},
    {ErrorName::kIncompleteSignatureException, "IncompleteSignatureException",
     absl::StatusCode::kUnauthenticated},
    {ErrorName::kAccessDeniedException, "AccessDeniedException",
     absl::StatusCode::kPermissionDenied},
    {ErrorName::kServiceUnavailable, "ServiceUnavailable",
     absl::StatusCode::kUnavailable},
    {ErrorName::kKMSNotFoundException, "KMSNotFoundException",
     absl::StatusCode::kNotFound},
    {ErrorName::kKMSDisabledException, "KMSDisabledException",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kKMSInvalidStateException, "KMSInvalidStateException",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kKMSAccessDeniedException, "KMSAccessDeniedException",
     absl::StatusCode::kPermissionDenied},
    {ErrorName::kKMSThrottlingException, "KMSThrottlingException",
     absl::StatusCode::kUnavailable},
    {ErrorName::kKMSOptInRequired, "KMSOptInRequired",
     absl::StatusCode::kFailedPrecondition},
    {ErrorName::kInternalFailure, "InternalFailure",
     absl::StatusCode::kInternal},
};

const NameInfo& InfoOf(ErrorName name) {
  for (const NameInfo& info : kNames) {
    if (info.name == name) return info;
  }
  return kNames[std::size(kNames) - 1];
}

// A status of `code` that carries `name`.
absl::Status WithName(absl::StatusCode code, ErrorName name,
                      absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kErrorNameUrl, absl::Cord(InfoOf(name).text));
  return status;
}

}  // namespace

absl::Status MakeError(ErrorName name, absl::string_view message) {
  return WithName(InfoOf(name).code, name, message);
}

absl::Status DataLoss(absl::string_view message) {
  return WithName(absl::StatusCode::kDataLoss, ErrorName::kInternalFailure,
                  message);
}

absl::Status NoSpace(absl::string_view message) {
  return WithName(absl::StatusCode::kResourceExhausted,
                  ErrorName::kInternalFailure, message);
}

absl::Status Unreachable(absl::string_view message) {
  return WithName(absl::StatusCode::kUnavailable, ErrorName::kInternalFailure,
                  message);
}

absl::Status InternalFailureFrom(absl::string_view context,
                                 absl::string_view detail) {
  return InternalFailure(absl::StrCat(context, ": ", detail));
}

ErrorName ErrorNameOf(const absl::Status& status) {
  if (status.ok()) return ErrorName::kNone;
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorNameUrl);
  if (!payload.has_value()) return ErrorName::kInternalFailure;
  for (const NameInfo& info : kNames) {
    if (*payload == info.text) return info.name;
  }
  return ErrorName::kInternalFailure;
}

absl::string_view ErrorNameToString(ErrorName name) {
  return InfoOf(name).text;
}

std::ostream& operator<<(std::ostream& os, ErrorName name) {
  return os << (name == ErrorName::kNone ? "OK" : ErrorNameToString(name));
}

std::optional<ErrorName> ErrorNameFromString(absl::string_view text) {
  for (const NameInfo& info : kNames) {
    if (!text.empty() && info.text == text) return info.name;
  }
  return std::nullopt;
}

}  // namespace brook
