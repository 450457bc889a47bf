#include "encryption/aes_gcm.h"

#include <string>

#include "gtest/gtest.h"
#include "testing/hex.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::FromHex;

TEST(AesGcmTest, Seal_MatchesNistTestCase14) {
  // The GCM specification's test case 14 (AES-256, zero key, nonce and
  // plaintext of 16 bytes, no associated data): ciphertext, then tag.
  ASSERT_OK_AND_ASSIGN(AesGcmKey key,
                       AesGcmKey::FromBytes(std::string(32, '\0')));
  std::string sealed;
  ASSERT_OK(
      key.Seal(std::string(12, '\0'), "", std::string(16, '\0'), &sealed));
  EXPECT_EQ(sealed, FromHex("cea7403d4d606b6e074ec5d3baf39d18"
                            "d0d1c8a799996bf0265b98b5d48ab919"));
  std::string opened;
  ASSERT_OK(key.Open(std::string(12, '\0'), "", sealed, &opened));
  EXPECT_EQ(opened, std::string(16, '\0'));
}

TEST(AesGcmTest, Open_RefusesEveryChangedBit) {
  ASSERT_OK_AND_ASSIGN(AesGcmKey key, AesGcmKey::Generate());
  const std::string nonce(12, 'n');
  std::string sealed;
  ASSERT_OK(key.Seal(nonce, "where", "the plaintext", &sealed));
  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::string changed = sealed;
    changed[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    std::string out = "kept";
    EXPECT_THAT(key.Open(nonce, "where", changed, &out),
                ::brook::testing::HasCode(absl::StatusCode::kDataLoss))
        << bit;
    EXPECT_EQ(out, "kept");  // Nothing unauthenticated is appended.
  }
}

TEST(AesGcmTest, Open_RefusesAnotherKeyNonceOrAssociatedData) {
  ASSERT_OK_AND_ASSIGN(AesGcmKey key, AesGcmKey::Generate());
  ASSERT_OK_AND_ASSIGN(AesGcmKey other, AesGcmKey::Generate());
  const std::string nonce(12, 'n');
  std::string sealed;
  ASSERT_OK(key.Seal(nonce, "where", "the plaintext", &sealed));
  std::string out;
  EXPECT_FALSE(other.Open(nonce, "where", sealed, &out).ok());
  EXPECT_FALSE(key.Open(std::string(12, 'm'), "where", sealed, &out).ok());
  EXPECT_FALSE(key.Open(nonce, "elsewhere", sealed, &out).ok());
  EXPECT_FALSE(key.Open(nonce, "where", sealed.substr(1), &out).ok());
  EXPECT_FALSE(key.Open(nonce, "where", "short", &out).ok());
  ASSERT_OK(key.Open(nonce, "where", sealed, &out));
  EXPECT_EQ(out, "the plaintext");
}

TEST(AesGcmTest, FromBytes_RefusesAnotherLength) {
  EXPECT_FALSE(AesGcmKey::FromBytes(std::string(16, 'k')).ok());
  EXPECT_FALSE(AesGcmKey::FromBytes("").ok());
}

}  // namespace
}  // namespace brook
