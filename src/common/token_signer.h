// Opaque, self-validating tokens: shard iterators and pagination tokens.
// A token is the web-safe base64 of
//   kind:1 issued_ms:fixed64be payload  mac:16
// where `mac` is HMAC-SHA256 (truncated) under a secret key that the Broker
// creates with its data directory. A token therefore cannot be forged or
// altered, one kind cannot pass for another, and a token of another data
// directory is refused. Tokens carry their issue time; callers decide how
// long each kind lives.
//
// Thread safety: const methods may be called concurrently.

#ifndef BROOK_COMMON_TOKEN_SIGNER_H_
#define BROOK_COMMON_TOKEN_SIGNER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace brook {

// Do not change the values: they are inside tokens that clients hold.
enum class TokenKind : uint8_t {
  kShardIterator = 1,
  kListShards = 2,
  kListStreams = 3,
  kListStreamConsumers = 4,
};

struct OpenedToken {
  absl::Time issued;
  std::string payload;
};

class TokenSigner {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Returns kKeyBytes of cryptographically random bytes for a new key.
  static std::string NewKey();

  // REQUIRES: key.size() == kKeyBytes.
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}

  std::string Seal(TokenKind kind, absl::Time issued,
                   absl::string_view payload) const;

  // Returns the token's issue time and payload. Fails with
  // InvalidArgumentException, naming `what` (e.g. "shard iterator"), if
  // `token` is not a token of `kind` sealed with this key.
  absl::StatusOr<OpenedToken> Open(TokenKind kind, absl::string_view token,
                                   absl::string_view what) const;

 private:
  std::string Mac(absl::string_view message) const;

  const std::string key_;
};

}  // namespace brook

#endif  // BROOK_COMMON_TOKEN_SIGNER_H_
