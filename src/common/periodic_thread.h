// PeriodicThread: runs a task every interval of real time on a thread of its
// own, until stopped. The retention trimmer and write recovery run on one
// each.
//
// Thread safety: Start() and Stop() from one thread at a time.
// Lifetime: Stop() (or the destructor) joins the thread; whatever the task
// uses must outlive that.

#ifndef BROOK_COMMON_PERIODIC_THREAD_H_
#define BROOK_COMMON_PERIODIC_THREAD_H_

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace brook {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // Runs `task` after each `interval` until Stop(). REQUIRES: not started.
  void Start(absl::Duration interval, absl::AnyInvocable<void()> task);

  // Waits for a run in progress, then joins the thread. Idempotent.
  void Stop();

 private:
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace brook

#endif  // BROOK_COMMON_PERIODIC_THREAD_H_
