#include "common/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "absl/types/optional.h"
#include "common/errors.h"

namespace brook {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Not a character of the alphabet: every valid entry is below 64.
constexpr uint8_t kInvalid = 0x80;

// The 6-bit value of each byte that is a base64 character, kInvalid for
// every other byte ('=' included: padding is handled apart).
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (uint8_t& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = i;
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

uint32_t Sextet(char c) { return kDecode[static_cast<unsigned char>(c)]; }

// For each position in a group of 4 characters, each byte's sextet already
// shifted to its place in the group's 24 bits, or kInvalidGroup (outside
// those bits) for a byte outside the alphabet: a group decodes with four
// lookups ORed together and one test. brookd decodes every record of a
// JSON PutRecords here, so this loop is much of a put's cost.
constexpr uint32_t kInvalidGroup = uint32_t{1} << 24;
constexpr std::array<uint32_t, 256> MakeShiftedTable(int shift) {
  std::array<uint32_t, 256> table{};
  for (size_t c = 0; c < table.size(); ++c) {
    table[c] =
        kDecode[c] == kInvalid ? kInvalidGroup : uint32_t{kDecode[c]} << shift;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kDecode0 = MakeShiftedTable(18);
constexpr std::array<uint32_t, 256> kDecode1 = MakeShiftedTable(12);
constexpr std::array<uint32_t, 256> kDecode2 = MakeShiftedTable(6);
constexpr std::array<uint32_t, 256> kDecode3 = MakeShiftedTable(0);

// The 24 bits of the group of 4 characters at `text`; kInvalidGroup or
// more if one is outside the alphabet.
uint32_t GroupBits(const unsigned char* text) {
  return kDecode0[text[0]] | kDecode1[text[1]] | kDecode2[text[2]] |
         kDecode3[text[3]];
}

// `word` as stored by memcpy puts its most significant byte first.
uint32_t InMemoryOrder(uint32_t word) {
  if constexpr (std::endian::native == std::endian::little) {
    return __builtin_bswap32(word);
  }
  return word;
}

// Decodes the first `groups` groups of 4 characters of `in` to 3 bytes each
// at `out`, which may be `in` itself: group i is read before bytes 3i to
// 3i+3 are written (the 4th, written by a 4-byte store before group i+1
// writes it for good, lies at most at 4i+3), and those lie before group
// i+1. Returns how many groups it decoded, fewer than `groups` if one holds
// a byte outside the alphabet.
size_t DecodeGroups(const char* in, size_t groups, char* out) {
  const auto* text = reinterpret_cast<const unsigned char*>(in);
  size_t i = 0;
  // All but the last group: one store of 4 bytes, big-endian, whose last
  // byte the next group overwrites.
  for (; i + 1 < groups; ++i, text += 4, out += 3) {
    const uint32_t bits = GroupBits(text);
    if (bits >= kInvalidGroup) return i;
    const uint32_t word = InMemoryOrder(bits << 8);
    std::memcpy(out, &word, 4);
  }
  if (i < groups) {  // The last: `out` may end after its 3 bytes.
    const uint32_t bits = GroupBits(text);
    if (bits >= kInvalidGroup) return i;
    out[0] = static_cast<char>(bits >> 16);
    out[1] = static_cast<char>(bits >> 8);
    out[2] = static_cast<char>(bits);
    ++i;
  }
  return i;
}

// Writes back the text of the first `groups` groups that DecodeGroups()
// decoded in place at `text`. Full groups map one to one to their bytes,
// so this is the text as it was. Last group first: group i's text covers
// bytes of groups before i only once those are read.
void ReencodeGroups(char* text, size_t groups) {
  for (size_t i = groups; i-- > 0;) {
    const char* bytes = text + 3 * i;
    const uint32_t bits = uint32_t{static_cast<unsigned char>(bytes[0])} << 16 |
                          uint32_t{static_cast<unsigned char>(bytes[1])} << 8 |
                          uint32_t{static_cast<unsigned char>(bytes[2])};
    char* out = text + 4 * i;
    out[0] = kAlphabet[bits >> 18];
    out[1] = kAlphabet[(bits >> 12) & 63];
    out[2] = kAlphabet[(bits >> 6) & 63];
    out[3] = kAlphabet[bits & 63];
  }
}

// The last group of a padded text, "xx==" (1 byte) or "xxx=" (2 bytes),
// decoded to `out`; 0 if it is neither.
size_t DecodePaddedGroup(const char* in, char* out) {
  const uint32_t a = Sextet(in[0]);
  const uint32_t b = Sextet(in[1]);
  const bool one_byte = in[2] == '=';
  const uint32_t c = one_byte ? 0 : Sextet(in[2]);
  if (in[3] != '=' || ((a | b | c) & kInvalid) != 0) return 0;
  const uint32_t bits = a << 18 | b << 12 | c << 6;
  out[0] = static_cast<char>(bits >> 16);
  if (one_byte) return 1;
  out[1] = static_cast<char>(bits >> 8);
  return 2;
}

absl::Status NotBase64() { return InvalidArgument("not valid base64"); }

// Decodes `size` characters at `in` to `out`, which is `in` or has room for
// 3/4 of `size` bytes. Returns the bytes' count, or nullopt (with `in`
// unchanged) unless it is padded base64.
absl::optional<size_t> Decode(const char* in, size_t size, char* out) {
  if (size % 4 != 0) return absl::nullopt;
  if (size == 0) return 0;
  const bool padded = in[size - 1] == '=';
  const size_t groups = size / 4 - (padded ? 1 : 0);
  const size_t decoded = DecodeGroups(in, groups, out);
  size_t tail = 0;
  if (decoded == groups && padded) {
    // Read before the bytes are written: in place, they overlap.
    char last[4];
    std::copy_n(in + 4 * groups, 4, last);
    tail = DecodePaddedGroup(last, out + 3 * groups);
  }
  if (decoded < groups || (padded && tail == 0)) {
    if (out == in) ReencodeGroups(out, decoded);
    return absl::nullopt;
  }
  return 3 * groups + tail;
}

}  // namespace

std::string EncodeBase64(absl::string_view bytes) {
  std::string text;
  AppendBase64(bytes, &text);
  return text;
}

void AppendBase64(absl::string_view bytes, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 4 * ((bytes.size() + 2) / 3) + 1);  // With EVP's NUL.
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + start),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out->resize(start + static_cast<size_t>(n));
}

absl::StatusOr<std::string> DecodeBase64(absl::string_view text) {
  std::string bytes(3 * (text.size() / 4), '\0');
  const absl::optional<size_t> size =
      Decode(text.data(), text.size(), bytes.data());
  if (!size.has_value()) return NotBase64();
  bytes.resize(*size);
  return bytes;
}

absl::StatusOr<size_t> DecodeBase64InPlace(absl::Span<char> text) {
  const absl::optional<size_t> size =
      Decode(text.data(), text.size(), text.data());
  if (!size.has_value()) return NotBase64();
  return *size;
}

}  // namespace brook
