#include "retention/retention_trimmer.h"

#include "common/status_macros.h"
#include "storage/keys.h"

namespace brook {

RetentionTrimmer::RetentionTrimmer(Store* store, const ShardLog* log,
                                   const Catalog* catalog, Clock* clock)
    : store_(store), log_(log), catalog_(catalog), clock_(clock) {}

RetentionTrimmer::~RetentionTrimmer() { Stop(); }

void RetentionTrimmer::Start(absl::Duration interval) {
  thread_.Start(interval, [this] {
    // A failed pass is retried at the next interval; records it could not
    // remove stay invisible behind the trim point.
    TrimAll().status().IgnoreError();
  });
}

void RetentionTrimmer::Stop() { thread_.Stop(); }

void RetentionTrimmer::CompactDeleted(uint32_t stream_id) {
  absl::MutexLock lock(&deleted_mu_);
  deleted_.push_back(stream_id);
}

absl::StatusOr<bool> RetentionTrimmer::TrimAll() {
  absl::MutexLock pass(&pass_mu_);
  const absl::Time now = clock_->Now();
  bool trimmed = false;
  absl::Status first_failure;
  for (const std::shared_ptr<StreamState>& stream : catalog_->All()) {
    for (int i = 0; i < stream->shard_count(); ++i) {
      absl::StatusOr<bool> shard_trimmed =
          TrimShard(*stream, *stream->shard(i), now);
      first_failure.Update(shard_trimmed.status());
      trimmed = trimmed || shard_trimmed.value_or(false);
    }
  }
  const absl::Status compacted =
      trimmed ? store_->CompactRecords() : absl::OkStatus();
  first_failure.Update(compacted);
  std::vector<uint32_t> deleted;
  {
    absl::MutexLock lock(&deleted_mu_);
    deleted.swap(deleted_);
  }
  for (uint32_t stream_id : deleted) {
    // A whole-family compaction, if it ran, covered their ranges already.
    const absl::Status status =
        trimmed ? compacted : store_->CompactRecords(StreamKeys(stream_id));
    if (!status.ok()) CompactDeleted(stream_id);  // The next pass retries.
    first_failure.Update(status);
  }
  if (!first_failure.ok()) return first_failure;
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
