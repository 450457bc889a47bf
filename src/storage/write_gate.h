// WriteGate: the store's fail-stop state, as LevelDB's bg_error_. Every
// write asks it first; a failed write, log sync or background job closes
// it, and from then on every write fails fast with the reason while reads
// go on. A full disk closes it until space returns and the store has
// resumed; any other failure until the store is reopened. Short of a
// failure, a disk below its free-space floor refuses only the writes that
// add data, so that deletions and retention can still make room.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.

#ifndef BROOK_STORAGE_WRITE_GATE_H_
#define BROOK_STORAGE_WRITE_GATE_H_

#include <atomic>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "brook/write_state.h"

namespace brook {

class WriteGate {
 public:
  // WriteGate::Admit()
  //
  // Before a write: OK, or the status that refuses it (then nothing may be
  // written). A write that only deletes (`adds_data` false) passes while
  // space is low.
  absl::Status Admit(bool adds_data) const;

  // WriteGate::Fail()
  //
  // After a write, a log sync or background work failed with `failure`
  // (not OK): a NoSpace failure (kResourceExhausted) stops writes until
  // Resumed(), any other until the store is reopened. The first failure of
  // the most severe kind stays the reason.
  void Fail(const absl::Status& failure);

  // WriteGate::SetLowSpace() / ClearLowSpace()
  //
  // The free-space floor was crossed (with `reason`, a NoSpace status), or
  // space came back. Neither changes a stopped gate.
  void SetLowSpace(const absl::Status& reason);
  void ClearLowSpace();

  // WriteGate::Resumed()
  //
  // The store recovered from a full disk (kStoppedNoSpace): accepting again,
  // or low on space if `low_space_reason` is not OK. No effect otherwise.
  void Resumed(const absl::Status& low_space_reason);

  WriteState state() const;
  // state().status, without taking the lock.
  WriteStatus status() const { return status_.load(std::memory_order_acquire); }

 private:
  void Set(WriteStatus status, absl::Status reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Mirrors state_.status, so that Admit() takes no lock while accepting.
  std::atomic<WriteStatus> status_{WriteStatus::kAccepting};
  mutable absl::Mutex mu_;
  WriteState state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_STORAGE_WRITE_GATE_H_
