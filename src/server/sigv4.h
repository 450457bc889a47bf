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
//
// Verification comes in two steps, so that a server can refuse a request
// before reading its body: CheckSignatureHeaders() needs only the headers,
// VerifySignature() also the payload.
//
// Thread safety: pure functions.

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

// A request as received, enough to sign it. `payload` views the body, which
// must outlive the struct (it is never copied: bodies run to 16 MiB).
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

// The signature of `request` over `signed_headers` (lower-case names,
// ';'-separated, as in the Authorization header), given its x-amz-date.
std::string ComputeSignature(const SignableRequest& request,
                             absl::string_view secret_access_key,
                             absl::string_view amz_date,
                             const SignatureScope& scope,
                             absl::string_view signed_headers);

// Whether two secrets (signatures, tokens) are equal, in a time that does
// not depend on where they differ.
bool SecretsEqual(absl::string_view a, absl::string_view b);

// CheckSignatureHeaders()
//
// Checks everything in the request's signature that does not depend on the
// payload, with AWS's error names:
//   MissingAuthenticationTokenException  no Authorization header;
//   IncompleteSignatureException         no Credential, SignedHeaders or
//                                        Signature, no X-Amz-Date, or a
//                                        Credential that is not
//                                        key/date/region/service/aws4_request;
//   InvalidSignatureException            another algorithm than
//                                        AWS4-HMAC-SHA256; a scope for
//                                        another service than `kinesis`, with
//                                        another terminator, or whose date is
//                                        not the X-Amz-Date's; SignedHeaders
//                                        without `host` or without an x-amz-*
//                                        header the request carries (AWS
//                                        requires both: an unsigned
//                                        X-Amz-Target would let a signature
//                                        be replayed for another operation);
//                                        an X-Amz-Date more than 15 minutes
//                                        from `now`;
//   UnrecognizedClientException          an access key not in `secret_keys`.
absl::Status CheckSignatureHeaders(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now);

// VerifySignature()
//
// Whether two secrets (signatures, tokens) are equal, in a time that does
// not depend on where they differ.
bool SecretsEqual(absl::string_view a, absl::string_view b);

// CheckSignatureHeaders(), then the signature itself:
// InvalidSignatureException if it does not match the request (its payload
// included).
absl::Status VerifySignature(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now);

}  // namespace brook

#endif  // BROOK_SERVER_SIGV4_H_
