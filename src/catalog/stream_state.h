// The live state of one stream: its shards, each with the high watermark
// that readers may see up to, and the router that sends hash keys to the
// open ones.
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
// Resharding closes shards and adds new ones; shards are never removed, so
// a ShardState* stays valid as long as its StreamState. A closed shard's
// watermark is moved to its ending counter when it closes, which is how a
// reader tells that it has read everything the shard will ever hold.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization. Shards change only through ApplyReshard(), the
// limits only through UpdateLimits().

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
#include "capacity/shard_traffic.h"
#include "capacity/write_capacity.h"
#include "common/shard_ref.h"
#include "encryption/stream_data_keys.h"
#include "limits/shard_limiter.h"
#include "read/tail_cache.h"
#include "storage/meta_values.h"

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
  // `meta` gives the shard's fixed fields and, if it is closed, how; a
  // closed shard starts visible up to its ending counter.
  ShardState(ShardRef ref, const ShardMeta& meta, const StreamLimits& limits,
             int64_t max_record_bytes, absl::Time now);

  ShardRef ref() const { return ref_; }
  uint32_t index() const { return ref_.shard_index; }
  const HashKeyRange& hash_key_range() const { return fixed_.hash_key_range; }
  // Every record of the shard has a counter of at least this.
  uint64_t starting_counter() const { return fixed_.starting_counter; }
  const absl::optional<uint32_t>& parent_index() const {
    return fixed_.parent_index;
  }
  const absl::optional<uint32_t>& adjacent_parent_index() const {
    return fixed_.adjacent_parent_index;
  }
  // The persisted form of the shard as it is now.
  ShardMeta meta() const;

  ShardLimiter& limiter() { return limiter_; }
  ShardCounters& counters() { return counters_; }
  // Where in its range the shard is written (on-demand streams only).
  ShardTraffic& traffic() { return traffic_; }
  // The shard's newest batches in memory (see read/tail_cache.h).
  const std::shared_ptr<ShardTailCache>& tail() const { return tail_; }
  const ShardCounters& counters() const { return counters_; }

  bool open() const { return !ending_counter().has_value(); }
  // Set once closed: no record of the shard has a higher counter.
  absl::optional<uint64_t> ending_counter() const;
  // When the shard closed (Unix milliseconds); 0 while open.
  int64_t closed_ms() const { return closed_ms_.load(); }

  // ShardState::Close()
  //
  // Closes the shard at `ending_counter` and publishes the watermark up to
  // it, waking the watchers. REQUIRES: open(); no publication is in flight
  // and none follows (the commit pipeline's exclusive section, after which
  // puts go to other shards); `ending_counter` is at least every counter of
  // the shard.
  void Close(uint64_t ending_counter, int64_t closed_ms);

  // Whether every record the shard will ever hold is visible. A reader that
  // finds this true and then reads up to the watermark has read the shard
  // to its end.
  bool ClosedAndFullyVisible() const;

  // The first counter retention has not removed: readers start no earlier.
  uint64_t trim_counter() const { return trim_counter_.load(); }
  // Moves the trim point forward to `counter` (never back).
  void TrimTo(uint64_t counter);

  // The last counter readers may see; 0 when the shard has no record.
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
  static constexpr uint64_t kOpen = UINT64_MAX;

  const ShardRef ref_;
  const ShardMeta fixed_;  // Without its closing, which the atomics hold.
  std::atomic<uint64_t> ending_counter_{kOpen};
  std::atomic<int64_t> closed_ms_{0};
  std::atomic<uint64_t> last_visible_counter_{0};
  std::atomic<uint64_t> trim_counter_{0};
  std::atomic<bool> has_watchers_{false};
  absl::Mutex watchers_mu_;
  std::vector<absl::AnyInvocable<void() &&>> watchers_
      ABSL_GUARDED_BY(watchers_mu_);
  ShardLimiter limiter_;
  ShardCounters counters_;
  ShardTraffic traffic_;
  // Shared with the tail cache's queue, which may outlive the shard.
  const std::shared_ptr<ShardTailCache> tail_ =
      std::make_shared<ShardTailCache>();
};

// The open shards of a stream at one moment, for routing. Immutable; a
// reshard makes a new one.
class ShardRouter {
 public:
  // REQUIRES: the shards' ranges cover the whole hash key space without
  // overlap.
  explicit ShardRouter(std::vector<ShardState*> open_shards);

  // The open shard whose hash key range holds `hash_key`.
  ShardState& ShardFor(absl::uint128 hash_key) const;
  int size() const { return static_cast<int>(open_shards_.size()); }
  // The open shards, by starting hash key.
  const std::vector<ShardState*>& shards() const { return open_shards_; }

 private:
  std::vector<ShardState*> open_shards_;  // By starting hash key.
};

// A new stream's description: `shard_count` open shards splitting the hash
// key space evenly (see routing/hash_key.h), all starting at
// `starting_counter`; other fields keep their defaults.
StreamMeta NewStreamMeta(uint32_t id, std::string name, int shard_count,
                         uint64_t starting_counter);

