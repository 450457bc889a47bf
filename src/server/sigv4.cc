#include "server/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "brook/error.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook {
namespace {

constexpr absl::string_view kService = "kinesis";
constexpr absl::Duration kMaxClockSkew = absl::Minutes(15);

absl::Status InvalidSignature(absl::string_view message) {
  return MakeError(ErrorName::kInvalidSignatureException, message);
}

absl::string_view HeaderOf(const SignableRequest& request,
                           absl::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (absl::EqualsIgnoreCase(header, name)) return value;
  }
  return "";
}

// The parts of an Authorization header, and the X-Amz-Date it refers to.
struct Authorization {
  std::string access_key_id;
  SignatureScope scope;
  std::string terminator;
  std::string signed_headers;
  std::string signature;
  absl::string_view amz_date;
};

// Splits the Authorization header, or says which parts are missing in
// AWS's words.
absl::StatusOr<Authorization> ParseAuthorization(
    const SignableRequest& request) {
  const absl::string_view header = HeaderOf(request, "Authorization");
  if (header.empty()) {
    return MakeError(ErrorName::kMissingAuthenticationTokenException,
                     "Missing Authentication Token");
  }
  // "<algorithm> Credential=..., SignedHeaders=..., Signature=...": AWS
  // reads the parameters of any header, then its algorithm, and answers
  // IncompleteSignatureException for a header that is not SigV4's.
  const std::pair<absl::string_view, absl::string_view> algorithm_and_rest =
      absl::StrSplit(header, absl::MaxSplits(' ', 1));
  const absl::string_view algorithm = algorithm_and_rest.first;
  const absl::string_view rest = algorithm_and_rest.second;
  std::string credential;
  Authorization parsed;
  for (absl::string_view part : absl::StrSplit(rest, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "Credential=")) {
      credential = std::string(part);
    } else if (absl::ConsumePrefix(&part, "SignedHeaders=")) {
      parsed.signed_headers = std::string(part);
    } else if (absl::ConsumePrefix(&part, "Signature=")) {
      parsed.signature = std::string(part);
    }
  }
  parsed.amz_date = HeaderOf(request, "X-Amz-Date");
  std::string missing;
  for (const auto& [name, value] :
       {std::pair<absl::string_view, absl::string_view>{"Credential",
                                                        credential},
        {"Signature", parsed.signature},
        {"SignedHeaders", parsed.signed_headers}}) {
    if (value.empty()) {
      absl::StrAppend(&missing, "Authorization header requires '", name,
                      "' parameter. ");
    }
  }
  if (parsed.amz_date.empty()) {
    absl::StrAppend(&missing,
                    "Authorization header requires existence of a "
                    "'X-Amz-Date' header. ");
  }
  if (!missing.empty()) {
    return MakeError(ErrorName::kIncompleteSignatureException,
                     absl::StrCat(missing, "Authorization=", header));
  }
  if (algorithm != kSigV4Algorithm) {
    return MakeError(
        ErrorName::kIncompleteSignatureException,
        absl::StrCat("Unsupported AWS 'algorithm': '", algorithm, "'"));
  }
  const std::vector<std::string> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5) {
    return MakeError(
        ErrorName::kIncompleteSignatureException,
        absl::StrCat("Credential must have exactly 5 slash-delimited "
                     "elements, e.g. keyid/date/region/service/term, got '",
                     credential, "'"));
  }
  parsed.access_key_id = scope[0];
  parsed.scope = {scope[1], scope[2], scope[3]};
  parsed.terminator = scope[4];
  return parsed;
}

