// -----------------------------------------------------------------------------
// File: brook/broker.h
// -----------------------------------------------------------------------------
//
// A Broker owns one Brook data directory for the life of the process and is
// the entry point for creating streams, producing to them and consuming from
// them. Its operations mirror Amazon Kinesis Data Streams', with the same
// limits and error names (see brook/error.h).
//
// Thread safety: safe for concurrent use by multiple threads without external
// synchronization.
// Lifetime: one Broker per directory; opening a directory that another Broker
// (in this or another process) holds fails. A Broker from Connect() holds no
// directory; any number may reach one endpoint. Destroying the Broker closes
// it; call Close() first to observe errors. Shard iterators are plain strings
// and stay valid across restarts until they expire.
//
// Every method that fails returns a status whose ErrorNameOf() is the Kinesis
// error name; a failed call changed nothing, with one exception, as in
// Kinesis: a call that fails with InternalFailure because the disk failed
// under it has an unknown outcome (see PutRecord()). Every method checks in
// Kinesis' order (docs/errors.md): first the request against the Kinesis
// API model's constraints (ValidationException, with AWS's message), then
// Kinesis' own rules on the values (InvalidArgumentException), then the
// stream, shard or consumer it names (ResourceNotFoundException), then the
// state. The lists below give the errors of the last three steps.

#ifndef BROOK_BROKER_H_
#define BROOK_BROKER_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/backup.h"
#include "brook/checkpoints.h"
#include "brook/connect_options.h"
#include "brook/consumers.h"
#include "brook/metrics.h"
#include "brook/options.h"
#include "brook/records.h"
#include "brook/streams.h"
#include "brook/write_state.h"

namespace brook {

// Completion callbacks of asynchronous puts. Each runs exactly once: on
// Brook's completion thread once the put is decided, or on the calling thread
// before the call returns when the request is invalid or refused by the
// write limits. They must not block and must not call the Broker.
using PutRecordCallback =
    absl::AnyInvocable<void(absl::StatusOr<PutRecordResult>) &&>;
using PutRecordsCallback =
    absl::AnyInvocable<void(absl::StatusOr<PutRecordsResult>) &&>;

class Broker {
 public:
  // Broker::Open()
  //
  // Opens the data directory `dir`, creating it if it does not exist and
  // `options.create_if_missing`. Restores every stream, shard and sequence
  // counter. Fails with
  //   InvalidArgumentException if `options` do not validate, or `dir` exists
  //     and is not a Brook data directory;
  //   ResourceInUseException if another Broker holds `dir`, or `dir` was
  //     written by a newer Brook format;
  //   ResourceNotFoundException if `dir` does not exist and
  //     `!options.create_if_missing`;
  //   InternalFailure on I/O errors, and with code kDataLoss if `dir`'s
  //     format marker or store is damaged.
  // A failed Open leaves an existing directory untouched.
  static absl::StatusOr<std::unique_ptr<Broker>> Open(
      const BrokerOptions& options, absl::string_view dir);

  // Broker::Connect()
  //
  // Returns a Broker whose every operation goes over the Kinesis JSON 1.1
  // wire API (signed with Signature Version 4) to `endpoint`: Amazon
  // Kinesis, brookd or another Kinesis-compatible server. "https://HOST"
  // verifies the server's certificate; "http://HOST:PORT" is for local
  // endpoints. An empty `endpoint` is AWS_ENDPOINT_URL_KINESIS, else
  // AWS_ENDPOINT_URL, else the region's Kinesis endpoint
  // (https://kinesis.REGION.amazonaws.com). No connection is made until the
  // first call.
  //
  // The remote Broker returns the same error names as a local one: the
  // endpoint's `__type`, or InternalFailure when the endpoint could not be
  // reached or answered with something else (the outcome of such a put is
  // unknown, as with Kinesis). Limits, metrics and checkpoints are Brook's
  // own: brookd serves them; other endpoints make UpdateStreamLimits,
  // GetShardMetrics, GetBrokerMetrics, PutCheckpoint, GetCheckpoints and a
  // CreateStream with non-default limits fail with UnknownOperationException
  // naming the endpoint, and DescribeStreamSummary reports Kinesis' default
  // limits. Fails with InvalidArgumentException if `options` do not validate,
  // the endpoint is malformed, the CA file cannot be read, or no credentials
  // (or neither region nor endpoint) are found.
  static absl::StatusOr<std::unique_ptr<Broker>> Connect(
      const ConnectOptions& options, absl::string_view endpoint = "");

