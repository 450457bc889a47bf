#include "common/token_signer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

const absl::Time kIssued = absl::FromUnixMillis(1700000000123);

TEST(TokenSignerTest, Open_ReturnsPayloadAndIssueTime) {
  TokenSigner signer(TokenSigner::NewKey());
  const std::string token =
      signer.Seal(TokenKind::kShardIterator, kIssued, "payload");
  ASSERT_OK_AND_ASSIGN(OpenedToken opened,
                       signer.Open(TokenKind::kShardIterator, token, "it"));
  EXPECT_EQ(opened.payload, "payload");
  EXPECT_EQ(opened.issued, kIssued);
}

TEST(TokenSignerTest, Open_RejectsEveryFlippedCharacter) {
  TokenSigner signer(TokenSigner::NewKey());
  const std::string token =
      signer.Seal(TokenKind::kShardIterator, kIssued, "payload");
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_THAT(signer.Open(TokenKind::kShardIterator, tampered, "it"),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << "position " << i;
  }
}

TEST(TokenSignerTest, Open_RejectsTruncatedAndGarbage) {
  TokenSigner signer(TokenSigner::NewKey());
  const std::string token =
      signer.Seal(TokenKind::kShardIterator, kIssued, "payload");
  for (const std::string& bad :
       {token.substr(0, token.size() - 1), token.substr(0, 4), std::string(),
        std::string("not base64 at all!")}) {
    EXPECT_THAT(signer.Open(TokenKind::kShardIterator, bad, "it"),
                HasErrorName(ErrorName::kInvalidArgumentException));
  }
}

TEST(TokenSignerTest, Open_RejectsOtherKindAndOtherKey) {
  TokenSigner signer(TokenSigner::NewKey());
  TokenSigner other(TokenSigner::NewKey());
  const std::string token =
      signer.Seal(TokenKind::kListShards, kIssued, "payload");
  EXPECT_THAT(signer.Open(TokenKind::kShardIterator, token, "it"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(other.Open(TokenKind::kListShards, token, "it"),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook
