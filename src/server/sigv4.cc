#include "server/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "brook/error.h"
#include "common/errors.h"

namespace brook {
namespace {

constexpr absl::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr absl::Duration kMaxClockSkew = absl::Minutes(15);

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string Hmac(absl::string_view key, absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
       &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// A header value as signed: trimmed, inner runs of spaces made one.
std::string CanonicalValue(absl::string_view value) {
  std::string out;
  bool space = false;
  for (char c : absl::StripAsciiWhitespace(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string CanonicalQuery(absl::string_view query) {
  std::vector<std::string> pairs =
      absl::StrSplit(query, '&', absl::SkipEmpty());
  std::sort(pairs.begin(), pairs.end());
  return absl::StrJoin(pairs, "&");
}

std::string CanonicalRequest(const SignableRequest& request,
                             absl::string_view signed_headers) {
  std::string headers;
  for (absl::string_view name : absl::StrSplit(signed_headers, ';')) {
    std::vector<std::string> values;
    for (const auto& [header, value] : request.headers) {
      if (absl::EqualsIgnoreCase(header, name)) {
        values.push_back(CanonicalValue(value));
      }
    }
    absl::StrAppend(&headers, name, ":", absl::StrJoin(values, ","), "\n");
  }
  return absl::StrCat(request.method, "\n", request.path, "\n",
                      CanonicalQuery(request.query), "\n", headers, "\n",
                      signed_headers, "\n", Sha256Hex(request.payload));
}

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

}  // namespace

std::string ComputeSignature(const SignableRequest& request,
                             absl::string_view secret_access_key,
                             absl::string_view amz_date,
                             const SignatureScope& scope,
                             absl::string_view signed_headers) {
  const std::string scope_text = absl::StrCat(
      scope.date, "/", scope.region, "/", scope.service, "/aws4_request");
  const std::string string_to_sign =
      absl::StrCat(kAlgorithm, "\n", amz_date, "\n", scope_text, "\n",
                   Sha256Hex(CanonicalRequest(request, signed_headers)));
  std::string key = Hmac(absl::StrCat("AWS4", secret_access_key), scope.date);
  key = Hmac(key, scope.region);
  key = Hmac(key, scope.service);
  key = Hmac(key, "aws4_request");
  const std::string signature = Hmac(key, string_to_sign);
  return absl::BytesToHexString(signature);
}

absl::Status VerifySignature(
    const SignableRequest& request,
    const absl::flat_hash_map<std::string, std::string>& secret_keys,
    absl::Time now) {
  absl::string_view authorization = HeaderOf(request, "Authorization");
  if (authorization.empty()) {
    return MakeError(ErrorName::kUnrecognizedClientException,
                     "the request is not signed");
  }
  if (!absl::ConsumePrefix(&authorization, kAlgorithm) ||
      !absl::ConsumePrefix(&authorization, " ")) {
    return InvalidSignature("only AWS4-HMAC-SHA256 signatures are accepted");
  }
  std::string credential;
  std::string signed_headers;
  std::string signature;
  for (absl::string_view part : absl::StrSplit(authorization, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "Credential="))
      credential = std::string(part);
    if (absl::ConsumePrefix(&part, "SignedHeaders="))
      signed_headers = std::string(part);
    if (absl::ConsumePrefix(&part, "Signature=")) signature = std::string(part);
  }
  const std::vector<std::string> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" ||
      signed_headers.empty() || signature.empty()) {
    return InvalidSignature("malformed Authorization header");
  }
  auto secret = secret_keys.find(scope[0]);
  if (secret == secret_keys.end()) {
    return MakeError(ErrorName::kUnrecognizedClientException,
                     "The security token included in the request is invalid.");
  }
  const absl::string_view amz_date = HeaderOf(request, "X-Amz-Date");
  absl::Time signed_at;
  std::string parse_error;
  if (!absl::ParseTime("%E4Y%m%dT%H%M%SZ", amz_date, &signed_at,
                       &parse_error) ||
      !absl::StartsWith(amz_date, scope[1])) {
    return InvalidSignature("missing or malformed X-Amz-Date");
  }
  if (absl::AbsDuration(now - signed_at) > kMaxClockSkew) {
    return InvalidSignature(
        "Signature expired: X-Amz-Date is more than 15 "
        "minutes from the server's time");
  }
  const std::string expected = ComputeSignature(
      request, secret->second, amz_date,
      SignatureScope{scope[1], scope[2], scope[3]}, signed_headers);
  if (!CRYPTO_memcmp(expected.data(), signature.data(),
                     std::min(expected.size(), signature.size())) &&
      expected.size() == signature.size()) {
    return absl::OkStatus();
  }
  return InvalidSignature(
      "The request signature we calculated does not match the signature you "
      "provided.");
}

}  // namespace brook
