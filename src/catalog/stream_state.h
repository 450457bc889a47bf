// The live state of one stream: its persisted description plus, per shard,
// the high watermark that readers may see up to.
//
// Watermarks: for each shard the commit pipeline keeps
//   assigned  the last counter it handed out (pipeline-wide),
//   durable   the last counter whose write has returned per the durability
//             mode,
//   visible   the last counter readers may return.
// The pipeline publishes `visible` only after the write holding it returned,
// and one commit at a time in counter order, so visible <= durable <=
// assigned always holds and no reader sees record n+1 before record n.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; the description never changes after
// construction.

#ifndef BROOK_CATALOG_STREAM_STATE_H_
#define BROOK_CATALOG_STREAM_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "catalog/stream_meta.h"
#include "common/shard_ref.h"

namespace brook {

class ShardState {
 public:
  ShardState(ShardRef ref, const ShardMeta* meta) : ref_(ref), meta_(meta) {}

  ShardRef ref() const { return ref_; }
  const ShardMeta& meta() const { return *meta_; }

  // The last counter readers may see; 0 when the shard has no record.
  uint64_t last_visible_counter() const {
    return last_visible_counter_.load(std::memory_order_acquire);
  }

  // Makes every record up to `last_counter` visible.
  // REQUIRES: called by one thread at a time, with growing counters, after
  // the records are written.
  void Publish(uint64_t last_counter);

 private:
  const ShardRef ref_;
  const ShardMeta* const meta_;
  std::atomic<uint64_t> last_visible_counter_{0};
};

class StreamState {
 public:
  StreamState(StreamMeta meta, std::string arn);

  uint32_t id() const { return meta_.id; }
  const std::string& name() const { return meta_.name; }
  const std::string& arn() const { return arn_; }
  const StreamMeta& meta() const { return meta_; }
  int shard_count() const { return static_cast<int>(shards_.size()); }

  // The shard with `index`, or nullptr if there is none.
  ShardState* shard(uint32_t index) const;

  // The open shard whose hash key range holds `hash_key`.
  ShardState& ShardForHashKey(absl::uint128 hash_key) const;

  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }

 private:
  const StreamMeta meta_;
  const std::string arn_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  // Open shards ordered by starting hash key, for routing.
  std::vector<ShardState*> open_shards_;
  std::atomic<bool> deleted_{false};
};

}  // namespace brook

#endif  // BROOK_CATALOG_STREAM_STATE_H_
