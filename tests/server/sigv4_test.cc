// Signature Version 4 against the figures AWS publishes for its examples,
// and the verifier's error names.

#include "server/sigv4.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::HasSubstr;

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

// A Kinesis call as the SDKs sign it, and helpers to sign it any way.
class VerifyTest : public ::testing::Test {
 protected:
  static constexpr char kDate[] = "20150830T123600Z";

  VerifyTest() {
    request_.method = "POST";
    request_.path = "/";
    request_.headers = {
        {"Host", "kinesis.us-east-1.amazonaws.com"},
        {"Content-Type", "application/x-amz-json-1.1"},
        {"X-Amz-Date", kDate},
        {"X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary"}};
    request_.payload = R"({"StreamName":"orders"})";
  }

  // `request` with an Authorization header: its signature over
  // `signed_headers` with the secret of AKIDEXAMPLE, under `credential`'s
  // scope (everything after the key id).
  static SignableRequest Signed(
      SignableRequest request,
      absl::string_view signed_headers =
          "content-type;host;x-amz-date;"
          "x-amz-target",
      absl::string_view credential = "20150830/us-east-1/kinesis/aws4_request",
      absl::string_view key_id = "AKIDEXAMPLE") {
    const std::vector<std::string> scope = absl::StrSplit(credential, '/');
    const SignatureScope signing_scope{scope.size() > 0 ? scope[0] : "",
                                       scope.size() > 1 ? scope[1] : "",
                                       scope.size() > 2 ? scope[2] : ""};
    const std::string signature = ComputeSignature(
        request, kSecret, kDate, signing_scope, signed_headers);
    request.headers.push_back(
        {"Authorization",
         absl::StrCat("AWS4-HMAC-SHA256 Credential=", key_id, "/", credential,
                      ", SignedHeaders=", signed_headers,
                      ", Signature=", signature)});
    return request;
  }

  static void SetHeader(SignableRequest* request, absl::string_view name,
                        absl::string_view value) {
    for (auto& [header, old] : request->headers) {
      if (absl::EqualsIgnoreCase(header, name)) old = std::string(value);
    }
  }

  absl::Status Verify(const SignableRequest& request,
                      absl::Duration after = absl::Minutes(1)) const {
    return VerifySignature(request, keys_, signed_at_ + after);
  }

  SignableRequest request_;
  const absl::flat_hash_map<std::string, std::string> keys_ = {
      {"AKIDEXAMPLE", kSecret}};
  const absl::Time signed_at_ = absl::FromCivil(
      absl::CivilSecond(2015, 8, 30, 12, 36, 0), absl::UTCTimeZone());
};

TEST_F(VerifyTest, AcceptsTheRequestAsSigned) {
  EXPECT_OK(Verify(Signed(request_)));
}

