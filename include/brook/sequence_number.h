// -----------------------------------------------------------------------------
// File: brook/sequence_number.h
// -----------------------------------------------------------------------------
//
// A `SequenceNumber` names one record of one shard. Within a shard, sequence
// numbers strictly increase in append order and are never reused: not after a
// restart, not after a stream is deleted and re-created under the same name.
//
// Users see a sequence number as a decimal string of at most 39 digits, as
// Kinesis shows its own (Kinesis allows up to 129); clients that compare them
// as big integers get append order. A sequence number also identifies its
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
  // is 1 to 39 decimal digits without a leading zero (or "0") whose value fits
  // in 128 bits.
  static absl::StatusOr<SequenceNumber> Parse(absl::string_view text);

  // The decimal form, as Kinesis clients expect it.
  std::string ToString() const;

  absl::uint128 value() const { return value_; }

  friend bool operator==(SequenceNumber a, SequenceNumber b) {
    return a.value_ == b.value_;
  }
  friend bool operator!=(SequenceNumber a, SequenceNumber b) {
    return a.value_ != b.value_;
  }
  friend bool operator<(SequenceNumber a, SequenceNumber b) {
    return a.value_ < b.value_;
  }
  friend bool operator>(SequenceNumber a, SequenceNumber b) {
    return a.value_ > b.value_;
  }
  friend bool operator<=(SequenceNumber a, SequenceNumber b) {
    return a.value_ <= b.value_;
  }
  friend bool operator>=(SequenceNumber a, SequenceNumber b) {
    return a.value_ >= b.value_;
  }

 private:
  absl::uint128 value_ = 0;
};

std::ostream& operator<<(std::ostream& os, SequenceNumber sequence_number);

}  // namespace brook

#endif  // BROOK_SEQUENCE_NUMBER_H_