  Broker() = default;
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;
  virtual ~Broker() = default;

  // ---------------------------------------------------------------------------
  // Streams
  // ---------------------------------------------------------------------------

  // Broker::CreateStream()
  //
  // Creates an ACTIVE stream of `shard_count` shards that split the hash key
  // space evenly, as Kinesis does: shard i starts at floor(2^128/N)*i and the
  // last ends at 2^128-1, with `tags`. Fails with ValidationException (a
  // name, count or record size out of the model's bounds),
  // InvalidArgumentException (a bad tag or throughput limit),
  // ResourceInUseException (the name exists) or LimitExceededException
  // (past BrokerOptions::max_shards, or more than 50 tags; for an
  // on-demand stream, past BrokerOptions::on_demand.max_streams).
  // An on-demand stream (`stream_mode`) starts with
  // BrokerOptions::on_demand.initial_shard_count shards.
  virtual absl::Status CreateStream(const CreateStreamRequest& request) = 0;

  // Broker::DeleteStream()
  //
  // Deletes the stream and all its records. Puts still queued for it fail
  // with ResourceNotFoundException; its iterators stop working; its fan-out
  // subscriptions end with ResourceNotFoundException. A stream created later
  // under the same name is new and empty. Fails with
  // ResourceNotFoundException if there is no such stream, and with
  // ResourceInUseException if it has consumers and
  // `enforce_consumer_deletion` is false.
  virtual absl::Status DeleteStream(const DeleteStreamRequest& request) = 0;

  // Broker::DescribeStream()
  //
  // Returns the stream and up to 100 of its shards, in shard-id order
  // (closed shards too, until the retention period has removed their
  // records).
  virtual absl::StatusOr<StreamDescription> DescribeStream(
      const DescribeStreamRequest& request) = 0;

  // Broker::DescribeStreamSummary()
  virtual absl::StatusOr<StreamDescriptionSummary> DescribeStreamSummary(
      const DescribeStreamSummaryRequest& request) = 0;

  // Broker::DescribeLimits()
  //
  // The shard quota and how much of it the streams use, as Kinesis'
  // DescribeLimits. Fails only with InternalFailure after Close().
  virtual absl::StatusOr<DescribeLimitsResult> DescribeLimits() = 0;

  // Broker::ListStreams()
  //
  // Lists streams in name order, up to 100 per call.
  virtual absl::StatusOr<ListStreamsResult> ListStreams(
      const ListStreamsRequest& request) = 0;

  // Broker::ListShards()
  //
  // Lists the stream's shards that `shard_filter` selects, in shard-id order,
  // `max_results` per call, with a `next_token` that expires after 300
  // seconds. Closed shards are listed until the retention period has
  // removed their records. Fails with InvalidArgumentException (a filter
  // without the shard id or timestamp it needs, or with one it does not
  // take, or a next token combined with other arguments),
  // ResourceNotFoundException (no such stream, or one created at another
  // `stream_creation_timestamp`) or ExpiredNextTokenException.
  virtual absl::StatusOr<ListShardsResult> ListShards(
      const ListShardsRequest& request) = 0;

  // Broker::AddTagsToStream()
  // Broker::RemoveTagsFromStream()
  // Broker::ListTagsForStream()
  //
  // Label a stream, as Kinesis does; the tags are kept with the stream and
  // deleted with it. Adding fails with ValidationException (no tags, or a
  // key or value too long), InvalidArgumentException (a character AWS does
  // not allow in tags, or the reserved prefix "aws:") or
  // LimitExceededException (more than 50 tags on the stream, counting those
  // it has); nothing is added then.
  virtual absl::Status AddTagsToStream(
      const AddTagsToStreamRequest& request) = 0;
  virtual absl::Status RemoveTagsFromStream(
      const RemoveTagsFromStreamRequest& request) = 0;
  virtual absl::StatusOr<ListTagsForStreamResult> ListTagsForStream(
      const ListTagsForStreamRequest& request) = 0;

