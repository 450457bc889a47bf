// AWS Signature Version 4, as the SDKs sign Kinesis requests: brookd checks
// the Authorization header of every request when it has credentials.
//
//   canonical request = method \n path \n query \n canonical headers \n
//                       signed header names \n hex(SHA-256(payload))
//   string to sign    = "AWS4-HMAC-SHA256" \n x-amz-date \n scope \n
//                       hex(SHA-256(canonical request))
//   signing key       = HMAC chain of "AWS4" + secret over the scope's date,
//                       region, service and "aws4_request"
//   signature         = hex(HMAC(signing key, string to sign))

#ifndef BROOK_SERVER_SIGV4_H_
#define BROOK_SERVER_SIGV4_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace brook {

// A request as received, enough to sign it.
struct SignableRequest {
  std::string method;
  std::string path;   // "/"
  std::string query;  // Without "?"; may be empty.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
};

struct SignatureScope {
  std::string date;     // YYYYMMDD
  std::string region;   // us-east-1
  std::string service;  // kinesis
};

// The signature of `request` over `signed_headers` (lower-case names,
// ';'-separated, as in the Authorization header), given its x-amz-date.
std::string ComputeSignature(const SignableRequest& request,
                             absl::string_view secret_access_key,
                             absl::string_view amz_date,
                             const SignatureScope& scope,
                             absl::string_view signed_headers);

// VerifySignature()
//
// Checks the request's Authorization header against the known secret keys
// (by access key id): UnrecognizedClientException for a missing header or
// an unknown key; InvalidSignatureException for a malformed header, a
// signature that does not match, or an x-amz-date more than 15 minutes
// from `now`.
absl::Status VerifySignature(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now);

}  // namespace brook

#endif  // BROOK_SERVER_SIGV4_H_
