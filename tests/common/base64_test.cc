#include "common/base64.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

// RFC 4648, section 10.
TEST(Base64Test, EncodesAndDecodesTheRfcVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(EncodeBase64(bytes), text);
    ASSERT_OK_AND_ASSIGN(std::string decoded, DecodeBase64(text));
    EXPECT_EQ(decoded, bytes);
    std::string in_place = text;
    ASSERT_OK_AND_ASSIGN(size_t size, DecodeBase64InPlace(absl::MakeSpan(
                                          in_place.data(), in_place.size())));
    EXPECT_EQ(in_place.substr(0, size), bytes);
  }
}

// Every byte value at every position of every padding, against OpenSSL's
// encoder.
TEST(Base64Test, RoundTripsArbitraryBytes) {
  std::mt19937 random(7);
  for (size_t length = 0; length < 300; ++length) {
    std::string bytes(length, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    const std::string text = EncodeBase64(bytes);
    ASSERT_OK_AND_ASSIGN(std::string decoded, DecodeBase64(text));
    EXPECT_EQ(decoded, bytes) << length;
    std::string in_place = text;
    ASSERT_OK_AND_ASSIGN(size_t size, DecodeBase64InPlace(absl::MakeSpan(
                                          in_place.data(), in_place.size())));
    EXPECT_EQ(in_place.substr(0, size), bytes) << length;
  }
}

TEST(Base64Test, IgnoresTheUnusedBitsOfAPaddedLastGroup) {
  ASSERT_OK_AND_ASSIGN(std::string one, DecodeBase64("Zh=="));
  EXPECT_EQ(one, "f");
  ASSERT_OK_AND_ASSIGN(std::string two, DecodeBase64("Zm9="));
  EXPECT_EQ(two, "fo");
}

// Texts that are not padded base64, each after a long valid prefix too, so
// that a failure comes after groups already decoded in place.
std::vector<std::string> NotBase64() {
  std::vector<std::string> bad = {
      "a",        "aGk",      "aGk=a",     "a*k=",
      "Zm9v-A==", "Zm9v_A==", "Zm9\nYmFy", "Zm9 YmFy",
      "Zg==Zm9v", "Zm=v",     "Z===",      "====",
      "====x===", "=Zm9",     "Zm9vYg=",   std::string("Zm9\0", 4),
      "Zm9\x80",  "Zm9\xff"};
  const std::string prefix = EncodeBase64(std::string(3000, '\x5a'));
  for (size_t i = 0, n = bad.size(); i < n; ++i) {
    bad.push_back(prefix + bad[i]);
  }
  return bad;
}

TEST(Base64Test, RejectsWhatIsNotPaddedBase64) {
  for (const std::string& bad : NotBase64()) {
    EXPECT_THAT(DecodeBase64(bad),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << bad;
  }
}

TEST(Base64Test, InPlace_AFailureLeavesTheTextAsItWas) {
  for (const std::string& bad : NotBase64()) {
    std::string text = bad;
    EXPECT_THAT(DecodeBase64InPlace(absl::MakeSpan(text.data(), text.size())),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << bad;
    EXPECT_EQ(text, bad);
  }
}

// Each group but the last is stored as 4 bytes whose 4th the next group
// overwrites; the last must be stored as its 3 bytes alone. A 4-byte store
// there writes one byte past the decoded bytes: inside the text when in
// place (and inside a std::string's capacity otherwise, where no sanitizer
// sees it), so the bytes past the decoded ones are checked here.
TEST(Base64Test, InPlace_WritesNothingPastTheDecodedBytes) {
  for (const std::string text : {"Zm9v", "Zm9vYmFy", "Zm9vYmFyYmF6",
                                 "Zg==", "Zm8=", "Zm9vYg==", "Zm9vYmE="}) {
    std::string buffer = text + "#sentinel";
    ASSERT_OK_AND_ASSIGN(const size_t size, DecodeBase64InPlace(absl::MakeSpan(
                                                buffer.data(), text.size())));
    ASSERT_OK_AND_ASSIGN(const std::string bytes, DecodeBase64(text));
    EXPECT_EQ(buffer.substr(0, size), bytes) << text;
    EXPECT_EQ(buffer.substr(size), (text + "#sentinel").substr(size)) << text;
  }
}

}  // namespace
}  // namespace brook
