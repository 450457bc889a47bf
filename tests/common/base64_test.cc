#include "common/base64.h"

#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

// RFC 4648, section 10: bytes and their base64.
constexpr std::pair<const char*, const char*> kRfcVectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"}};

TEST(Base64Test, EncodesAndDecodesTheRfcVectors) {
  for (const auto& [bytes, text] : kRfcVectors) {
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

// The decoders' two ways (table lookups alone, and AVX2 for blocks of 32
// characters), and the dispatching public functions, pinned to the same
// results: the AVX2 path only takes blocks with at least 3 groups after
// them, so texts here run from empty to well past several blocks, with the
// bad byte in a block, in the groups after the last block, and in the
// padding.

using DecodeFunction = absl::optional<size_t> (*)(const char*, size_t, char*);

// The public functions in the internal ones' form: in place when `out` is
// `in`.
absl::optional<size_t> DecodePublic(const char* in, size_t size, char* out) {
  if (out == in) {
    absl::StatusOr<size_t> decoded =
        DecodeBase64InPlace(absl::MakeSpan(out, size));
    if (!decoded.ok()) return absl::nullopt;
    return *decoded;
  }
  absl::StatusOr<std::string> decoded =
      DecodeBase64(absl::string_view(in, size));
  if (!decoded.ok()) return absl::nullopt;
  std::memcpy(out, decoded->data(), decoded->size());
  return decoded->size();
}

// What a decoder did to its buffer: in place, the text's; otherwise, an
// output of 3/4 of the text's size followed by kSlack bytes it must not
// write. Both start filled with a sentinel past what they hold.
struct Outcome {
  absl::optional<size_t> size;
  std::string buffer;
};

constexpr size_t kSlack = 40;
constexpr char kSentinel = '#';

Outcome RunDecoder(DecodeFunction decode, const std::string& text,
                   bool in_place) {
  Outcome outcome;
  if (in_place) {
    outcome.buffer = text + std::string(kSlack, kSentinel);
    outcome.size =
        decode(outcome.buffer.data(), text.size(), outcome.buffer.data());
  } else {
    outcome.buffer.assign(3 * (text.size() / 4) + kSlack, kSentinel);
    outcome.size = decode(text.data(), text.size(), outcome.buffer.data());
  }
  return outcome;
}

class Base64PathTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "avx2" &&
        !base64_internal::Avx2Available()) {
      GTEST_SKIP() << "this CPU has no AVX2";
    }
  }

  DecodeFunction decode() const {
    const std::string path = GetParam();
    if (path == "portable") return &base64_internal::DecodePortable;
    if (path == "avx2") return &base64_internal::DecodeAvx2;
    return &DecodePublic;
  }

  // Checks that `text`, the base64 of `bytes`, decodes to them, in place
  // and not, writing nothing past them (in place, the text after them is
  // left as it was), and exactly as the portable path does.
  void ExpectDecodes(const std::string& text, const std::string& bytes) {
    for (const bool in_place : {false, true}) {
      SCOPED_TRACE(
          absl::StrCat(in_place ? "in place, " : "", "size ", text.size()));
      const Outcome outcome = RunDecoder(decode(), text, in_place);
      ASSERT_EQ(outcome.size, bytes.size());
      EXPECT_EQ(outcome.buffer.substr(0, bytes.size()), bytes);
      const std::string after =
          in_place
              ? text.substr(bytes.size()) + std::string(kSlack, kSentinel)
              : std::string(outcome.buffer.size() - bytes.size(), kSentinel);
      EXPECT_EQ(outcome.buffer.substr(bytes.size()), after);
      const Outcome portable =
          RunDecoder(&base64_internal::DecodePortable, text, in_place);
      EXPECT_EQ(outcome.size, portable.size);
      EXPECT_EQ(outcome.buffer, portable.buffer);
    }
  }

  // Checks that `text` fails to decode, leaving it as it was in place and
  // writing nothing past 3/4 of its size otherwise, as the portable path
  // does.
  void ExpectRejects(const std::string& text) {
    for (const bool in_place : {false, true}) {
      SCOPED_TRACE(
          absl::StrCat(in_place ? "in place, " : "", "size ", text.size()));
      const Outcome outcome = RunDecoder(decode(), text, in_place);
      EXPECT_EQ(outcome.size, absl::nullopt);
      const Outcome portable =
          RunDecoder(&base64_internal::DecodePortable, text, in_place);
      EXPECT_EQ(portable.size, absl::nullopt);
      if (in_place) {
        EXPECT_EQ(outcome.buffer, text + std::string(kSlack, kSentinel));
      } else {
        EXPECT_EQ(outcome.buffer.substr(3 * (text.size() / 4)),
                  std::string(kSlack, kSentinel));
      }
    }
  }
};

