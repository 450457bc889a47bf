#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cassert>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace brook {
namespace {

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

// Every header name of `request`, lower-case, sorted, once each.
std::string SignedHeaderNames(const SignableRequest& request) {
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers) {
    names.push_back(absl::AsciiStrToLower(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return absl::StrJoin(names, ";");
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
      absl::StrCat(kSigV4Algorithm, "\n", amz_date, "\n", scope_text, "\n",
                   Sha256Hex(CanonicalRequest(request, signed_headers)));
  std::string key = Hmac(absl::StrCat("AWS4", secret_access_key), scope.date);
  key = Hmac(key, scope.region);
  key = Hmac(key, scope.service);
  key = Hmac(key, "aws4_request");
  return absl::BytesToHexString(Hmac(key, string_to_sign));
}

void SignRequest(SignableRequest& request, const AwsCredentials& credentials,
                 absl::string_view region, absl::string_view service,
                 absl::Time now) {
  assert(std::none_of(request.headers.begin(), request.headers.end(),
                      [](const auto& h) {
                        return absl::EqualsIgnoreCase(h.first, "Authorization");
                      }));
  const std::string amz_date =
      absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token",
                                 credentials.session_token);
  }
  const SignatureScope scope{amz_date.substr(0, 8), std::string(region),
                             std::string(service)};
  const std::string signed_headers = SignedHeaderNames(request);
  const std::string signature = ComputeSignature(
      request, credentials.secret_access_key, amz_date, scope, signed_headers);
  request.headers.emplace_back(
      "Authorization",
      absl::StrCat(kSigV4Algorithm, " Credential=", credentials.access_key_id,
                   "/", scope.date, "/", scope.region, "/", scope.service,
                   "/aws4_request, SignedHeaders=", signed_headers,
                   ", Signature=", signature));
}

}  // namespace brook
