#include "storage/write_gate.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace brook {

absl::Status WriteGate::Admit(bool adds_data) const {
  if (status() == WriteStatus::kAccepting) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  switch (state_.status) {
    case WriteStatus::kAccepting:
      return absl::OkStatus();
    case WriteStatus::kLowSpace:
      if (!adds_data) return absl::OkStatus();
      return NoSpace(absl::StrCat("write refused, nothing written: ",
                                  state_.reason.message()));
    case WriteStatus::kStoppedNoSpace:
      return NoSpace(absl::StrCat(
          "writes are stopped since the disk filled (", state_.reason.message(),
          "); they resume on their own once space is freed"));
    case WriteStatus::kStopped:
      return InternalFailure(absl::StrCat(
          "writes are stopped after a failure (", state_.reason.message(),
          "); reads still work; reopen the Broker to write again"));
  }
  return absl::OkStatus();
}

void WriteGate::Fail(const absl::Status& failure) {
  const WriteStatus stop =
      failure.code() == absl::StatusCode::kResourceExhausted
          ? WriteStatus::kStoppedNoSpace
          : WriteStatus::kStopped;
  absl::MutexLock lock(&mu_);
  if (state_.status == WriteStatus::kStopped || state_.status == stop) {
    return;  // Keep the first reason of the most severe kind.
  }
  Set(stop, failure);
}

void WriteGate::SetLowSpace(const absl::Status& reason) {
  absl::MutexLock lock(&mu_);
  if (state_.status == WriteStatus::kAccepting) {
    Set(WriteStatus::kLowSpace, reason);
  } else if (state_.status == WriteStatus::kLowSpace) {
    state_.reason = reason;  // The latest figures.
  }
}

void WriteGate::ClearLowSpace() {
  absl::MutexLock lock(&mu_);
  if (state_.status == WriteStatus::kLowSpace) {
    Set(WriteStatus::kAccepting, absl::OkStatus());
  }
}

void WriteGate::Resumed(const absl::Status& low_space_reason) {
  absl::MutexLock lock(&mu_);
  if (state_.status != WriteStatus::kStoppedNoSpace) return;
  if (low_space_reason.ok()) {
    Set(WriteStatus::kAccepting, absl::OkStatus());
  } else {
    Set(WriteStatus::kLowSpace, low_space_reason);
  }
}

WriteState WriteGate::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

void WriteGate::Set(WriteStatus status, absl::Status reason) {
  state_.status = status;
  state_.reason = std::move(reason);
  status_.store(status, std::memory_order_release);
}

}  // namespace brook