  // Broker::TagResource()
  // Broker::UntagResource()
  // Broker::ListTagsForResource()
  //
  // The same for a stream or a consumer named by its ARN, as Kinesis'
  // ARN-addressed tag operations: a consumer's tags are kept with it and
  // deleted with it. ListTagsForResource returns every tag, in key order.
  // Fail as AddTagsToStream does, and with ValidationException (not a
  // Kinesis ARN) or ResourceNotFoundException (no such stream or consumer).
  virtual absl::Status TagResource(const TagResourceRequest& request) = 0;
  virtual absl::Status UntagResource(const UntagResourceRequest& request) = 0;
  virtual absl::StatusOr<std::vector<Tag>> ListTagsForResource(
      absl::string_view resource_arn) = 0;

  // ---------------------------------------------------------------------------
  // Resharding
  // ---------------------------------------------------------------------------
  //
  // A reshard closes parent shards and opens children that own their hash
  // keys, in one atomic step: once the call returns, puts go to the children
  // (puts still queued for a parent are routed to its child), every child
  // sequence number is above every parent's, and a reader that finishes a
  // parent (GetRecords returns no next iterator) is told its children. Read
  // every parent of a child to its end before the child to keep each
  // partition key's order (brook/shard_lineage.h does this). The stream is
  // UPDATING while a reshard runs; a second reshard of it meanwhile fails
  // with ResourceInUseException. An on-demand stream reshards itself:
  // SplitShard, MergeShards and UpdateShardCount fail on it with
  // InvalidArgumentException, as in Kinesis.

  // Broker::SplitShard()
  //
  // Closes `shard_to_split` and opens two children: one owns the hash keys
  // below `new_starting_hash_key`, the other the rest. Fails with
  // ValidationException (a hash key that is not a decimal number),
  // ResourceNotFoundException (no such stream or shard),
  // InvalidArgumentException (a closed shard, or a hash key not greater
  // than the shard's starting key + 1 and less than its ending key, as
  // Kinesis requires), ResourceInUseException (another reshard is running)
  // or LimitExceededException (past BrokerOptions::max_shards open shards).
  virtual absl::Status SplitShard(const SplitShardRequest& request) = 0;

  // Broker::MergeShards()
  //
  // Closes two open shards whose hash key ranges touch and opens one child
  // that owns both ranges; `adjacent_shard_to_merge` must own the keys just
  // above `shard_to_merge`'s, as in Kinesis. Fails with
  // ResourceNotFoundException, InvalidArgumentException (a closed shard,
  // the same shard twice, ranges that do not touch or in the reverse order)
  // or ResourceInUseException.
  virtual absl::Status MergeShards(const MergeShardsRequest& request) = 0;

  // Broker::UpdateShardCount()
  //
  // Reshards to `target_shard_count` open shards that split the hash key
  // space evenly, through splits and merges applied together (shards that
  // are created and closed within the step are listed, empty, to keep the
  // lineage whole). Fails with ValidationException (a target below 1),
  // LimitExceededException (a target above double or below half the open
  // shards, above 10,000, past BrokerOptions::max_shards, or an eleventh
  // scaling within 24 hours), ResourceNotFoundException or
  // ResourceInUseException.
  virtual absl::StatusOr<UpdateShardCountResult> UpdateShardCount(
      const UpdateShardCountRequest& request) = 0;

