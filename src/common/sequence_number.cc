#include "brook/sequence_number.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/uint128.h"

namespace brook {

absl::StatusOr<SequenceNumber> SequenceNumber::Parse(absl::string_view text) {
  absl::optional<absl::uint128> value = ParseDecimalUint128(text);
  if (!value.has_value()) {
    return InvalidArgument(absl::StrCat(
        "sequence number '", text.substr(0, 64),
        "' is not a decimal number of 1 to 39 digits that fits in 128 bits"));
  }
  return SequenceNumber(*value);
}

std::string SequenceNumber::ToString() const {
  return Uint128ToDecimal(value_);
}

std::ostream& operator<<(std::ostream& os, SequenceNumber sequence_number) {
  return os << sequence_number.ToString();
}

}  // namespace brook