// Every byte value that is not a base64 character.
std::vector<char> NotAlphabet() {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<char> bad;
  for (int byte = 0; byte < 256; ++byte) {
    if (alphabet.find(static_cast<char>(byte)) == std::string::npos) {
      bad.push_back(static_cast<char>(byte));
    }
  }
  return bad;
}

std::string RandomBytes(size_t length, std::mt19937& random) {
  std::string bytes(length, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

// kRfcVectors on each path. Whole groups of 3 bytes encode to groups of 4
// characters on their own, so each vector is also checked after "foobar"
// repeated, long enough to reach the AVX2 blocks.
TEST_P(Base64PathTest, DecodesTheRfcVectors) {
  for (int repeats = 0; repeats < 30; ++repeats) {
    std::string bytes_prefix, text_prefix;
    for (int i = 0; i < repeats; ++i) {
      bytes_prefix += "foobar";
      text_prefix += "Zm9vYmFy";
    }
    for (const auto& [bytes, text] : kRfcVectors) {
      ExpectDecodes(text_prefix + text, bytes_prefix + bytes);
    }
  }
}

// Each character stands for its index in the alphabet, so the alphabet,
// rotated by r, is the sextets r, r + 1, ... mod 64 packed 4 to 3 bytes,
// most significant bits first: every character at every place of a block.
TEST_P(Base64PathTest, DecodesEveryCharacterAtEveryPlace) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t rotation = 0; rotation < 64; ++rotation) {
    std::string text, bytes;
    for (size_t copy = 0; copy < 3; ++copy) {
      for (size_t i = 0; i < 64; i += 4) {
        uint32_t bits = 0;
        for (size_t j = i; j < i + 4; ++j) {
          text.push_back(alphabet[(j + rotation) % 64]);
          bits = bits << 6 | ((j + rotation) % 64);
        }
        bytes.push_back(static_cast<char>(bits >> 16));
        bytes.push_back(static_cast<char>(bits >> 8));
        bytes.push_back(static_cast<char>(bits));
      }
    }
    ExpectDecodes(text, bytes);
  }
}

TEST_P(Base64PathTest, DecodesRandomBytesOfEveryLength) {
  std::mt19937 random(11);
  for (size_t length = 0; length <= 300; ++length) {
    for (int sample = 0; sample < 4; ++sample) {
      const std::string bytes = RandomBytes(length, random);
      ExpectDecodes(EncodeBase64(bytes), bytes);
    }
  }
}

TEST_P(Base64PathTest, DecodesALargeText) {
  std::mt19937 random(13);
  for (const size_t length :
       {size_t{1} << 20, (size_t{1} << 20) + 1, (size_t{1} << 20) + 2}) {
    const std::string bytes = RandomBytes(length, random);
    ExpectDecodes(EncodeBase64(bytes), bytes);
  }
}

// One byte outside the alphabet at every place of texts of every length,
// the bad bytes taken in turn. '=' only before the last group: there it
// can make valid padding.
TEST_P(Base64PathTest, RejectsABadByteAtEveryPlace) {
  std::mt19937 random(17);
  const std::vector<char> bad = NotAlphabet();
  size_t next = 0;
  for (size_t length = 1; length <= 300; ++length) {
    const std::string text = EncodeBase64(RandomBytes(length, random));
    for (size_t place = 0; place < text.size(); ++place) {
      std::string broken = text;
      do {
        broken[place] = bad[next++ % bad.size()];
      } while (broken[place] == '=' && place + 4 >= text.size());
      ExpectRejects(broken);
    }
  }
}

// Every byte outside the alphabet at each place of a text with several
// blocks, then its padding, and at a few places of a large text.
TEST_P(Base64PathTest, RejectsEveryBadByte) {
  std::mt19937 random(19);
  for (const size_t length : {148, 149, 150}) {
    const std::string text = EncodeBase64(RandomBytes(length, random));
    for (size_t place = 0; place < text.size(); ++place) {
      for (const char byte : NotAlphabet()) {
        if (byte == '=' && place + 4 >= text.size()) continue;
        std::string broken = text;
        broken[place] = byte;
        ExpectRejects(broken);
      }
    }
  }
  const std::string large = EncodeBase64(RandomBytes(1 << 20, random));
  for (const size_t place :
       {size_t{0}, size_t{31}, size_t{32}, large.size() / 2 + 5,
        large.size() - 45, large.size() - 44, large.size() - 13,
        large.size() - 5, large.size() - 1}) {
    for (const char byte : {'\0', '-', '=', '\x80', '\xff'}) {
      if (byte == '=' && place + 4 >= large.size()) continue;
      std::string broken = large;
      broken[place] = byte;
      ExpectRejects(broken);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, Base64PathTest,
                         ::testing::Values("portable", "avx2", "dispatching"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace brook
