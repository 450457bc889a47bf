// -----------------------------------------------------------------------------
// File: brook/consumers.h
// -----------------------------------------------------------------------------
//
// Enhanced fan-out: consumers registered with a stream, each of which gets
// every shard's records pushed to it with its own read throughput (2 MiB/s
// per shard by default, see brook/limits.h), independent of other consumers
// and of classic GetRecords polling. Shaped like Kinesis'
// RegisterStreamConsumer / SubscribeToShard.
//
// Thread safety: plain values, except Subscription (see below).

#ifndef BROOK_CONSUMERS_H_
#define BROOK_CONSUMERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "brook/records.h"
#include "brook/sequence_number.h"
#include "brook/streams.h"

namespace brook {

enum class ConsumerStatus { kCreating, kDeleting, kActive };

// "CREATING", "DELETING" or "ACTIVE".
absl::string_view ConsumerStatusToString(ConsumerStatus status);

struct Consumer {
  std::string consumer_name;
  // "<stream ARN>/consumer/<name>:<creation time in epoch seconds>"; a
  // consumer registered again under the same name gets a new ARN.
  std::string consumer_arn;
  ConsumerStatus consumer_status = ConsumerStatus::kActive;
  absl::Time consumer_creation_timestamp;
  std::string stream_arn;
};

struct RegisterStreamConsumerRequest {
  std::string stream;  // Name or ARN.
  // 1 to 128 characters of [a-zA-Z0-9_.-], unique within the stream.
  std::string consumer_name;
  // Up to 50 tags, kept with the consumer (as TagResource's).
  std::vector<Tag> tags;
};

// Identifies a consumer either by `consumer_arn`, or by `stream` and
// `consumer_name` together.
struct ConsumerRef {
  std::string stream;  // Name or ARN.
  std::string consumer_name;
  std::string consumer_arn;
};

struct ListStreamConsumersRequest {
  std::string stream;  // Name or ARN.
  // When set, the stream must have been created at this time, at the
  // precision given: a whole second (as the AWS CLI sends it) matches any
  // millisecond of it, a tenth of a second any of that tenth, and so on
  // down to the millisecond; else
  // ResourceNotFoundException.
  absl::optional<absl::Time> stream_creation_timestamp;
  // 1 to 10,000.
  int max_results = 100;
  // From a previous result; expires after 300 seconds.
  std::string next_token;
};

struct ListStreamConsumersResult {
  std::vector<Consumer> consumers;  // In name order.
  std::string next_token;           // Empty when there are no more.
};

struct StartingPosition {
  ShardIteratorType type = ShardIteratorType::kLatest;
  // For kAtSequenceNumber and kAfterSequenceNumber.
  absl::optional<SequenceNumber> sequence_number;
  // For kAtTimestamp.
  absl::optional<absl::Time> timestamp;
};

struct SubscribeToShardRequest {
  std::string consumer_arn;
  std::string shard_id;
  StartingPosition starting_position;
};

// One push of a subscription: the fields of Kinesis' SubscribeToShardEvent.
struct SubscribeToShardEvent {
  std::vector<Record> records;  // In order; may be empty (a heartbeat).
  // The last record delivered so far (or the position before the first
  // record to deliver, when none has been): resubscribe with
  // kAfterSequenceNumber and this number to continue without loss or
  // repetition. Checkpoint it even when `records` is empty. Over the
  // Kinesis wire API (a remote Broker) a closed shard's last event, the one
  // with `child_shards`, has none, as Kinesis sends none: it is then zero.
  SequenceNumber continuation_sequence_number;
  int64_t millis_behind_latest = 0;
  // Set only in the last event of a closed shard read to its end: the
  // shards to subscribe to next. The subscription then ends with OK.
  std::vector<ChildShard> child_shards;
};

// What a handler wants after an event: the next one as soon as there is
// one, or none until it calls Subscription::Resume().
enum class Demand { kMore, kPause };

// Receives a subscription's events. OnEvent() runs on one of Brook's fan-out
// threads, never concurrently for one subscription, and must not block:
// the fan-out threads are shared by every subscription of the Broker, so a
// handler that waits (say, for a slow reader of its own) stops them all.
// Backpressure is its return value instead: kPause stops the subscription
// (records and heartbeats) until Subscription::Resume(), while the other
// subscriptions go on; a paused subscription still ends when its lifetime
// is over. OnEnd() runs once when the subscription ends by itself:
//   OK                          its lifetime (5 minutes by default) is over:
//                               resubscribe from the continuation number;
//                               or, after an event with child shards, the
//                               shard is finished: go on with the children;
//   ResourceInUseException      another SubscribeToShard took it over;
//   ResourceNotFoundException   the consumer was deregistered or the stream
//                               deleted;
//   InternalFailure             a read failed, or the Broker closed.
// Neither is called after Subscription::Cancel() has returned.
class SubscriptionHandler {
 public:
  virtual ~SubscriptionHandler() = default;
  virtual Demand OnEvent(const SubscribeToShardEvent& event) = 0;
  virtual void OnEnd(const absl::Status& status) = 0;
};

// A live subscription. Destroying it cancels it.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization, except that Cancel() must not be called from
// the subscription's own handler.
// Lifetime: must be destroyed before the Broker that made it.
class Subscription {
 public:
  virtual ~Subscription() = default;

  // Subscription::Cancel()
  //
  // Ends the subscription; once it returns, the handler is not called again
  // (a call already running finishes first). Idempotent.
  virtual void Cancel() = 0;

  // Subscription::Resume()
  //
  // Lets a subscription whose handler returned Demand::kPause deliver
  // again. Never waits, so it may be called from any thread, the handler's
  // included; a call that finds the subscription not paused does nothing.
  virtual void Resume() = 0;
};

}  // namespace brook

#endif  // BROOK_CONSUMERS_H_
