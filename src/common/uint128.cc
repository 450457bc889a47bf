#include "common/uint128.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

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

std::string Uint128ToDecimal(absl::uint128 value) {
  // A 128-bit division is a library call: divide by 10^19 (at most three
  // chunks, each a uint64_t) rather than by 10 for every digit. Every
  // put's sequence number is formatted here.
  constexpr uint64_t kChunkBase = 10'000'000'000'000'000'000u;
  constexpr size_t kChunkDigits = 19;
  uint64_t chunks[3];
  int count = 0;
  do {
    chunks[count++] = static_cast<uint64_t>(value % kChunkBase);
    value /= kChunkBase;
  } while (value != 0);
  std::string digits = absl::StrCat(chunks[count - 1]);
  for (int i = count - 2; i >= 0; --i) {
    const std::string chunk = absl::StrCat(chunks[i]);
    digits.append(kChunkDigits - chunk.size(), '0');
    digits += chunk;
  }
  return digits;
}

}  // namespace brook
