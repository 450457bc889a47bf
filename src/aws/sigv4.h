// AWS Signature Version 4, as the SDKs sign Kinesis requests. One
// implementation serves both sides: the remote Broker signs its requests
// with SignRequest(), and brookd's verifier (server/sigv4.h) recomputes the
// same signature with ComputeSignature().
//
//   canonical request = method \n path \n query \n canonical headers \n
//                       signed header names \n hex(SHA-256(payload))
//   string to sign    = "AWS4-HMAC-SHA256" \n x-amz-date \n scope \n
//                       hex(SHA-256(canonical request))
//   signing key       = HMAC chain of "AWS4" + secret over the scope's date,
//                       region, service and "aws4_request"
//   signature         = hex(HMAC(signing key, string to sign))
//
// Thread safety: pure functions.

#ifndef BROOK_AWS_SIGV4_H_
#define BROOK_AWS_SIGV4_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aws/credentials.h"

namespace brook {

// A request as sent or received, enough to sign it. `payload` is not
// owned: the body it views must outlive the SignableRequest's use.
struct SignableRequest {
  std::string method;
  std::string path;   // "/"
  std::string query;  // Without "?"; may be empty.
  std::vector<std::pair<std::string, std::string>> headers;
  absl::string_view payload;
};

struct SignatureScope {
  std::string date;     // YYYYMMDD
  std::string region;   // us-east-1
  std::string service;  // kinesis
};

inline constexpr absl::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";

// The signature of `request` over `signed_headers` (lower-case names,
// ';'-separated, as in the Authorization header), given its x-amz-date.
std::string ComputeSignature(const SignableRequest& request,
                             absl::string_view secret_access_key,
                             absl::string_view amz_date,
                             const SignatureScope& scope,
                             absl::string_view signed_headers);

// SignRequest()
//
// Adds X-Amz-Date (from `now`), X-Amz-Security-Token (with a session
// token) and the Authorization header to `request`, signing every header it
// then has (Host and every X-Amz-* header among them), as the SDKs do.
// REQUIRES: `request` has a Host header and no Authorization header.
void SignRequest(SignableRequest& request, const AwsCredentials& credentials,
                 absl::string_view region, absl::string_view service,
                 absl::Time now);

}  // namespace brook

#endif  // BROOK_AWS_SIGV4_H_
