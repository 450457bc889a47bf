#include "common/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
// JSON PutRecords here where the CPU has no AVX2, so this loop is much of a
// put's cost there.
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

#if defined(__x86_64__)

// DecodeGroups() with AVX2: blocks of kBlockGroups groups (32 characters
// to 24 bytes), each checked and decoded in one pass, while
// kGroupsAfterBlock groups remain after the block; DecodeGroups() decodes
// the rest. A block is stored as 32 bytes, 8 past its 24, which the 3 groups
// after it overwrite (9 bytes): so `out` has room for them, and on success
// no byte past the decoded ones changes. In place, the store of the block at
// group i ends at 3i + 32, before the next block's text at 4i + 32. A block
// with a byte outside the alphabet is not stored but left to DecodeGroups(),
// which stops at that byte's group, at or after i; the 8 bytes past the last
// block stored then end at 3i + 8 <= 4i (as i >= 8), inside the text
// ReencodeGroups() writes back.
constexpr size_t kBlockGroups = 8;
constexpr size_t kGroupsAfterBlock = 3;

__attribute__((target("avx2"))) size_t DecodeGroupsAvx2(const char* in,
                                                        size_t groups,
                                                        char* out) {
  // A byte is in the alphabet when the bits its low nibble selects in
  // `low_classes` and those its high nibble selects in `high_classes` have
  // none in common. One bit per way of being outside it: 0: high nibble 2 but
  // not '+' (0x2B) or '/' (0x2F); 1: 0x3A to 0x3F; 2: '@' or '`'; 3: 0x5B
  // to 0x5F or 0x7B to 0x7F; 4: high nibble 0, 1 or 8 to F.
  const __m256i low_classes = _mm256_setr_epi8(
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
      0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
      0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i high_classes = _mm256_setr_epi8(
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
      0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
      0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  // What to add to a character of the alphabet for its sextet, by its high
  // nibble, less one for '/', which shares its nibble with '+'.
  const __m256i offsets = _mm256_setr_epi8(
      0, 63 - '/', 62 - '+', 52 - '0', -'A', -'A', 26 - 'a', 26 - 'a', 0, 0, 0,
      0, 0, 0, 0, 0, 0, 63 - '/', 62 - '+', 52 - '0', -'A', -'A', 26 - 'a',
      26 - 'a', 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i slash = _mm256_set1_epi8('/');
  // Sextets a, b, c, d of a group to a << 6 | b and c << 6 | d, then to
  // their 24 bits in a 32-bit lane, whose bytes (little-endian) are then
  // put most significant first, 12 to each 128-bit half, and the halves'
  // 12 together.
  const __m256i pair_weights = _mm256_set1_epi32(0x01400140);
  const __m256i group_weights = _mm256_set1_epi32(0x00011000);
  const __m256i byte_order =
      _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                       2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lane_order = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);

  size_t i = 0;
  for (; i + kBlockGroups + kGroupsAfterBlock <= groups; i += kBlockGroups) {
    const __m256i text =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi32(text, 4), nibble);
    const __m256i low = _mm256_and_si256(text, nibble);
    const __m256i outside =
        _mm256_and_si256(_mm256_shuffle_epi8(low_classes, low),
                         _mm256_shuffle_epi8(high_classes, high));
    if (!_mm256_testz_si256(outside, outside)) break;
    const __m256i offset = _mm256_shuffle_epi8(
        offsets, _mm256_add_epi8(high, _mm256_cmpeq_epi8(text, slash)));
    const __m256i sextets = _mm256_add_epi8(text, offset);
    const __m256i bits = _mm256_madd_epi16(
        _mm256_maddubs_epi16(sextets, pair_weights), group_weights);
    const __m256i bytes = _mm256_permutevar8x32_epi32(
        _mm256_shuffle_epi8(bits, byte_order), lane_order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 3 * i), bytes);
  }
  return i + DecodeGroups(in + 4 * i, groups - i, out + 3 * i);
}

#endif

// DecodeGroups() or DecodeGroupsAvx2().
using GroupDecoder = size_t (*)(const char* in, size_t groups, char* out);

// Decodes `size` characters at `in` to `out`, which is `in` or has room for
// 3/4 of `size` bytes. Returns the bytes' count, or nullopt (with `in`
// unchanged) unless it is padded base64.
absl::optional<size_t> Decode(const char* in, size_t size, char* out,
                              GroupDecoder decode_groups) {
  if (size % 4 != 0) return absl::nullopt;
  if (size == 0) return 0;
  const bool padded = in[size - 1] == '=';
  const size_t groups = size / 4 - (padded ? 1 : 0);
  const size_t decoded = decode_groups(in, groups, out);
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

// Decode() with AVX2 where the CPU has it.
absl::optional<size_t> DecodeFastest(const char* in, size_t size, char* out) {
  return base64_internal::Avx2Available()
             ? base64_internal::DecodeAvx2(in, size, out)
             : base64_internal::DecodePortable(in, size, out);
}

}  // namespace

namespace base64_internal {

#if defined(__x86_64__)

bool Avx2Available() {
  static const bool available = __builtin_cpu_supports("avx2");
  return available;
}

absl::optional<size_t> DecodeAvx2(const char* in, size_t size, char* out) {
  return Decode(in, size, out, DecodeGroupsAvx2);
}

#else

bool Avx2Available() { return false; }

absl::optional<size_t> DecodeAvx2(const char* in, size_t size, char* out) {
  return DecodePortable(in, size, out);
}

#endif

absl::optional<size_t> DecodePortable(const char* in, size_t size, char* out) {
  return Decode(in, size, out, DecodeGroups);
}

}  // namespace base64_internal

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
      DecodeFastest(text.data(), text.size(), bytes.data());
  if (!size.has_value()) return NotBase64();
  bytes.resize(*size);
  return bytes;
}

absl::StatusOr<size_t> DecodeBase64InPlace(absl::Span<char> text) {
  const absl::optional<size_t> size =
      DecodeFastest(text.data(), text.size(), text.data());
  if (!size.has_value()) return NotBase64();
  return *size;
}

}  // namespace brook
