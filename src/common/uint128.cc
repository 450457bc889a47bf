#include "common/uint128.h"

#include <cstdint>

namespace brook {

absl::optional<absl::uint128> ParseDecimalUint128(absl::string_view text) {
  if (text.empty() || text.size() > 39) return absl::nullopt;
  if (text.size() > 1 && text.front() == '0') return absl::nullopt;
  const absl::uint128 max = absl::Uint128Max();
  absl::uint128 value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return absl::nullopt;
    const int digit = c - '0';
    if (value > (max - digit) / 10) return absl::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

absl::string_view Uint128ToChars(absl::uint128 value, DecimalDigits& digits) {
  // The digits go into the buffer from the last one. A 128-bit division is
  // a library call: divide by 10^19 (at most three chunks, each a
  // uint64_t) rather than by 10 for every digit.
  constexpr uint64_t kChunkBase = 10'000'000'000'000'000'000u;
  constexpr int kChunkDigits = 19;
  char* const end = digits.data() + digits.size();
  char* first = end;
  while (true) {
    uint64_t chunk = static_cast<uint64_t>(value % kChunkBase);
    value /= kChunkBase;
    // The chunk's digits; a chunk below the most significant one keeps its
    // leading zeros.
    char* const chunk_end = first;
    do {
      *--first = static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    } while (chunk != 0);
    if (value == 0) break;
    while (chunk_end - first < kChunkDigits) *--first = '0';
  }
  return absl::string_view(first, end - first);
}

std::string Uint128ToDecimal(absl::uint128 value) {
  DecimalDigits digits;
  return std::string(Uint128ToChars(value, digits));
}

}  // namespace brook