  // Broker::IncreaseStreamRetentionPeriod()
  // Broker::DecreaseStreamRetentionPeriod()
  //
  // Change how long records are kept (24 to 8,760 hours). Increasing does
  // not bring back records already removed; decreasing makes records older
  // than the new period unreadable at once and removes them in the
  // background. Fail with InvalidArgumentException if the value is out of
  // range, or smaller (Increase) or larger (Decrease) than the current one,
  // or ResourceNotFoundException.
  virtual absl::Status IncreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) = 0;
  virtual absl::Status DecreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) = 0;

  // Broker::UpdateMaxRecordSize()
  //
  // Changes the stream's largest record (Kinesis' MaxRecordSizeInKiB), for
  // puts from now on and across restarts. Fails with ValidationException
  // (outside 1,024 to 10,240), ResourceNotFoundException or
  // ResourceInUseException (the stream is UPDATING: a reshard runs).
  virtual absl::Status UpdateMaxRecordSize(
      const UpdateMaxRecordSizeRequest& request) = 0;

  // Broker::UpdateStreamMode()
  //
  // Switches the stream between StreamMode::kProvisioned and kOnDemand, as
  // Kinesis' UpdateStreamMode; the stream keeps its shards and records. An
  // on-demand stream's writes are then limited per stream and it scales
  // itself (docs/capacity.md); a provisioned one's per shard again, with
  // the shards it has. Fails with ValidationException (a malformed ARN),
  // ResourceNotFoundException, InvalidArgumentException (the stream is in
  // that mode already), LimitExceededException (a third switch within 24
  // hours, as Kinesis allows two; or past BrokerOptions::on_demand.
  // max_streams on-demand streams) or ResourceInUseException (the stream
  // is UPDATING: a reshard runs).
  virtual absl::Status UpdateStreamMode(
      const UpdateStreamModeRequest& request) = 0;

  // Broker::EnableEnhancedMonitoring()
  // Broker::DisableEnhancedMonitoring()
  //
  // Enable or disable shard-level metrics of the stream (which brookd's
  // /metrics then shows), across restarts; return the metrics enabled
  // before and after. Fail with ValidationException (no names, more than
  // 7, or a name Kinesis does not have) or ResourceNotFoundException.
  virtual absl::StatusOr<EnhancedMonitoringResult> EnableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) = 0;
  virtual absl::StatusOr<EnhancedMonitoringResult> DisableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) = 0;

  // Broker::StartStreamEncryption()
  //
  // Stores every record written to the stream from now on encrypted under a
  // new data key made by the key provider (BrokerOptions::key_provider)
  // under the master key `key_id` (see brook/encryption.h); records written
  // before keep their state, and reads of both return plaintext. Calling it
  // again (with the same key or another) starts a new data key. The change
  // is done when the call returns: Kinesis' stream goes UPDATING for a few
  // seconds, Brook's is ACTIVE again at once. Fails with
  // ValidationException (no KeyId, or longer than 2,048 characters),
  // InvalidArgumentException (an encryption type other than KMS),
  // ResourceNotFoundException, ResourceInUseException (the stream is
  // UPDATING: a reshard runs), LimitExceededException (25 starts in the
  // last 24 hours, Kinesis' limit), or the key provider's
  // KMSNotFoundException, KMSDisabledException, KMSInvalidStateException,
  // KMSAccessDeniedException, KMSThrottlingException; then nothing changed.
  //
  // Once a stream encrypts, puts and reads of its encrypted records fail
  // with the key provider's KMS error if the data key cannot be unwrapped
  // (a master key deleted or disabled before the Broker opened), and reads
  // fail with InternalFailure (code kDataLoss) if a stored batch was changed.
  virtual absl::Status StartStreamEncryption(
      const StreamEncryptionRequest& request) = 0;

  // Broker::StopStreamEncryption()
  //
  // Stores the records written from now on in plaintext; records stored
  // encrypted stay so, and readable. Stopping a stream that does not encrypt
  // changes nothing. Fails with ValidationException,
  // InvalidArgumentException, ResourceNotFoundException,
  // ResourceInUseException, or LimitExceededException (25 stops in the last
  // 24 hours), as StartStreamEncryption().
  virtual absl::Status StopStreamEncryption(
      const StreamEncryptionRequest& request) = 0;

  // Broker::PutResourcePolicy()
  // Broker::GetResourcePolicy()
  // Broker::DeleteResourcePolicy()
  //
  // Keep, return and remove the resource policy of a stream or a consumer
  // (named by its ARN), across restarts; it is not enforced, and a
  // consumer's is deleted with it. GetResourcePolicy returns "{}" when the
  // resource has none. Fail with ValidationException (not a Kinesis ARN),
  // InvalidArgumentException (a policy that is not a JSON object with a
  // "Statement"), or ResourceNotFoundException (no such stream or
  // consumer; Delete: no policy).
  virtual absl::Status PutResourcePolicy(
      const PutResourcePolicyRequest& request) = 0;
  virtual absl::StatusOr<std::string> GetResourcePolicy(
      absl::string_view resource_arn) = 0;
  virtual absl::Status DeleteResourcePolicy(absl::string_view resource_arn) = 0;

  // Broker::UpdateStreamLimits()
  //
  // Replaces the stream's per-shard throughput limits, from now on and across
  // restarts; balances already earned are kept. Fails with
  // InvalidArgumentException (a bad limit) or ResourceNotFoundException.
  virtual absl::Status UpdateStreamLimits(
      const UpdateStreamLimitsRequest& request) = 0;

  // Broker::GetShardMetrics()
  //
  // Returns the counters of every shard of the stream (see brook/metrics.h).
  virtual absl::StatusOr<GetShardMetricsResult> GetShardMetrics(
      const GetShardMetricsRequest& request) = 0;

  // Broker::GetBrokerMetrics()
  //
  // Returns the figures of the Broker as a whole, sampled now: queued write
  // bytes, tail-cache bytes, RocksDB's write stalls and pending compaction
  // bytes, open subscriptions, bytes stored per stream and the lag of each
  // enhanced fan-out subscription (see brook/metrics.h for units). A remote
  // Broker asks brookd (Brook's own operation); other endpoints make it
  // fail with UnknownOperationException naming the endpoint. Fails with
  // InternalFailure once the Broker is closed.
  virtual absl::StatusOr<BrokerMetrics> GetBrokerMetrics() = 0;

  // ---------------------------------------------------------------------------
  // Producing
  // ---------------------------------------------------------------------------

  // Broker::PutRecord()
  //
  // Appends one record to the shard that owns its hash key and returns once
  // it is durable per BrokerOptions::durability and visible to readers.
  // Fails with ValidationException (a partition key of 0 or more than 256
  // characters, an explicit hash key that is not a decimal number, data
  // over 10 MiB), InvalidArgumentException (a hash key above 2^128-1, a
  // record over the stream's maximum size, see PutRecordRequest),
  // ResourceNotFoundException, or ProvisionedThroughputExceededException
  // (the shard's write limits; retry later, see brook/retry.h); then nothing
  // was written.
  //
  // Fails with InternalFailure when the disk fails or fills, and then, as in
  // Kinesis, the outcome is unknown: the record may or may not be stored
  // (it reached the log, but its sync failed), and a retry may store it
  // twice. Such a record is never visible before the records put ahead of
  // it, and never while writes are stopped; if stored, it becomes readable
  // when writes resume or the Broker reopens. After such a failure every
  // write fails fast with InternalFailure until writes resume (see
  // GetWriteState()); a put refused that way wrote nothing. The status code
  // tells the causes apart: kResourceExhausted for a full disk (retry once
  // space is freed), kInternal for an I/O error.
  virtual absl::StatusOr<PutRecordResult> PutRecord(
      const PutRecordRequest& request) = 0;

  // Broker::PutRecordAsync()
  //
  // As PutRecord(), but returns at once and reports through `done`. It may
  // wait while BrokerOptions::max_pending_write_bytes are queued.
  virtual void PutRecordAsync(PutRecordRequest request,
                              PutRecordCallback done) = 0;

  // Broker::PutRecords()
  //
  // Appends up to 500 records. A request that breaks a rule fails whole with
  // ValidationException (as PutRecord, or no records or more than 500) or
  // InvalidArgumentException (as PutRecord, or over 10 MiB in all) and
  // writes nothing; otherwise each record lands
  // whole or fails with its own status (ProvisionedThroughputExceeded-
  // Exception when its shard is over its write limits, or InternalFailure,
  // with an unknown outcome as in PutRecord()), reported in request order.
  // While writes are stopped the whole request fails with InternalFailure
  // and writes nothing. Records of one request that go to one shard keep
  // their request order.
  virtual absl::StatusOr<PutRecordsResult> PutRecords(
      const PutRecordsRequest& request) = 0;

  // Broker::PutRecordsInPlace()
  //
  // PutRecords() of records the caller holds: the same rules, results and
  // errors, without copying the records into a PutRecordsRequest first.
  // `request`, its records and the bytes they view are read until the call
  // returns and never after (a record is in its committed write batch, or
  // failed, by then), so they need only outlive the call. The default
  // implementation copies them into a PutRecordsRequest for PutRecords().
  virtual absl::StatusOr<PutRecordsResult> PutRecordsInPlace(
      const PutRecordsRequestView& request);

  // Broker::PutRecordsAsync()
  virtual void PutRecordsAsync(PutRecordsRequest request,
                               PutRecordsCallback done) = 0;

  // ---------------------------------------------------------------------------
  // Consuming
  // ---------------------------------------------------------------------------

  // Broker::GetShardIterator()
  //
  // Returns an iterator positioned per `shard_iterator_type`:
  //   kTrimHorizon: at the oldest record the retention period keeps;
  //   kLatest: just after the newest record, so that only later records are
  //     read;
  //   kAtSequenceNumber / kAfterSequenceNumber: at / just after the given
  //     record;
  //   kAtTimestamp: at the first record that arrived at or after the time.
  // A position older than the retention period starts at the oldest record
  // kept, as TRIM_HORIZON does.
  // Example: a shard holds records 10, 20 and 30 (their sequence numbers);
  // AT 20 reads 20 and 30, AFTER 20 reads 30, LATEST reads only records put
  // after the call. Fails with ValidationException (a bad shard id),
  // InvalidArgumentException (a sequence number or timestamp missing where
  // the type needs it or given where it takes none, a sequence number of
  // another shard), ResourceNotFoundException (no such stream or shard;
  // "shardId-7" and "7" name "shardId-000000000007", as in Kinesis).
  virtual absl::StatusOr<GetShardIteratorResult> GetShardIterator(
      const GetShardIteratorRequest& request) = 0;

  // Broker::GetRecords()
  //
  // Returns up to `limit` records (at most 10 MiB) from the iterator's
  // position, in order, and the iterator to continue with; at the end of a
  // closed shard, no iterator and the shard's children instead. Fails with
  // ExpiredIteratorException (older than 5 minutes: get a new one),
  // ValidationException (a limit outside 1 to 10,000, an iterator longer
  // than 512 characters), InvalidArgumentException (not an iterator this
  // Broker issued), ResourceNotFoundException (the stream was deleted) or
  // ProvisionedThroughputExceededException (the shard's classic read limits;
  // the iterator stays valid, retry later).
  virtual absl::StatusOr<GetRecordsResult> GetRecords(
      const GetRecordsRequest& request) = 0;

  // ---------------------------------------------------------------------------
  // Enhanced fan-out
  // ---------------------------------------------------------------------------

  // Broker::RegisterStreamConsumer()
  //
  // Registers an enhanced fan-out consumer, ACTIVE at once, with its tags;
  // it survives restarts. Fails with ValidationException (bad name or tag),
  // InvalidArgumentException (a tag as AddTagsToStream refuses it),
  // ResourceNotFoundException (no such stream), ResourceInUseException (the
  // name is taken) or LimitExceededException (past
  // BrokerOptions::max_consumers_per_stream).
  virtual absl::StatusOr<Consumer> RegisterStreamConsumer(
      const RegisterStreamConsumerRequest& request) = 0;

  // Broker::DeregisterStreamConsumer()
  //
  // Removes the consumer with its tags and resource policy; its
  // subscriptions end with ResourceNotFoundException.
  virtual absl::Status DeregisterStreamConsumer(const ConsumerRef& ref) = 0;

  // Broker::DescribeStreamConsumer()
  //
  // Both fail with InvalidArgumentException when `ref` names no consumer
  // (neither a consumer ARN nor a stream and a consumer name), as Kinesis
  // answers, or ResourceNotFoundException.
  virtual absl::StatusOr<Consumer> DescribeStreamConsumer(
      const ConsumerRef& ref) = 0;

  // Broker::ListStreamConsumers()
  //
  // Lists a stream's consumers in name order, with a `next_token` that
  // expires after 300 seconds.
  virtual absl::StatusOr<ListStreamConsumersResult> ListStreamConsumers(
      const ListStreamConsumersRequest& request) = 0;

  // Broker::SubscribeToShard()
  //
  // Starts pushing the shard's records, from `starting_position` (the
  // iterator types of GetShardIterator), to `handler` (see
  // SubscriptionHandler for its threads and end statuses), at up to the
  // stream's fan_out_bytes_per_second. Kinesis' rules hold: more than one
  // call per second per consumer and shard fails with
  // LimitExceededException; a call within 5 s of the last successful one
  // fails with ResourceInUseException; a later one takes over, and the old
  // subscription ends with ResourceInUseException. `handler` must outlive
  // the subscription.
  virtual absl::StatusOr<std::unique_ptr<Subscription>> SubscribeToShard(
      const SubscribeToShardRequest& request, SubscriptionHandler* handler) = 0;

  // ---------------------------------------------------------------------------
  // Checkpoints
  // ---------------------------------------------------------------------------

  // Broker::PutCheckpoint()
  //
  // Records how far `application_name` has processed a shard, replacing its
  // previous checkpoint of the shard; durable per BrokerOptions::durability
  // when it returns. Fails with ValidationException (a bad stream name,
  // application name or shard id), InvalidArgumentException (a negative
  // sub-sequence number, a sequence number that is not of the shard, or
  // `shard_end` for an open shard) or ResourceNotFoundException (no such
  // stream or shard). With `remote_endpoint` (brook/checkpoints.h) the
  // stream is not looked up: InvalidArgumentException for a malformed
  // endpoint or a zero sequence number, and the shard and record are taken
  // as given. Fails with InternalFailure when the disk fails, as PutRecord()
  // does (kResourceExhausted when it is full); the checkpoint may or may not
  // be stored then.
  virtual absl::Status PutCheckpoint(const PutCheckpointRequest& request) = 0;

  // Broker::GetCheckpoints()
  //
  // Returns the application's checkpoints in the stream (local or remote),
  // in shard-id order; none if it never checkpointed. Fails with
  // ValidationException (a bad stream or application name),
  // InvalidArgumentException (a malformed `remote_endpoint`) or
  // ResourceNotFoundException (no such local stream).
  virtual absl::StatusOr<GetCheckpointsResult> GetCheckpoints(
      const GetCheckpointsRequest& request) = 0;

  // Broker::DeleteCheckpoints()
  //
  // Removes every checkpoint of the application in the stream (local or
  // remote) in one write, durable per BrokerOptions::durability; OK if
  // there were none. A local stream's checkpoints also go with the stream;
  // a remote stream's only this way. Fails as GetCheckpoints() does, and as
  // PutCheckpoint() on a disk failure.
  virtual absl::Status DeleteCheckpoints(
      const DeleteCheckpointsRequest& request) = 0;

  // ---------------------------------------------------------------------------
  // Operations
  // ---------------------------------------------------------------------------

  // Broker::Backup()
  //
  // Writes a consistent copy of the data directory to
  // `request.destination` while producers and consumers go on (see
  // brook/backup.h for what the copy holds). Writes are not paused, except
  // with Durability::kNoWal, where commits wait while the memtables are
  // flushed so that every column family is copied as of one moment. Fails
  // with InvalidArgumentException (a destination that exists and is not
  // empty, or lies inside the data directory) or InternalFailure (an I/O
  // error; the code is kResourceExhausted when the disk is full); a failed
  // backup removes what it wrote.
  virtual absl::StatusOr<BackupResult> Backup(const BackupRequest& request) = 0;

  // Broker::GetWriteState()
  //
  // Whether writes are accepted and, if not, why (see brook/write_state.h):
  // stopped by a failed write or log sync, or refused while the disk is
  // below BrokerOptions::min_free_disk_bytes. Reads work in every state.
  // A Broker from Connect() asks brookd (GET /health, one round trip): an
  // endpoint without it, such as Kinesis, counts as accepting; one that
  // cannot be reached as kStopped, with the transport failure (code
  // kUnavailable) as the reason.
  virtual WriteState GetWriteState() const = 0;

  // Broker::Endpoint()
  //
  // Where a Broker from Connect() sends its requests, as resolved there
  // ("https://kinesis.eu-west-1.amazonaws.com", "http://127.0.0.1:4567");
  // empty for a local Broker. It names the remote streams whose checkpoints
  // a local Broker keeps (brook/checkpoints.h).
  virtual std::string Endpoint() const = 0;

  // Broker::Close()
  //
  // Commits every put already accepted, completes its callback, ends every
  // subscription (OnEnd with InternalFailure; no handler runs after Close()
  // returns), and closes the directory. Afterwards every method fails with
  // InternalFailure. Idempotent.
  virtual absl::Status Close() = 0;
};

}  // namespace brook

#endif  // BROOK_BROKER_H_
