// -----------------------------------------------------------------------------
// File: brook/streams.h
// -----------------------------------------------------------------------------
//
// Requests and results of the control-plane operations (create, delete,
// describe and list streams and shards), shaped like the Kinesis API so that
// code and habits carry over. Field names follow Kinesis' in snake_case.
//
// A stream is addressed in every request by `stream`, which holds either its
// name or its ARN ("arn:aws:kinesis:<region>:<account>:stream/<name>").
//
// Thread safety: plain values.

#ifndef BROOK_STREAMS_H_
#define BROOK_STREAMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "brook/encryption.h"
#include "brook/limits.h"
#include "brook/sequence_number.h"

namespace brook {

enum class StreamStatus { kCreating, kDeleting, kActive, kUpdating };

// "CREATING", "DELETING", "ACTIVE" or "UPDATING", as Kinesis spells them.
absl::string_view StreamStatusToString(StreamStatus status);

// How a stream's capacity is managed, as Kinesis' StreamMode.
enum class StreamMode {
  // The stream has the shards it is given (CreateStream's shard_count,
  // SplitShard, MergeShards, UpdateShardCount), each with the stream's
  // per-shard limits.
  kProvisioned,
  // The stream resizes itself to its write traffic: it starts with
  // BrokerOptions::on_demand.initial_shard_count shards and Brook splits
  // and merges them (docs/capacity.md). Writes are limited per stream, not
  // per shard. SplitShard, MergeShards and UpdateShardCount are refused.
  kOnDemand,
};

// "PROVISIONED" or "ON_DEMAND", as Kinesis spells them.
absl::string_view StreamModeToString(StreamMode mode);

// Settings of one stream, chosen at CreateStream.
struct StreamOptions {
  // The largest record, counting data plus partition key bytes, in KiB, as
  // Kinesis' MaxRecordSizeInKiB. Valid: 1,024 to 10,240.
  // Default: 1,024 (1 MiB).
  int max_record_size_kib = 1024;
  // Per-shard throughput limits; change them later with
  // Broker::UpdateStreamLimits().
  // Default: Kinesis' provisioned-shard limits.
  StreamLimits limits;
};

// The inclusive range of 128-bit hash keys that a shard owns.
struct HashKeyRange {
  absl::uint128 starting_hash_key = 0;
  absl::uint128 ending_hash_key = 0;
};

struct SequenceNumberRange {
  // No record of the shard has a lower sequence number.
  SequenceNumber starting_sequence_number;
  // Set once the shard is closed: its last sequence number.
  absl::optional<SequenceNumber> ending_sequence_number;
};

// A shard and its lineage. A split gives both children the split shard as
// `parent_shard_id`; a merge gives its child the two merged shards as
// `parent_shard_id` and `adjacent_parent_shard_id`.
struct Shard {
  std::string shard_id;                  // "shardId-000000000000"
  std::string parent_shard_id;           // Empty when the shard has none.
  std::string adjacent_parent_shard_id;  // Empty when the shard has none.
  HashKeyRange hash_key_range;
  SequenceNumberRange sequence_number_range;
};

// A shard that a closed shard's hash keys went to, as reported when a
// reader reaches the closed shard's end.
struct ChildShard {
  std::string shard_id;
  // The child's parents: one after a split, two after a merge.
  std::vector<std::string> parent_shards;
  HashKeyRange hash_key_range;
};

// Tags: labels on a stream, as Kinesis' AddTagsToStream and friends. A
// stream has at most 50; keys are 1 to 128 characters and may not start
// with "aws:", values 0 to 256.
struct Tag {
  std::string key;
  std::string value;
};

struct CreateStreamRequest {
  // 1 to 128 characters of [a-zA-Z0-9_.-].
  std::string stream_name;
  // At least 1. Not used by an on-demand stream, which starts with
  // BrokerOptions::on_demand.initial_shard_count shards (Kinesis takes no
  // ShardCount with ON_DEMAND).
  int shard_count = 1;
  // Kinesis' StreamModeDetails.
  StreamMode stream_mode = StreamMode::kProvisioned;
  StreamOptions options;
  // Tags the stream starts with, under AddTagsToStream's rules (at most
  // 50).
  std::vector<Tag> tags;
};

struct DeleteStreamRequest {
  std::string stream;  // Name or ARN.
  // Deregister the stream's enhanced fan-out consumers too; without it, a
  // stream with consumers is not deleted (ResourceInUseException).
  bool enforce_consumer_deletion = false;
};

struct DescribeStreamRequest {
  std::string stream;  // Name or ARN.
  // The most shards to return: 1 to 10,000, of which at most 100 are
  // returned, as in Kinesis.
  int limit = 100;
  // Return the shards after this one.
  std::string exclusive_start_shard_id;
};

struct StreamDescription {
  std::string stream_name;
  std::string stream_arn;
  StreamStatus stream_status = StreamStatus::kActive;
  absl::Time stream_creation_timestamp;
  int retention_period_hours = 24;
  int max_record_size_kib = 1024;
  StreamMode stream_mode = StreamMode::kProvisioned;
  // The shard-level metrics enabled (EnableEnhancedMonitoring).
  std::vector<std::string> shard_level_metrics;
  // How the records written from now on are stored (StartStreamEncryption,
  // StopStreamEncryption), and the master key they are sealed under, as it
  // was named; empty with kNone.
  EncryptionType encryption_type = EncryptionType::kNone;
  std::string key_id;
  std::vector<Shard> shards;
  bool has_more_shards = false;
};

struct DescribeStreamSummaryRequest {
  std::string stream;  // Name or ARN.
};

// For EnableEnhancedMonitoring and DisableEnhancedMonitoring: which of a
// stream's shard-level metrics it publishes (brookd's /metrics shows only
// these, as CloudWatch shows only the enabled ones).
struct EnhancedMonitoringRequest {
  std::string stream;  // Name or ARN.
  // 1 to 7 of Kinesis' names: "IncomingBytes", "IncomingRecords",
  // "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded",
  // "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", or
  // "ALL" for every one.
  std::vector<std::string> shard_level_metrics;
};

struct EnhancedMonitoringResult {
  std::string stream_name;
  std::string stream_arn;
  std::vector<std::string> current_shard_level_metrics;  // Before the call.
  std::vector<std::string> desired_shard_level_metrics;  // After it.
};

// A resource policy (an IAM policy document, JSON) kept with a stream or a
// consumer, as Kinesis' PutResourcePolicy. Brook keeps and returns it; it
// does not enforce it (Brook has no IAM).
struct PutResourcePolicyRequest {
  std::string resource_arn;  // The stream's or the consumer's ARN.
  std::string policy;        // A JSON object with a "Statement".
};

struct StreamDescriptionSummary {
  std::string stream_name;
  std::string stream_arn;
  StreamStatus stream_status = StreamStatus::kActive;
  absl::Time stream_creation_timestamp;
  int retention_period_hours = 24;
  int max_record_size_kib = 1024;
  int open_shard_count = 0;
  int consumer_count = 0;
  StreamMode stream_mode = StreamMode::kProvisioned;
  // The shard-level metrics enabled (EnableEnhancedMonitoring).
  std::vector<std::string> shard_level_metrics;
  // How the records written from now on are stored (StartStreamEncryption,
  // StopStreamEncryption), and the master key they are sealed under, as it
  // was named; empty with kNone.
  EncryptionType encryption_type = EncryptionType::kNone;
  std::string key_id;
  // Per-shard limits. An on-demand stream does not apply them to writes:
  // its shards are split to stay below them (docs/capacity.md).
  StreamLimits limits;
};

// Kinesis' UpdateStreamMode.
struct UpdateStreamModeRequest {
  std::string stream;  // Name or ARN (Kinesis takes only the ARN).
  StreamMode stream_mode = StreamMode::kProvisioned;
};

// For IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod.
struct UpdateStreamRetentionRequest {
  std::string stream;  // Name or ARN.
  // 24 to 8,760.
  int retention_period_hours = 24;
};

struct UpdateMaxRecordSizeRequest {
  std::string stream;  // Name or ARN.
  // 1,024 to 10,240, as StreamOptions::max_record_size_kib.
  int max_record_size_kib = 1024;
};

// The account-wide quotas of Kinesis' DescribeLimits, for this Broker.
struct DescribeLimitsResult {
  // BrokerOptions::max_shards.
  int shard_limit = 0;
  // Open shards over every stream.
  int open_shard_count = 0;
  // On-demand streams, and BrokerOptions::on_demand.max_streams.
  int on_demand_stream_count = 0;
  int on_demand_stream_count_limit = 0;
};

struct UpdateStreamLimitsRequest {
  std::string stream;  // Name or ARN.
  StreamLimits limits;
};

struct ListStreamsRequest {
  // The most streams to return: 1 to 10,000, of which at most 100 are
  // returned, as in Kinesis.
  int limit = 100;
  // Return the streams whose names sort after this one.
  std::string exclusive_start_stream_name;
  // From a previous result; cannot be combined with
  // `exclusive_start_stream_name`.
  std::string next_token;
};

struct StreamSummary {
  std::string stream_name;
  std::string stream_arn;
  StreamStatus stream_status = StreamStatus::kActive;
  absl::Time stream_creation_timestamp;
  StreamMode stream_mode = StreamMode::kProvisioned;
};

struct ListStreamsResult {
  std::vector<std::string> stream_names;  // In name order.
  std::vector<StreamSummary> stream_summaries;
  bool has_more_streams = false;
  std::string next_token;  // Empty when there are no more streams.
};

// Which shards ListShards returns, as Kinesis' ShardFilter. Shards whose
// records the retention period has removed (closed shards closed longer
// ago than the period) are never listed.
enum class ShardFilterType {
  // Every listed shard whose id sorts after `shard_id`.
  kAfterShardId,
  // The shards that were open at the trim horizon (now minus the retention
  // period, or the stream's creation if later): where a consumer that reads
  // everything kept starts.
  kAtTrimHorizon,
  // Every shard still kept (the default).
  kFromTrimHorizon,
  // The shards open now.
  kAtLatest,
  // The shards open at `timestamp` (the stream's creation if earlier).
  kAtTimestamp,
  // The shards open at or after `timestamp`.
  kFromTimestamp,
};

// "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST",
// "AT_TIMESTAMP" or "FROM_TIMESTAMP".
absl::string_view ShardFilterTypeToString(ShardFilterType type);

struct ShardFilter {
  ShardFilterType type = ShardFilterType::kFromTrimHorizon;
  // Required by kAfterShardId.
  std::string shard_id;
  // Required by kAtTimestamp and kFromTimestamp.
  absl::optional<absl::Time> timestamp;
};

struct ListShardsRequest {
  // Name or ARN. Must be empty when `next_token` is given.
  std::string stream;
  // When set, the stream must have been created at this time, at the
  // precision given: a whole second (as the AWS CLI sends it) matches any
  // millisecond of it, a tenth of a second any of that tenth, and so on
  // down to the millisecond; else
  // ResourceNotFoundException: it tells a stream from an earlier one of
  // the same name. Not with `next_token`.
  absl::optional<absl::Time> stream_creation_timestamp;
  // From a previous result, which it continues with the same filter;
  // expires after 300 seconds (ExpiredNextTokenException).
  std::string next_token;
  // Return the shards after this one. Not with `next_token`.
  std::string exclusive_start_shard_id;
  // 1 to 10,000.
  int max_results = 1000;
  // Which shards; unset is FROM_TRIM_HORIZON. Not with `next_token`.
  absl::optional<ShardFilter> shard_filter;
};

struct ListShardsResult {
  std::vector<Shard> shards;
  std::string next_token;  // Empty when there are no more shards.
};

struct SplitShardRequest {
  std::string stream;  // Name or ARN.
  std::string shard_to_split;
  // A decimal hash key inside the shard's range, above its starting hash
  // key. Hash keys from it up go to one child, lower ones to the other.
  std::string new_starting_hash_key;
};

struct MergeShardsRequest {
  std::string stream;  // Name or ARN.
  std::string shard_to_merge;
  // Open, and owning the hash keys just above or just below
  // `shard_to_merge`'s.
  std::string adjacent_shard_to_merge;
};

enum class ScalingType { kUniformScaling };

struct UpdateShardCountRequest {
  std::string stream;  // Name or ARN.
  // From half to double the open shards, at most 10,000.
  int target_shard_count = 1;
  ScalingType scaling_type = ScalingType::kUniformScaling;
};

struct UpdateShardCountResult {
  std::string stream_name;
  std::string stream_arn;
  int current_shard_count = 0;
  int target_shard_count = 0;
};

struct AddTagsToStreamRequest {
  std::string stream;  // Name or ARN.
  // 1 to 50 tags; a key the stream has already gets the new value.
  std::vector<Tag> tags;
};

struct RemoveTagsFromStreamRequest {
  std::string stream;  // Name or ARN.
  // 1 to 50 keys; keys the stream does not have are ignored.
  std::vector<std::string> tag_keys;
};

struct ListTagsForStreamRequest {
  std::string stream;  // Name or ARN.
  // Return the tags whose keys sort after this one.
  std::string exclusive_start_tag_key;
  // 1 to 50.
  int limit = 50;
};

struct ListTagsForStreamResult {
  std::vector<Tag> tags;  // In key order.
  bool has_more_tags = false;
};

// Tags of a resource named by its ARN, a stream's or a consumer's, as
// Kinesis' TagResource, UntagResource and ListTagsForResource.
struct TagResourceRequest {
  std::string resource_arn;
  // 1 to 50 tags; a key the resource has already gets the new value.
  std::vector<Tag> tags;
};

struct UntagResourceRequest {
  std::string resource_arn;
  // 1 to 50 keys; keys the resource does not have are ignored.
  std::vector<std::string> tag_keys;
};

}  // namespace brook

#endif  // BROOK_STREAMS_H_
