// A SubscriptionHandler for tests: records the data of every record a
// subscription delivers, counts its events, and keeps how it ended; it can
// pause after a given event. The waits give up after 20 s, so that a
// broken subscription fails its test instead of hanging it.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.

#ifndef BROOK_TESTS_TESTING_SUBSCRIPTION_RECORDER_H_
#define BROOK_TESTS_TESTING_SUBSCRIPTION_RECORDER_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/consumers.h"

namespace brook::testing {

class SubscriptionRecorder final : public SubscriptionHandler {
 public:
  // Pauses after the `pause_after`-th event (0: never).
  explicit SubscriptionRecorder(int pause_after = 0)
      : pause_after_(pause_after) {}

  Demand OnEvent(const SubscribeToShardEvent& event) override {
    absl::MutexLock lock(&mu_);
    ++events_;
    for (const Record& record : event.records) data_.push_back(record.data);
    return events_ == pause_after_ ? Demand::kPause : Demand::kMore;
  }
  void OnEnd(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    end_ = status;
    ended_ = true;
  }

  // The records' data once `count` records have come, or the subscription
  // has ended, or 20 s have passed.
  std::vector<std::string> WaitForRecords(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return data_.size() >= count || ended_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
    return data_;
  }

  // How the subscription ended, or DeadlineExceeded if it has not within
  // 20 s.
  absl::Status WaitForEnd() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&ended_), kWait);
    return ended_ ? end_ : absl::DeadlineExceededError("no end");
  }

  int events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  bool ended() {
    absl::MutexLock lock(&mu_);
    return ended_;
  }
  // How it ended so far: OK while it has not.
  absl::Status end() {
    absl::MutexLock lock(&mu_);
    return end_;
  }

 private:
  static constexpr absl::Duration kWait = absl::Seconds(20);

  const int pause_after_;
  absl::Mutex mu_;
  int events_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> data_ ABSL_GUARDED_BY(mu_);
  absl::Status end_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_SUBSCRIPTION_RECORDER_H_
