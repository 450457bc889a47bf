// Signature Version 4 against the figures AWS publishes for its examples,
// and the verifier's error names.

#include "server/sigv4.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// AWS's "get-vanilla" test: GET / to example.amazonaws.com.
SignableRequest GetVanilla() {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers = {{"Host", "example.amazonaws.com"},
                     {"X-Amz-Date", "20150830T123600Z"}};
  return request;
}

TEST(SigV4Test, MatchesThePublishedGetVanillaSignature) {
  EXPECT_EQ(
      ComputeSignature(GetVanilla(), kSecret, "20150830T123600Z",
                       {"20150830", "us-east-1", "service"}, "host;x-amz-date"),
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, MatchesThePublishedIamExample) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.query = "Version=2010-05-08&Action=ListUsers";  // Sorted when signed.
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"Host", "iam.amazonaws.com"},
      {"X-Amz-Date", "20150830T123600Z"}};
  EXPECT_EQ(ComputeSignature(request, kSecret, "20150830T123600Z",
                             {"20150830", "us-east-1", "iam"},
                             "content-type;host;x-amz-date"),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4Test, VerifiesAndNamesEachFailure) {
  const absl::flat_hash_map<std::string, std::string> keys = {
      {"AKIDEXAMPLE", kSecret}};
  const absl::Time signed_at = absl::FromCivil(
      absl::CivilSecond(2015, 8, 30, 12, 36, 0), absl::UTCTimeZone());
  SignableRequest request = GetVanilla();
  const std::string signature =
      ComputeSignature(request, kSecret, "20150830T123600Z",
                       {"20150830", "us-east-1", "service"}, "host;x-amz-date");
  auto authorize = [&](absl::string_view key, absl::string_view sig) {
    SignableRequest signed_request = request;
    signed_request.headers.push_back(
        {"Authorization",
         absl::StrCat("AWS4-HMAC-SHA256 Credential=", key,
                      "/20150830/us-east-1/service/aws4_request, "
                      "SignedHeaders=host;x-amz-date, Signature=",
                      sig)});
    return signed_request;
  };
  EXPECT_OK(VerifySignature(authorize("AKIDEXAMPLE", signature), keys,
                            signed_at + absl::Minutes(1)));
  EXPECT_THAT(VerifySignature(request, keys, signed_at),
              HasErrorName(ErrorName::kUnrecognizedClientException));
  EXPECT_THAT(
      VerifySignature(authorize("AKIDOTHER", signature), keys, signed_at),
      HasErrorName(ErrorName::kUnrecognizedClientException));
  std::string wrong = signature;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  EXPECT_THAT(VerifySignature(authorize("AKIDEXAMPLE", wrong), keys, signed_at),
              HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(VerifySignature(authorize("AKIDEXAMPLE", signature), keys,
                              signed_at + absl::Minutes(16)),
              HasErrorName(ErrorName::kInvalidSignatureException));
  SignableRequest tampered = authorize("AKIDEXAMPLE", signature);
  tampered.payload = "changed";
  EXPECT_THAT(VerifySignature(tampered, keys, signed_at),
              HasErrorName(ErrorName::kInvalidSignatureException));
}

}  // namespace
}  // namespace brook
