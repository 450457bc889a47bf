// The live state of one stream: its persisted description plus, per shard,
// the high watermark that readers may see up to.
//
// Watermarks: for each shard the commit pipeline keeps
//   assigned  the last counter it handed out (pipeline-wide),
//   durable   the last counter whose write has returned per the durability
//             mode,
//   visible   the last counter readers may return.
// The pipeline publishes `visible` only once the write holding it is durable
// per the mode, one group at a time in counter order, so visible <= durable
// <= assigned always holds and no reader sees record n+1 before record n.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization. The description never changes after
// construction; the limits change only through UpdateLimits().

#ifndef BROOK_CATALOG_STREAM_STATE_H_
#define BROOK_CATALOG_STREAM_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/numeric/int128.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/limits.h"
#include "brook/metrics.h"
#include "catalog/stream_meta.h"
#include "common/shard_ref.h"
#include "limits/shard_limiter.h"

namespace brook {

// Cumulative counters behind brook/metrics.h. Relaxed atomics: each counter
// is exact, but a snapshot of several is not taken at one instant.
class ShardCounters {
 public:
  void AddIncoming(int64_t records, int64_t bytes);
  void AddOutgoing(int64_t records, int64_t bytes, int64_t millis_behind);
  void AddWriteThrottled() { Add(write_throttled_, 1); }
  void AddReadThrottled() { Add(read_throttled_, 1); }
  // Fills every counter of `metrics` but its shard id.
  void Snapshot(ShardMetrics* metrics) const;

 private:
  static void Add(std::atomic<int64_t>& counter, int64_t delta) {
    counter.fetch_add(delta, std::memory_order_relaxed);
  }

  std::atomic<int64_t> incoming_bytes_{0};
  std::atomic<int64_t> incoming_records_{0};
  std::atomic<int64_t> outgoing_bytes_{0};
  std::atomic<int64_t> outgoing_records_{0};
  std::atomic<int64_t> write_throttled_{0};
  std::atomic<int64_t> read_throttled_{0};
  std::atomic<int64_t> iterator_age_ms_{0};
};

class ShardState {
 public:
  ShardState(ShardRef ref, const ShardMeta* meta, const StreamLimits& limits,
             int64_t max_record_bytes, absl::Time now)
      : ref_(ref), meta_(meta), limiter_(limits, max_record_bytes, now) {}

  ShardRef ref() const { return ref_; }
  const ShardMeta& meta() const { return *meta_; }
  ShardLimiter& limiter() { return limiter_; }
  ShardCounters& counters() { return counters_; }
  const ShardCounters& counters() const { return counters_; }

  // The last counter readers may see; 0 when the shard has no record.
  // The first counter retention has not removed: readers start no earlier.
  uint64_t trim_counter() const { return trim_counter_.load(); }
  // Moves the trim point forward to `counter` (never back).
  void TrimTo(uint64_t counter);

  // Sequentially consistent, as are the stores in Publish(), so that a
  // watcher that registers and then reads this cannot miss a publication
  // that also misses the watcher.
  uint64_t last_visible_counter() const { return last_visible_counter_.load(); }

  // Makes every record up to `last_counter` visible, then wakes the
  // watchers. REQUIRES: called by one thread at a time, with growing
  // counters, after the records are durable.
  void Publish(uint64_t last_counter);

  // Calls `wake` once, on the publishing thread, at the next Publish().
  // `wake` must not block. A watcher that registers and then finds the
  // watermark already past what it has read must not wait for the wake.
  void WatchOnce(absl::AnyInvocable<void() &&> wake);

 private:
  const ShardRef ref_;
  const ShardMeta* const meta_;
  std::atomic<uint64_t> last_visible_counter_{0};
  std::atomic<uint64_t> trim_counter_{0};
  std::atomic<bool> has_watchers_{false};
  absl::Mutex watchers_mu_;
  std::vector<absl::AnyInvocable<void() &&>> watchers_
      ABSL_GUARDED_BY(watchers_mu_);
  ShardLimiter limiter_;
  ShardCounters counters_;
};

class StreamState {
 public:
  // `limits` are the stream's current throughput limits; `now` starts their
  // buckets.
  StreamState(StreamMeta meta, std::string arn, const StreamLimits& limits,
              absl::Time now);

  uint32_t id() const { return meta_.id; }
  const std::string& name() const { return meta_.name; }
  const std::string& arn() const { return arn_; }
  const StreamMeta& meta() const { return meta_; }
  int shard_count() const { return static_cast<int>(shards_.size()); }

  // The shard with `index`, or nullptr if there is none.
  ShardState* shard(uint32_t index) const;

  // The open shard whose hash key range holds `hash_key`.
  ShardState& ShardForHashKey(absl::uint128 hash_key) const;

  // The retention period; meta().retention_hours is only its value at
  // load.
  int retention_hours() const { return retention_hours_.load(); }
  void set_retention_hours(int hours) { retention_hours_.store(hours); }

  StreamLimits limits() const;
  // Applies new limits to every shard from `now` on.
  void UpdateLimits(const StreamLimits& limits, absl::Time now);

  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }

 private:
  const StreamMeta meta_;
  const std::string arn_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  // Open shards ordered by starting hash key, for routing.
  std::vector<ShardState*> open_shards_;
  std::atomic<bool> deleted_{false};
  std::atomic<int> retention_hours_;
  mutable absl::Mutex limits_mu_;
  StreamLimits limits_ ABSL_GUARDED_BY(limits_mu_);
};

}  // namespace brook

#endif  // BROOK_CATALOG_STREAM_STATE_H_
