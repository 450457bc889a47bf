// -----------------------------------------------------------------------------
// File: brook/clock.h
// -----------------------------------------------------------------------------
//
// The one source of time inside a Broker: arrival timestamps, iterator and
// pagination-token expiry, and (later) retention and throughput limits all ask
// the `Clock` given in `BrokerOptions`. Tests pass a `ManualClock` and move
// time by hand instead of sleeping.
//
// Thread safety: implementations must be safe for concurrent use by multiple
// threads without external synchronization. Both classes here are.
// Lifetime: a Clock passed to a Broker must outlive the Broker.

#ifndef BROOK_CLOCK_H_
#define BROOK_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace brook {

class Clock {
 public:
  virtual ~Clock() = default;

  // Clock::Now()
  //
  // Returns the current wall-clock time. Brook tolerates a clock that steps
  // backwards: arrival timestamps within a shard never decrease.
  virtual absl::Time Now() const = 0;

  // Clock::Real()
  //
  // Returns the process-wide real-time clock. Never destroyed.
  static Clock* Real();
};

// A clock that stands still until told to move.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1700000000))
      : now_(start) {}

  absl::Time Now() const override;

  // Moves the clock forward by `delta` (or backward, if it is negative).
  void Advance(absl::Duration delta);

  void Set(absl::Time now);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_CLOCK_H_
