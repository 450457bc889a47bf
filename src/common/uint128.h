// The decimal form of 128-bit numbers, as Kinesis writes hash keys and
// sequence numbers.

#ifndef BROOK_COMMON_UINT128_H_
#define BROOK_COMMON_UINT128_H_

#include <array>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace brook {

// Parses `0|[1-9][0-9]{0,38}` whose value fits in 128 bits; nullopt
// otherwise.
absl::optional<absl::uint128> ParseDecimalUint128(absl::string_view text);

// Room for the decimal digits of any 128-bit number (2^128 - 1 has 39).
using DecimalDigits = std::array<char, 39>;

// The decimal digits of `value`, written into `digits` and viewed there:
// no allocation, for answers that format a number per record.
absl::string_view Uint128ToChars(absl::uint128 value, DecimalDigits& digits);

std::string Uint128ToDecimal(absl::uint128 value);

}  // namespace brook

#endif  // BROOK_COMMON_UINT128_H_
