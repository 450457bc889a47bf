#include "server/request_budget.h"

#include <utility>
#include <vector>

#include "absl/base/macros.h"

namespace brook {

RequestBudget::Ticket RequestBudget::Acquire(
    size_t bytes, absl::AnyInvocable<void()> admitted) {
  ABSL_HARDENING_ASSERT(bytes <= capacity_);
  {
    absl::MutexLock lock(&mu_);
    if (in_use_ + bytes > capacity_) {
      const Ticket ticket = next_ticket_++;
      waiters_.push_back({ticket, bytes, std::move(admitted)});
      return ticket;
    }
    in_use_ += bytes;
  }
  admitted();
  return 0;
}

bool RequestBudget::Cancel(Ticket ticket) {
  absl::MutexLock lock(&mu_);
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (it->ticket == ticket) {
      waiters_.erase(it);
      return true;
    }
  }
  return false;
}

bool RequestBudget::Release(size_t bytes) {
  std::vector<absl::AnyInvocable<void()>> admitted;
  bool drained = false;
  {
    absl::MutexLock lock(&mu_);
    ABSL_HARDENING_ASSERT(bytes <= in_use_);
    in_use_ -= bytes;
    released_since_drain_ += bytes;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (in_use_ + it->bytes > capacity_) {
        ++it;
        continue;
      }
      in_use_ += it->bytes;
      admitted.push_back(std::move(it->admitted));
      it = waiters_.erase(it);
    }
    if (in_use_ == 0 && released_since_drain_ >= capacity_) {
      released_since_drain_ = 0;
      drained = true;
    }
  }
  for (auto& callback : admitted) callback();
  return drained;
}

size_t RequestBudget::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

}  // namespace brook
