#include "common/token_signer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/coding.h"
#include "common/errors.h"

namespace brook {
namespace {

constexpr size_t kMacBytes = 16;
constexpr size_t kHeaderBytes = 1 + 8;

}  // namespace

std::string TokenSigner::NewKey() {
  std::string key(kKeyBytes, '\0');
  // RAND_bytes fails only when the OS has no entropy source; a zero key then
  // still yields well-formed (if guessable) tokens, so the result is not
  // fatal.
  RAND_bytes(reinterpret_cast<unsigned char*>(key.data()),
             static_cast<int>(key.size()));
  return key;
}

std::string TokenSigner::Mac(absl::string_view message) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &mac_size);
  return std::string(reinterpret_cast<const char*>(mac), kMacBytes);
}

std::string TokenSigner::Seal(TokenKind kind, absl::Time issued,
                              absl::string_view payload) const {
  std::string raw;
  raw.push_back(static_cast<char>(kind));
  PutFixed64BE(&raw, static_cast<uint64_t>(absl::ToUnixMillis(issued)));
  raw.append(payload.data(), payload.size());
  raw += Mac(raw);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<OpenedToken> TokenSigner::Open(TokenKind kind,
                                              absl::string_view token,
                                              absl::string_view what) const {
  std::string raw;
  // Only the canonical encoding is accepted, so that a token has exactly
  // one spelling (base64's unused trailing bits could otherwise vary).
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() < kHeaderBytes + kMacBytes ||
      absl::WebSafeBase64Escape(raw) != token) {
    return InvalidArgument(absl::StrCat("invalid ", what, ": not a ", what,
                                        " this broker issued"));
  }
  const absl::string_view message(raw.data(), raw.size() - kMacBytes);
  const std::string expected = Mac(message);
  if (CRYPTO_memcmp(expected.data(), raw.data() + message.size(), kMacBytes) !=
          0 ||
      static_cast<uint8_t>(raw[0]) != static_cast<uint8_t>(kind)) {
    return InvalidArgument(absl::StrCat("invalid ", what, ": not a ", what,
                                        " this broker issued"));
  }
  OpenedToken opened;
  opened.issued = absl::FromUnixMillis(
      static_cast<int64_t>(DecodeFixed64BE(raw.data() + 1)));
  opened.payload = std::string(message.substr(kHeaderBytes));
  return opened;
}

}  // namespace brook
