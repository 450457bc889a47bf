// The server-wide budget of request bytes held in memory. A connection
// takes its request's size from the budget before reading the body and
// gives it back once the body is no longer needed, so that the memory
// brookd spends on bodies is set by an option, never by how many clients
// send at once.
//
// A request that fits is admitted at once; one that does not waits in
// line, and each Release() admits the waiters that now fit, oldest first,
// skipping one too large for what is free: a small request is never held
// up behind a large one (a large one may wait longer; the server bounds
// the wait).
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Callbacks: an `admitted` callback runs on the thread that freed the room
// (inside Release()), or inside Acquire() when the room is free at once,
// with no lock held; it must not block (the server's posts to a strand).

#ifndef BROOK_SERVER_REQUEST_BUDGET_H_
#define BROOK_SERVER_REQUEST_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <list>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace brook {

class RequestBudget {
 public:
  explicit RequestBudget(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  RequestBudget(const RequestBudget&) = delete;
  RequestBudget& operator=(const RequestBudget&) = delete;

  // Identifies a waiting Acquire(); 0 means it was admitted at once.
  using Ticket = uint64_t;

  // RequestBudget::Acquire()
  //
  // Takes `bytes` for the caller and runs `admitted`: at once if they fit
  // (returns 0), or later, when Release() frees enough (returns a ticket
  // for Cancel()). REQUIRES: bytes <= capacity.
  Ticket Acquire(size_t bytes, absl::AnyInvocable<void()> admitted);

  // RequestBudget::Cancel()
  //
  // Gives up a wait. Returns true if the ticket was still waiting (its
  // callback will never run); false if it was admitted already (its
  // callback has run or is running, and the caller owns the bytes).
  bool Cancel(Ticket ticket);

  // RequestBudget::Release()
  //
  // Gives back `bytes` taken by Acquire(), and admits the waiters that now
  // fit. Returns true when this release emptied the budget after at least
  // `capacity` bytes in all had been released since the last such return:
  // a good moment to hand freed memory back to the operating system.
  bool Release(size_t bytes);

  size_t in_use() const;
  size_t capacity() const { return capacity_; }

 private:
  struct Waiter {
    Ticket ticket;
    size_t bytes;
    absl::AnyInvocable<void()> admitted;
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  size_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
  size_t released_since_drain_ ABSL_GUARDED_BY(mu_) = 0;
  Ticket next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  std::list<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_SERVER_REQUEST_BUDGET_H_
