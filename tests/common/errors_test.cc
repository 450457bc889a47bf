#include "common/errors.h"

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(ErrorsTest, EveryName_HasOneCodeAndRoundTrips) {
  struct Case {
    ErrorName name;
    absl::StatusCode code;
    const char* text;
  };
  const Case cases[] = {
      {ErrorName::kInvalidArgumentException, absl::StatusCode::kInvalidArgument,
       "InvalidArgumentException"},
      {ErrorName::kResourceNotFoundException, absl::StatusCode::kNotFound,
       "ResourceNotFoundException"},
      {ErrorName::kResourceInUseException,
       absl::StatusCode::kFailedPrecondition, "ResourceInUseException"},
      {ErrorName::kLimitExceededException, absl::StatusCode::kResourceExhausted,
       "LimitExceededException"},
      {ErrorName::kProvisionedThroughputExceededException,
       absl::StatusCode::kResourceExhausted,
       "ProvisionedThroughputExceededException"},
      {ErrorName::kExpiredIteratorException,
       absl::StatusCode::kFailedPrecondition, "ExpiredIteratorException"},
      {ErrorName::kExpiredNextTokenException,
       absl::StatusCode::kFailedPrecondition, "ExpiredNextTokenException"},
      {ErrorName::kInternalFailure, absl::StatusCode::kInternal,
       "InternalFailure"},
      {ErrorName::kMissingAuthenticationTokenException,
       absl::StatusCode::kUnauthenticated,
       "MissingAuthenticationTokenException"},
      {ErrorName::kIncompleteSignatureException,
       absl::StatusCode::kUnauthenticated, "IncompleteSignatureException"},
      {ErrorName::kAccessDeniedException, absl::StatusCode::kPermissionDenied,
       "AccessDeniedException"},
      {ErrorName::kServiceUnavailable, absl::StatusCode::kUnavailable,
       "ServiceUnavailable"},
      {ErrorName::kKMSNotFoundException, absl::StatusCode::kNotFound,
       "KMSNotFoundException"},
      {ErrorName::kKMSDisabledException, absl::StatusCode::kFailedPrecondition,
       "KMSDisabledException"},
      {ErrorName::kKMSInvalidStateException,
       absl::StatusCode::kFailedPrecondition, "KMSInvalidStateException"},
      {ErrorName::kKMSAccessDeniedException,
       absl::StatusCode::kPermissionDenied, "KMSAccessDeniedException"},
      {ErrorName::kKMSThrottlingException, absl::StatusCode::kUnavailable,
       "KMSThrottlingException"},
      {ErrorName::kKMSOptInRequired, absl::StatusCode::kFailedPrecondition,
       "KMSOptInRequired"},
  };
  for (const Case& c : cases) {
    const absl::Status status = MakeError(c.name, "why");
    EXPECT_EQ(status.code(), c.code) << c.text;
    EXPECT_EQ(status.message(), "why");
    EXPECT_EQ(ErrorNameOf(status), c.name) << c.text;
    EXPECT_EQ(ErrorNameToString(c.name), c.text);
  }
}

TEST(ErrorsTest, DataLossAndNoSpace_AreInternalFailuresWithTheirOwnCodes) {
  // Kinesis has one name for server-side failures; the code tells a caller
  // whether stored bytes are damaged or space has run out.
  EXPECT_EQ(DataLoss("damaged").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ErrorNameOf(DataLoss("damaged")), ErrorName::kInternalFailure);
  EXPECT_EQ(NoSpace("full").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorNameOf(NoSpace("full")), ErrorName::kInternalFailure);
  EXPECT_EQ(Unreachable("gone").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorNameOf(Unreachable("gone")), ErrorName::kInternalFailure);
}

TEST(ErrorsTest, ErrorNameFromString_ReadsEveryName) {
  for (ErrorName name :
       {ErrorName::kInvalidArgumentException, ErrorName::kInternalFailure,
        ErrorName::kServiceUnavailable,
        ErrorName::kProvisionedThroughputExceededException,
        ErrorName::kKMSThrottlingException}) {
    EXPECT_EQ(ErrorNameFromString(ErrorNameToString(name)), name);
  }
  EXPECT_EQ(ErrorNameFromString(""), std::nullopt);
  EXPECT_EQ(ErrorNameFromString("ThrottlingException"), std::nullopt);
}

TEST(ErrorsTest, ErrorNameOf_OkIsNone) {
  EXPECT_EQ(ErrorNameOf(absl::OkStatus()), ErrorName::kNone);
  EXPECT_EQ(ErrorNameToString(ErrorName::kNone), "");
}

TEST(ErrorsTest, ErrorNameOf_ForeignStatusIsInternalFailure) {
  EXPECT_EQ(ErrorNameOf(absl::InvalidArgumentError("not ours")),
            ErrorName::kInternalFailure);
}

}  // namespace
}  // namespace brook
