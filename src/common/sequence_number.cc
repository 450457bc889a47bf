#include "brook/sequence_number.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/uint128.h"

namespace brook {

namespace {

// Kinesis' bound on a sequence number's digits.
constexpr size_t kMaxDigits = 129;

bool IsDecimal(absl::string_view text) {
  return !text.empty() && text.size() <= kMaxDigits &&
         (text == "0" || text[0] != '0') &&
         std::all_of(text.begin(), text.end(), absl::ascii_isdigit);
}

}  // namespace

absl::StatusOr<SequenceNumber> SequenceNumber::Parse(absl::string_view text) {
  if (!IsDecimal(text)) {
    return InvalidArgument(
        absl::StrCat("sequence number '", text.substr(0, 64),
                     "' is not a decimal number of 1 to 129 digits"));
  }
  if (absl::optional<absl::uint128> value = ParseDecimalUint128(text)) {
    return SequenceNumber(*value);
  }
  SequenceNumber wide;
  wide.wide_ = std::make_shared<const std::string>(text);
  return wide;
}

std::string SequenceNumber::ToString() const {
  return wide_ != nullptr ? *wide_ : Uint128ToDecimal(value_);
}

int SequenceNumber::Compare(const SequenceNumber& a, const SequenceNumber& b) {
  if (a.wide_ == nullptr && b.wide_ == nullptr) {
    return a.value_ < b.value_ ? -1 : (a.value_ > b.value_ ? 1 : 0);
  }
  // Every wide number is above every narrow one; wide ones compare as
  // decimals without leading zeros: by length, then digit by digit.
  if (a.wide_ == nullptr) return -1;
  if (b.wide_ == nullptr) return 1;
  if (a.wide_->size() != b.wide_->size()) {
    return a.wide_->size() < b.wide_->size() ? -1 : 1;
  }
  return a.wide_->compare(*b.wide_);
}

std::ostream& operator<<(std::ostream& os,
                         const SequenceNumber& sequence_number) {
  return os << sequence_number.ToString();
}

}  // namespace brook