class StreamState {
 public:
  // `limits` are the stream's current throughput limits; `now` starts their
  // buckets.
  StreamState(StreamMeta meta, std::string arn, const StreamLimits& limits,
              absl::Time now);

  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& arn() const { return arn_; }
  int64_t creation_ms() const { return creation_ms_; }
  int max_record_size_kib() const { return max_record_size_kib_.load(); }
  // Applies a new largest record size (UpdateMaxRecordSize) from `now` on.
  void SetMaxRecordSize(int kib, absl::Time now);

  // The persisted form of the stream as it is now.
  StreamMeta meta() const;

  // Every shard the stream has had, closed ones included.
  int shard_count() const;
  // The shard with `index`, or nullptr if there is none.
  ShardState* shard(uint32_t index) const;
  // The shards whose parent or adjacent parent is `index`, in index order.
  std::vector<ChildShard> ChildShardsOf(uint32_t index) const;

  // When `shard` started taking records: when its parents closed, or when
  // the stream was created (Unix milliseconds).
  int64_t ShardStartMs(const ShardState& shard) const;
  // Whether the retention period has removed every record `shard` will
  // ever hold: it closed longer ago than the period. Such a shard is no
  // longer listed or readable.
  bool ShardExpired(const ShardState& shard, absl::Time now) const;

  // The open shards now. Puts route with one router for a whole request.
  std::shared_ptr<const ShardRouter> router() const;
  int open_shard_count() const { return router()->size(); }

  // The retention period; meta().retention_hours is only its value at
  // load.
  int retention_hours() const { return retention_hours_.load(); }
  void set_retention_hours(int hours) { retention_hours_.store(hours); }

  StreamLimits limits() const;
  // Applies new limits to every shard from `now` on.
  void UpdateLimits(const StreamLimits& limits, absl::Time now);

  StreamTags tags() const;
  void set_tags(StreamTags tags);
  StreamSettings settings() const;
  void set_settings(StreamSettings settings);

  // The stream's data keys and how it stores new batches
  // (StartStreamEncryption).
  StreamDataKeys& keys() { return keys_; }
  const StreamDataKeys& keys() const { return keys_; }

  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }

  StreamMode stream_mode() const { return stream_mode_.load(); }
  // When the mode was switched within the last day (Unix milliseconds).
  std::vector<int64_t> mode_change_ms() const;
  // Applies a switch of the mode (UpdateStreamMode), with the switches of
  // the last day. REQUIRES: inside TryBeginReshard() / EndReshard().
  void SetStreamMode(StreamMode mode, std::vector<int64_t> mode_change_ms);
  // The stream-level write limit of an on-demand stream; inactive (admits
  // everything) until the catalog starts it.
  WriteCapacity& write_capacity() { return write_capacity_; }

  // Resharding, and switches of the mode. One at a time: TryBeginReshard()
  // fails while another runs, and the stream reports UPDATING meanwhile.
  bool TryBeginReshard() { return !resharding_.exchange(true); }
  void EndReshard() { resharding_.store(false); }
  bool resharding() const { return resharding_.load(); }

  // StreamState::ApplyReshard()
  //
  // Makes the stream what `after` describes: this stream's shards, some of
  // them now closed, followed by new ones. Closes and adds shards, then
  // routes to the new open set. REQUIRES: as ShardState::Close().
  void ApplyReshard(const StreamMeta& after, absl::Time now);

 private:
  const uint32_t id_;
  const std::string name_;
  const std::string arn_;
  const int64_t creation_ms_;
  std::atomic<int> max_record_size_kib_;
  std::atomic<bool> deleted_{false};
  std::atomic<bool> resharding_{false};
  std::atomic<int> retention_hours_;

  mutable absl::Mutex limits_mu_ ABSL_ACQUIRED_BEFORE(shards_mu_);
  StreamLimits limits_ ABSL_GUARDED_BY(limits_mu_);

  StreamDataKeys keys_;

  mutable absl::Mutex tags_mu_;
  StreamTags tags_ ABSL_GUARDED_BY(tags_mu_);
  StreamSettings settings_ ABSL_GUARDED_BY(tags_mu_);

  mutable absl::Mutex shards_mu_;
  // Grows only; by index.
  std::vector<std::unique_ptr<ShardState>> shards_ ABSL_GUARDED_BY(shards_mu_);
  std::shared_ptr<const ShardRouter> router_ ABSL_GUARDED_BY(shards_mu_);
  std::vector<int64_t> scaling_ms_ ABSL_GUARDED_BY(shards_mu_);
  std::atomic<StreamMode> stream_mode_;
  std::vector<int64_t> mode_change_ms_ ABSL_GUARDED_BY(shards_mu_);
  WriteCapacity write_capacity_;
};

}  // namespace brook

#endif  // BROOK_CATALOG_STREAM_STATE_H_
