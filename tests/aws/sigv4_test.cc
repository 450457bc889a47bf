// The signer against brookd's verifier: what the remote Broker signs,
// brookd accepts, and any change after signing is refused.

#include "aws/sigv4.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/sigv4.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

const absl::Time kNow = absl::FromUnixSeconds(1796031598);

SignableRequest PutRecordRequest() {
  SignableRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"Host", "kinesis.us-east-1.amazonaws.com"},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "Kinesis_20131202.PutRecord"}};
  request.payload = R"({"StreamName":"s","PartitionKey":"k","Data":"eA=="})";
  return request;
}

const absl::flat_hash_map<std::string, std::string> kKeys = {
    {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};

SignableRequest Signed(const AwsCredentials& credentials) {
  SignableRequest request = PutRecordRequest();
  SignRequest(request, credentials, "us-east-1", "kinesis", kNow);
  return request;
}

absl::string_view Header(const SignableRequest& request,
                         absl::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (header == name) return value;
  }
  return "";
}

TEST(SigV4SignTest, SignsHostAndEveryAmzHeader) {
  const SignableRequest request =
      Signed({"AKIDEXAMPLE", kKeys.at("AKIDEXAMPLE"), "token"});
  EXPECT_EQ(Header(request, "X-Amz-Date"), "20261130T093958Z");
  EXPECT_EQ(Header(request, "X-Amz-Security-Token"), "token");
  EXPECT_THAT(
      std::string(Header(request, "Authorization")),
      ::testing::StartsWith(
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/"
          "kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
          "x-amz-security-token;x-amz-target, Signature="));
}

TEST(SigV4SignTest, BrookdsVerifierAcceptsWhatTheClientSigns) {
  EXPECT_OK(
      VerifySignature(Signed({"AKIDEXAMPLE", kKeys.at("AKIDEXAMPLE"), ""}),
                      kKeys, kNow + absl::Minutes(1)));
}

TEST(SigV4SignTest, AnyChangeAfterSigningIsRefused) {
  const AwsCredentials credentials{"AKIDEXAMPLE", kKeys.at("AKIDEXAMPLE"), ""};
  SignableRequest body = Signed(credentials);
  const std::string longer = std::string(body.payload) + " ";
  body.payload = longer;
  EXPECT_THAT(VerifySignature(body, kKeys, kNow),
              HasErrorName(ErrorName::kInvalidSignatureException));
  SignableRequest target = Signed(credentials);
  for (auto& [name, value] : target.headers) {
    if (name == "X-Amz-Target") value = "Kinesis_20131202.DeleteStream";
  }
  EXPECT_THAT(VerifySignature(target, kKeys, kNow),
              HasErrorName(ErrorName::kInvalidSignatureException));
  const SignableRequest wrong_secret =
      Signed({"AKIDEXAMPLE", "not-the-secret", ""});
  EXPECT_THAT(VerifySignature(wrong_secret, kKeys, kNow),
              HasErrorName(ErrorName::kInvalidSignatureException));
}

}  // namespace
}  // namespace brook
