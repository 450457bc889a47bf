#include "common/uint128.h"

#include <algorithm>

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
  if (value == 0) return "0";
  std::string digits;
  while (value != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace brook
