// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP interface: the one
// authenticated cipher behind Brook's encryption at rest. It seals record
// batches under a stream's data key and data keys under a master key.
//
// Sealing turns a plaintext into ciphertext of the same length followed by
// a 16-byte tag that authenticates the ciphertext and the associated data
// (bytes bound to the ciphertext but not encrypted, such as where a batch
// is stored). Opening checks the tag before returning any byte: a changed
// bit of ciphertext, tag, nonce or associated data fails the open.
//
// A nonce (12 bytes) must never repeat under one key; the callers make
// their nonces unique (see storage/encrypted_batch.h, encryption/
// key_directory.cc).
//
// Thread safety: an AesGcmKey is immutable; Seal() and Open() may run on
// many threads at once. The key bytes are wiped when it is destroyed.

#ifndef BROOK_ENCRYPTION_AES_GCM_H_
#define BROOK_ENCRYPTION_AES_GCM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

class AesGcmKey {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;

  // A key of the 32 bytes `key`; InvalidArgumentException for another
  // length.
  static absl::StatusOr<AesGcmKey> FromBytes(absl::string_view key);
  // A new key of 32 bytes from OpenSSL's random generator.
  static absl::StatusOr<AesGcmKey> Generate();

  AesGcmKey(const AesGcmKey&) = default;
  AesGcmKey& operator=(const AesGcmKey&) = default;
  ~AesGcmKey();

  // AesGcmKey::Seal()
  //
  // Appends to `out` the ciphertext of `plaintext` and its tag:
  // plaintext.size() + kTagBytes bytes. REQUIRES: nonce.size() ==
  // kNonceBytes, never used before with this key. Fails with
  // InternalFailure only if OpenSSL does.
  absl::Status Seal(absl::string_view nonce, absl::string_view associated_data,
                    absl::string_view plaintext, std::string* out) const;

  // AesGcmKey::Open()
  //
  // Appends to `out` the plaintext of `sealed` (ciphertext and tag, as
  // Seal() made it). Fails with DataLoss, appending nothing, if the tag does
  // not match: the bytes were changed, or sealed under another key, nonce
  // or associated data.
  absl::Status Open(absl::string_view nonce, absl::string_view associated_data,
                    absl::string_view sealed, std::string* out) const;

  // The key bytes, for wrapping under another key.
  absl::string_view bytes() const {
    return absl::string_view(reinterpret_cast<const char*>(key_.data()),
                             key_.size());
  }

 private:
  AesGcmKey() = default;

  std::array<uint8_t, kKeyBytes> key_{};
};

// `size` random bytes from OpenSSL's generator; InternalFailure if it has
// no entropy.
absl::StatusOr<std::string> RandomBytes(size_t size);

}  // namespace brook

#endif  // BROOK_ENCRYPTION_AES_GCM_H_
