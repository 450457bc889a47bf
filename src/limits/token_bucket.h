// A token bucket on an injected time line: `rate` tokens per second flow in,
// up to `capacity`. Exact: balances are integers (tokens scaled by 10^9, so
// that one nanosecond of refill is representable), so boundary behaviour is
// deterministic and tests can check it to the token.
//
// Two ways to spend:
//   TryTake(n)  takes n tokens if the balance holds them, else nothing —
//               for writes, whose size is known before they happen;
//   HasCredit() then Charge(n) — for reads, whose size is known only after:
//               a read is admitted while the balance is positive and then
//               charged in full, so the balance may go negative (debt) and
//               later calls wait until it is repaid.
//
// Example: rate 2/s, capacity 2, full at t=0. Charge(10) leaves -8; the
// balance is positive again after t=4 s.
//
// Thread safety: not thread-safe; the owner serializes access.

#ifndef BROOK_LIMITS_TOKEN_BUCKET_H_
#define BROOK_LIMITS_TOKEN_BUCKET_H_

#include <cstdint>

#include "absl/time/time.h"

namespace brook {

class TokenBucket {
 public:
  // A bucket that never refuses.
  static TokenBucket Unlimited();

  // The most tokens one call may take or charge, and the most a bucket
  // holds or owes.
  static constexpr int64_t kMaxTokens = int64_t{1} << 32;

  // Starts full at `now`. REQUIRES: 1 <= rate_per_second <= kMaxTokens,
  // 1 <= capacity <= kMaxTokens.
  TokenBucket(int64_t rate_per_second, int64_t capacity, absl::Time now);

  bool unlimited() const { return rate_ == 0; }

  // Takes `tokens` if the balance at `now` holds them; returns whether it
  // did. Takes nothing on refusal. REQUIRES: 0 <= tokens <= kMaxTokens.
  bool TryTake(int64_t tokens, absl::Time now);

  // Whether the balance at `now` holds `tokens`.
  bool Holds(int64_t tokens, absl::Time now);

  // Whether the balance at `now` is positive.
  bool HasCredit(absl::Time now);

  // Takes `tokens`, letting the balance go negative (to at most kMaxTokens
  // of debt). REQUIRES: 0 <= tokens <= kMaxTokens.
  void Charge(int64_t tokens, absl::Time now);

  // Changes the rate and capacity from `now` on, keeping the balance (capped
  // at the new capacity). Same requirements as the constructor; `rate` 0
  // makes the bucket unlimited.
  void Reset(int64_t rate_per_second, int64_t capacity, absl::Time now);

  // The balance at `now`, in whole tokens (rounded toward minus infinity).
  int64_t Balance(absl::Time now);

 private:
  TokenBucket() = default;
  void Refill(absl::Time now);

  static constexpr int64_t kScale = 1000000000;  // Scaled units per token.

  int64_t rate_ = 0;      // Tokens per second; 0 = unlimited.
  int64_t capacity_ = 0;  // In scaled units.
  int64_t balance_ = 0;   // In scaled units; may be negative.
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace brook

#endif  // BROOK_LIMITS_TOKEN_BUCKET_H_
