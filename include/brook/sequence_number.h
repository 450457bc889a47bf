// -----------------------------------------------------------------------------
// File: brook/sequence_number.h
// -----------------------------------------------------------------------------
//
// A `SequenceNumber` names one record of one shard. Within a shard, sequence
// numbers strictly increase in append order and are never reused: not after a
// restart, not after a stream is deleted and re-created under the same name.
//
// Users see a sequence number as a decimal string, as Kinesis shows its own;
// clients that compare them as big integers get append order. Brook's own
// fit in 128 bits (at most 39 digits). Amazon Kinesis' are wider (56 digits
// today, up to 129 allowed): a SequenceNumber carries those too, so that a
// remote Broker (Broker::Connect) hands them through unchanged, but a local
// Broker rejects them as not its own. A sequence number also identifies its
// shard, so one from another stream or shard is rejected rather than
// misread.
//
// Example: two records appended to shard 0 of a new stream might get
//   "18446744073709551616"   and   "36893488147419103232"
// and a read AFTER_SEQUENCE_NUMBER of the first returns the second.
//
// Thread safety: a value type; const methods may be called concurrently.

#ifndef BROOK_SEQUENCE_NUMBER_H_
#define BROOK_SEQUENCE_NUMBER_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

class SequenceNumber {
 public:
  // The zero sequence number, which no record has.
  constexpr SequenceNumber() = default;
  constexpr explicit SequenceNumber(absl::uint128 value) : value_(value) {}

  // SequenceNumber::Parse()
  //
  // Parses the decimal form. Fails with InvalidArgumentException unless `text`
  // is 1 to 129 decimal digits without a leading zero (or "0"), Kinesis'
  // bound.
  static absl::StatusOr<SequenceNumber> Parse(absl::string_view text);

  // The decimal form, as Kinesis clients expect it.
  std::string ToString() const;

  // The value, for a number that fits in 128 bits; 0 (which no record has)
  // for a wider one.
  absl::uint128 value() const { return value_; }

  // Wider than 128 bits: a number only Amazon Kinesis (or another remote
  // endpoint) makes.
  bool is_wide() const { return wide_ != nullptr; }

  friend bool operator==(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) == 0;
  }
  friend bool operator!=(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) != 0;
  }
  friend bool operator<(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) < 0;
  }
  friend bool operator>(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) > 0;
  }
  friend bool operator<=(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) <= 0;
  }
  friend bool operator>=(const SequenceNumber& a, const SequenceNumber& b) {
    return Compare(a, b) >= 0;
  }

 private:
  // Negative, zero or positive as `a` is below, equal to or above `b`.
  static int Compare(const SequenceNumber& a, const SequenceNumber& b);

  absl::uint128 value_ = 0;
  // The decimal digits of a number wider than 128 bits; null otherwise.
  std::shared_ptr<const std::string> wide_;
};

std::ostream& operator<<(std::ostream& os,
                         const SequenceNumber& sequence_number);

}  // namespace brook

#endif  // BROOK_SEQUENCE_NUMBER_H_
