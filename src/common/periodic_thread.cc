#include "common/periodic_thread.h"

#include <utility>

namespace brook {

void PeriodicThread::Start(absl::Duration interval,
                           absl::AnyInvocable<void()> task) {
  thread_ = std::thread([this, interval, task = std::move(task)]() mutable {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    while (!mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) {
      mu_.Unlock();
      task();
      mu_.Lock();
    }
  });
}

void PeriodicThread::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace brook
