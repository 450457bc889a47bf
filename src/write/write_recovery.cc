#include "write/write_recovery.h"

#include "common/status_macros.h"

namespace brook {

absl::Status WriteRecovery::CheckNow() {
  absl::MutexLock round(&round_mu_);
  BROOK_RETURN_IF_ERROR(store_->CheckSpace());
  if (store_->write_state().status != WriteStatus::kStoppedNoSpace) {
    return absl::OkStatus();
  }
  return pipeline_->RunExclusive([this](CommitPipeline::Exclusive&) {
    return store_->Resume([this] { return catalog_->PublishStoredTails(); });
  });
}

void WriteRecovery::Start(absl::Duration interval) {
  thread_.Start(interval, [this] {
    // A round that could not resume is retried at the next interval; writes
    // stay stopped meanwhile.
    CheckNow().IgnoreError();
  });
}

}  // namespace brook
