#include "encryption/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "common/errors.h"

namespace brook {
namespace {

struct ContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const {
    EVP_CIPHER_CTX_free(context);
  }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextDeleter>;

const unsigned char* Bytes(absl::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// A context set up for AES-256-GCM with `key` and `nonce`, to encrypt or
// (`encrypt` false) to decrypt, with `associated_data` fed in.
absl::StatusOr<Context> Begin(const uint8_t* key, absl::string_view nonce,
                              absl::string_view associated_data, bool encrypt) {
  Context context(EVP_CIPHER_CTX_new());
  int unused = 0;
  if (context == nullptr ||
      EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                        nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(context.get(), nullptr, nullptr, key, Bytes(nonce),
                        -1) != 1 ||
      (!associated_data.empty() &&
       EVP_CipherUpdate(context.get(), nullptr, &unused, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1)) {
    return InternalFailure("OpenSSL could not set up AES-256-GCM");
  }
  return context;
}

// Runs `input` through `context` into out[offset...]; false if OpenSSL
// fails.
bool Update(EVP_CIPHER_CTX* context, absl::string_view input, std::string* out,
            size_t offset) {
  // EVP takes int lengths: feed at most 1 GiB at a time.
  constexpr size_t kChunk = size_t{1} << 30;
  for (size_t done = 0; done < input.size();) {
    const size_t size = std::min(kChunk, input.size() - done);
    int written = 0;
    if (EVP_CipherUpdate(
            context, reinterpret_cast<unsigned char*>(&(*out)[offset + done]),
            &written, Bytes(input.substr(done, size)),
            static_cast<int>(size)) != 1 ||
        static_cast<size_t>(written) != size) {
      return false;
    }
    done += size;
  }
  return true;
}

}  // namespace

absl::StatusOr<AesGcmKey> AesGcmKey::FromBytes(absl::string_view key) {
  if (key.size() != kKeyBytes) {
    return InvalidArgument("an AES-256 key has 32 bytes");
  }
  AesGcmKey result;
  std::copy(key.begin(), key.end(), result.key_.begin());
  return result;
}

absl::StatusOr<AesGcmKey> AesGcmKey::Generate() {
  AesGcmKey result;
  if (RAND_bytes(result.key_.data(), static_cast<int>(kKeyBytes)) != 1) {
    return InternalFailure("OpenSSL's random generator failed");
  }
  return result;
}

AesGcmKey::~AesGcmKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

absl::Status AesGcmKey::Seal(absl::string_view nonce,
                             absl::string_view associated_data,
                             absl::string_view plaintext,
                             std::string* out) const {
  absl::StatusOr<Context> context =
      Begin(key_.data(), nonce, associated_data, /*encrypt=*/true);
  if (!context.ok()) return context.status();
  const size_t offset = out->size();
  out->resize(offset + plaintext.size() + kTagBytes);
  int unused = 0;
  if (!Update(context->get(), plaintext, out, offset) ||
      EVP_CipherFinal_ex(context->get(), nullptr, &unused) != 1 ||
      EVP_CIPHER_CTX_ctrl(context->get(), EVP_CTRL_GCM_GET_TAG,
                          static_cast<int>(kTagBytes),
                          &(*out)[offset + plaintext.size()]) != 1) {
    out->resize(offset);
    return InternalFailure("OpenSSL could not encrypt");
  }
  return absl::OkStatus();
}

absl::Status AesGcmKey::Open(absl::string_view nonce,
                             absl::string_view associated_data,
                             absl::string_view sealed, std::string* out) const {
  if (sealed.size() < kTagBytes) return DataLoss("sealed bytes are truncated");
  absl::StatusOr<Context> context =
      Begin(key_.data(), nonce, associated_data, /*encrypt=*/false);
  if (!context.ok()) return context.status();
  const absl::string_view ciphertext =
      sealed.substr(0, sealed.size() - kTagBytes);
  std::string tag(sealed.substr(ciphertext.size()));
  const size_t offset = out->size();
  out->resize(offset + ciphertext.size());
  int unused = 0;
  const bool opened = Update(context->get(), ciphertext, out, offset) &&
                      EVP_CIPHER_CTX_ctrl(context->get(), EVP_CTRL_GCM_SET_TAG,
                                          kTagBytes, tag.data()) == 1 &&
                      EVP_CipherFinal_ex(context->get(), nullptr, &unused) == 1;
  if (!opened) {
    // Nothing unauthenticated leaves this function.
    OPENSSL_cleanse(&(*out)[offset], ciphertext.size());
    out->resize(offset);
    return DataLoss(
        "authentication failed: the bytes were changed or sealed under "
        "another key or position");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                 static_cast<int>(size)) != 1) {
    return InternalFailure("OpenSSL's random generator failed");
  }
  return bytes;
}

}  // namespace brook
