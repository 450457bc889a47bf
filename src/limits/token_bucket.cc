#include "limits/token_bucket.h"

#include <algorithm>

namespace brook {

TokenBucket TokenBucket::Unlimited() { return TokenBucket(); }

TokenBucket::TokenBucket(int64_t rate_per_second, int64_t capacity,
                         absl::Time now) {
  Reset(rate_per_second, capacity, now);
  balance_ = capacity_;
}

void TokenBucket::Reset(int64_t rate_per_second, int64_t capacity,
                        absl::Time now) {
  Refill(now);
  rate_ = rate_per_second;
  capacity_ = capacity * kScale;
  balance_ = std::min(balance_, capacity_);
  last_ = now;
}

void TokenBucket::Refill(absl::Time now) {
  if (unlimited() || now <= last_) return;
  // Past the time that fills an empty bucket from its deepest debt, the
  // bucket is full; capping the interval keeps the product in range.
  const int64_t full_after_ns =
      (capacity_ - std::min<int64_t>(balance_, 0)) / rate_ + 1;
  const int64_t elapsed_ns =
      std::min(absl::ToInt64Nanoseconds(now - last_), full_after_ns);
  balance_ = std::min(capacity_, balance_ + elapsed_ns * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(int64_t tokens, absl::Time now) {
  if (!Holds(tokens, now)) return false;
  Charge(tokens, now);
  return true;
}

bool TokenBucket::Holds(int64_t tokens, absl::Time now) {
  if (unlimited()) return true;
  Refill(now);
  return balance_ >= tokens * kScale;
}

bool TokenBucket::HasCredit(absl::Time now) {
  if (unlimited()) return true;
  Refill(now);
  return balance_ > 0;
}

void TokenBucket::Charge(int64_t tokens, absl::Time now) {
  if (unlimited()) return;
  Refill(now);
  // Both terms stay within 2^32 * 10^9 < 2^62, so neither this sum nor the
  // refill arithmetic can overflow.
  balance_ = std::max(balance_ - tokens * kScale, -kMaxTokens * kScale);
}

int64_t TokenBucket::Balance(absl::Time now) {
  Refill(now);
  return balance_ >= 0 ? balance_ / kScale
                       : -((-balance_ + kScale - 1) / kScale);
}

}  // namespace brook