// What AWS requires of the scope: Kinesis', today's by X-Amz-Date.
absl::Status CheckScope(const Authorization& authorization) {
  if (authorization.terminator != "aws4_request") {
    return InvalidSignature(
        absl::StrCat("Credential should be scoped with a valid terminator: "
                     "'aws4_request', not '",
                     authorization.terminator, "'."));
  }
  if (authorization.scope.service != kService) {
    return InvalidSignature(absl::StrCat(
        "Credential should be scoped to correct service: '", kService, "'."));
  }
  if (authorization.scope.region.empty()) {
    return InvalidSignature("Credential should be scoped to a valid region.");
  }
  if (!absl::StartsWith(authorization.amz_date, authorization.scope.date) ||
      authorization.scope.date.size() != 8) {
    return InvalidSignature(absl::StrCat(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
        "version of date from HTTP: '",
        authorization.scope.date, "' != '", authorization.amz_date.substr(0, 8),
        "', from '", authorization.amz_date, "'."));
  }
  return absl::OkStatus();
}

// `host` and every x-amz-* header sent must be signed.
absl::Status CheckSignedHeaders(const SignableRequest& request,
                                const Authorization& authorization) {
  const std::vector<absl::string_view> names =
      absl::StrSplit(authorization.signed_headers, ';');
  auto is_signed = [&](absl::string_view header) {
    return std::any_of(names.begin(), names.end(), [&](absl::string_view n) {
      return absl::EqualsIgnoreCase(n, header);
    });
  };
  if (!is_signed("host")) {
    return InvalidSignature(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
        "Authorization.");
  }
  for (const auto& [header, value] : request.headers) {
    if (absl::StartsWithIgnoreCase(header, "x-amz-") && !is_signed(header)) {
      return InvalidSignature(
          absl::StrCat("'", header,
                       "' is sent but not a 'SignedHeader' in the AWS "
                       "Authorization."));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDate(absl::string_view amz_date, absl::Time now) {
  absl::Time signed_at;
  std::string parse_error;
  if (!absl::ParseTime("%E4Y%m%dT%H%M%SZ", amz_date, &signed_at,
                       &parse_error)) {
    return InvalidSignature(
        absl::StrCat("X-Amz-Date '", amz_date,
                     "' is not an ISO-8601 basic date (YYYYMMDDTHHMMSSZ)."));
  }
  if (absl::AbsDuration(now - signed_at) > kMaxClockSkew) {
    return InvalidSignature(absl::StrCat(
        "Signature expired: ", amz_date, " is more than 15 minutes from ",
        absl::FormatTime("%E4Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), "."));
  }
  return absl::OkStatus();
}

// Everything but the signature itself; the secret key of the access key on
// success.
absl::StatusOr<std::pair<Authorization, absl::string_view>> CheckHeaders(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now) {
  BROOK_ASSIGN_OR_RETURN(Authorization authorization,
                         ParseAuthorization(request));
  BROOK_RETURN_IF_ERROR(CheckScope(authorization));
  BROOK_RETURN_IF_ERROR(CheckSignedHeaders(request, authorization));
  BROOK_RETURN_IF_ERROR(CheckDate(authorization.amz_date, now));
  auto secret = secret_keys.find(authorization.access_key_id);
  if (secret == secret_keys.end()) {
    return MakeError(ErrorName::kUnrecognizedClientException,
                     "The security token included in the request is invalid.");
  }
  return std::make_pair(std::move(authorization),
                        absl::string_view(secret->second));
}

}  // namespace

bool SecretsEqual(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckSignatureHeaders(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now) {
  return CheckHeaders(request, secret_keys, now).status();
}

absl::Status VerifySignature(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now) {
  BROOK_ASSIGN_OR_RETURN(auto checked, CheckHeaders(request, secret_keys, now));
  const auto& [authorization, secret] = checked;
  const std::string expected =
      ComputeSignature(request, secret, authorization.amz_date,
                       authorization.scope, authorization.signed_headers);
  if (SecretsEqual(expected, authorization.signature)) {
    return absl::OkStatus();
  }
  return InvalidSignature(
      "The request signature we calculated does not match the signature you "
      "provided. Check your AWS Secret Access Key and signing method.");
}

}  // namespace brook
