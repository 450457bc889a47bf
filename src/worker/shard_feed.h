// One shard's records for a Worker, in order, from a starting position:
// polling with GetRecords or pushed by a fan-out subscription. A feed hides
// what the Kinesis APIs make a reader handle: it retries throttling and
// transient failures with backoff, takes a new iterator when one expires,
// resubscribes when a subscription's lifetime ends, and always continues
// just after the last record it returned.
//
// Thread safety: a feed is used by one thread; `stop` may be notified from
// any thread, and ends its waits.

#ifndef BROOK_WORKER_SHARD_FEED_H_
#define BROOK_WORKER_SHARD_FEED_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "brook/broker.h"
#include "brook/worker.h"

namespace brook {

struct FeedBatch {
  std::vector<Record> records;  // May be empty: nothing new for a while.
  int64_t millis_behind_latest = 0;
  // The shard is closed and everything in it was returned.
  bool shard_ended = false;
  std::vector<ChildShard> child_shards;  // With shard_ended.
};

class ShardFeed {
 public:
  virtual ~ShardFeed() = default;

  // ShardFeed::Next()
  //
  // The next records, after waiting for them up to the options' idle time;
  // an empty batch once stopped. Fails only with errors that retrying
  // cannot fix (ResourceNotFoundException: the stream, shard or consumer is
  // gone; InvalidArgumentException).
  virtual absl::StatusOr<FeedBatch> Next() = 0;
};

// `start` is where the first record is; `stop` and `broker` outlive the feed.
std::unique_ptr<ShardFeed> NewPollingFeed(Broker* broker,
                                          const WorkerOptions& options,
                                          std::string shard_id,
                                          StartingPosition start,
                                          const absl::Notification* stop);

std::unique_ptr<ShardFeed> NewFanOutFeed(Broker* broker,
                                         const WorkerOptions& options,
                                         std::string consumer_arn,
                                         std::string shard_id,
                                         StartingPosition start,
                                         const absl::Notification* stop);

}  // namespace brook

#endif  // BROOK_WORKER_SHARD_FEED_H_
