// brookd's check of AWS Signature Version 4 signatures: every API request
// must carry an Authorization header that one of the configured key pairs
// produced. The signature itself is computed by aws/sigv4.h, the same code
// that signs the remote Broker's requests.
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
#include "aws/sigv4.h"

namespace brook {

// Whether two secrets (signatures, tokens) are equal, in a time that does
// not depend on where they differ.
bool SecretsEqual(absl::string_view a, absl::string_view b);

// CheckSignatureHeaders()
//
// Checks everything in the request's signature that does not depend on the
// payload, with AWS's error names:
//   MissingAuthenticationTokenException  no Authorization header;
//   IncompleteSignatureException         no Credential, SignedHeaders or
//                                        Signature (a header that is not
//                                        SigV4's at all: "Bearer x"), no
//                                        X-Amz-Date, another algorithm than
//                                        AWS4-HMAC-SHA256, or a Credential
//                                        that is not
//                                        key/date/region/service/aws4_request;
//   InvalidSignatureException            a scope for
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
// CheckSignatureHeaders(), then the signature itself:
// InvalidSignatureException if it does not match the request (its payload
// included).
absl::Status VerifySignature(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now);

}  // namespace brook

#endif  // BROOK_SERVER_SIGV4_H_