TEST_F(VerifyTest, NamesEachFailureAsAws) {
  EXPECT_THAT(Verify(request_),
              HasErrorName(ErrorName::kMissingAuthenticationTokenException));
  EXPECT_THAT(
      Verify(Signed(request_,
                    "content-type;host;x-amz-date;"
                    "x-amz-target",
                    "20150830/us-east-1/kinesis/aws4_request", "AKIDOTHER")),
      HasErrorName(ErrorName::kUnrecognizedClientException));
  SignableRequest wrong = Signed(request_);
  std::string& authorization = wrong.headers.back().second;
  authorization.back() = authorization.back() == '0' ? '1' : '0';
  EXPECT_THAT(Verify(wrong),
              HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(Verify(Signed(request_), absl::Minutes(16)),
              HasErrorName(ErrorName::kInvalidSignatureException));
  SignableRequest tampered = Signed(request_);
  tampered.payload = R"({"StreamName":"other"})";
  EXPECT_THAT(Verify(tampered),
              HasErrorName(ErrorName::kInvalidSignatureException));
}

TEST_F(VerifyTest, SignedHeadersMustIncludeHostAndEveryAmzHeader) {
  // Signed without X-Amz-Target, a DescribeStreamSummary could be replayed
  // as DeleteStream: the signature still matches what it signs.
  SignableRequest replayed = Signed(request_, "content-type;host;x-amz-date");
  SetHeader(&replayed, "X-Amz-Target", "Kinesis_20131202.DeleteStream");
  EXPECT_THAT(Verify(replayed),
              HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(Verify(Signed(request_, "content-type;x-amz-date;x-amz-target")),
              HasErrorName(ErrorName::kInvalidSignatureException));
  // Headers that are not x-amz-* may go unsigned, as the SDKs leave
  // User-Agent.
  EXPECT_OK(Verify(Signed(request_, "host;x-amz-date;x-amz-target")));
}

TEST_F(VerifyTest, ScopeMustBeKinesisAndWellFormed) {
  const absl::string_view headers = "content-type;host;x-amz-date;x-amz-target";
  EXPECT_THAT(
      Verify(Signed(request_, headers, "20150830/us-east-1/s3/aws4_request")),
      HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(Verify(Signed(request_, headers,
                            "20150830/us-east-1/kinesis/aws5_request")),
              HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(Verify(Signed(request_, headers,
                            "20150831/us-east-1/kinesis/aws4_request")),
              HasErrorName(ErrorName::kInvalidSignatureException));
  EXPECT_THAT(
      Verify(Signed(request_, headers, "20150830/kinesis/aws4_request")),
      HasErrorName(ErrorName::kIncompleteSignatureException));
}

TEST_F(VerifyTest, MissingPartsAreIncomplete) {
  SignableRequest no_signed_headers = request_;
  no_signed_headers.headers.push_back(
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/"
       "aws4_request, Signature=abc"});
  EXPECT_THAT(Verify(no_signed_headers),
              HasErrorName(ErrorName::kIncompleteSignatureException));
  SignableRequest no_date = Signed(request_);
  no_date.headers.erase(no_date.headers.begin() + 2);  // X-Amz-Date.
  EXPECT_THAT(Verify(no_date),
              HasErrorName(ErrorName::kIncompleteSignatureException));
}

// AWS reads any Authorization header's parameters first: a header that is
// not SigV4's lacks them (IncompleteSignatureException, each missing one
// named), and one with them under another algorithm is incomplete too.
TEST_F(VerifyTest, AHeaderThatIsNotSigV4IsIncomplete) {
  for (const char* header : {"garbage", "Bearer x"}) {
    SignableRequest request = request_;
    request.headers.push_back({"Authorization", header});
    const absl::Status status = Verify(request);
    EXPECT_THAT(status, HasErrorName(ErrorName::kIncompleteSignatureException));
    EXPECT_THAT(status.message(),
                HasSubstr("Authorization header requires 'Credential' "
                          "parameter. "));
  }
  SignableRequest sha512 = Signed(request_);
  std::string& authorization = sha512.headers.back().second;
  authorization.replace(0, std::string("AWS4-HMAC-SHA256").size(),
                        "AWS4-HMAC-SHA512");
  const absl::Status status = Verify(sha512);
  EXPECT_THAT(status, HasErrorName(ErrorName::kIncompleteSignatureException));
  EXPECT_THAT(status.message(), HasSubstr("'AWS4-HMAC-SHA512'"));
}

TEST_F(VerifyTest, CheckSignatureHeaders_NeedsNoPayload) {
  SignableRequest headers_only = Signed(request_);
  headers_only.payload = "";
  EXPECT_OK(CheckSignatureHeaders(headers_only, keys_,
                                  signed_at_ + absl::Minutes(1)));
  EXPECT_THAT(CheckSignatureHeaders(request_, keys_, signed_at_),
              HasErrorName(ErrorName::kMissingAuthenticationTokenException));
}

TEST(SigV4Test, SecretsEqual) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
}

}  // namespace
}  // namespace brook
