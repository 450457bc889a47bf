#include "retention/retention_trimmer.h"

#include "common/status_macros.h"

namespace brook {

RetentionTrimmer::RetentionTrimmer(Store* store, const ShardLog* log,
                                   const Catalog* catalog, Clock* clock)
    : store_(store), log_(log), catalog_(catalog), clock_(clock) {}

RetentionTrimmer::~RetentionTrimmer() { Stop(); }

void RetentionTrimmer::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    while (!mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) {
      mu_.Unlock();
      // A failed pass is retried at the next interval; records it could not
      // remove stay invisible behind the trim point.
      TrimAll().status().IgnoreError();
      mu_.Lock();
    }
  });
}

void RetentionTrimmer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<bool> RetentionTrimmer::TrimAll() {
  absl::MutexLock pass(&pass_mu_);
  const absl::Time now = clock_->Now();
  bool trimmed = false;
  for (const std::shared_ptr<StreamState>& stream : catalog_->All()) {
    for (int i = 0; i < stream->shard_count(); ++i) {
      BROOK_ASSIGN_OR_RETURN(bool shard_trimmed,
                             TrimShard(*stream, *stream->shard(i), now));
      trimmed = trimmed || shard_trimmed;
    }
  }
  if (trimmed) BROOK_RETURN_IF_ERROR(store_->CompactRecords());
  return trimmed;
}

absl::StatusOr<bool> RetentionTrimmer::TrimShard(const StreamState& stream,
                                                 ShardState& shard,
                                                 absl::Time now) {
  const int64_t horizon_ms =
      absl::ToUnixMillis(now - absl::Hours(stream.retention_hours()));
  // Read before the index: a batch published after this read is in the
  // index already when looked up below, so it is never taken for expired.
  const uint64_t visible = shard.last_visible_counter();
  BROOK_ASSIGN_OR_RETURN(
      absl::optional<uint64_t> first_kept,
      log_->FirstCounterArrivedAtOrAfter(shard.ref(), horizon_ms));
  // With nothing recent, everything published so far has expired.
  const uint64_t keep_from = first_kept.value_or(visible + 1);
  if (keep_from <= shard.trim_counter()) return false;
  // The oldest batch still held: a new shard, or one already trimmed, may
  // hold nothing below the new trim point, and then needs no deletion and
  // no compaction.
  BROOK_ASSIGN_OR_RETURN(absl::optional<uint64_t> oldest,
                         log_->OldestCounter(shard.ref()));
  shard.TrimTo(keep_from);
  if (!oldest.has_value() || *oldest >= keep_from) return false;
  StoreWrite write = store_->NewWrite();
  write.TrimShard(shard.ref(), keep_from, horizon_ms);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kNoSync));
  return true;
}

}  // namespace brook
