// The request checks of every Broker operation, each in one place and in
// Kinesis' order: first what the Kinesis API model forbids (lengths,
// ranges, patterns, through schema/constraints.h), which fails with
// ValidationException exactly as brookd reports it; then Kinesis' own rules
// on the values (tag characters, hash key range, arguments that do not go
// together), which fail with InvalidArgumentException. Nothing here looks
// at a stream: the Broker checks a request before it resolves the stream,
// and the state after.

#ifndef BROOK_BROKER_VALIDATION_H_
#define BROOK_BROKER_VALIDATION_H_

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/broker.h"

namespace brook {

// The largest PutRecords request, counting data and partition keys.
inline constexpr size_t kMaxPutRecordsBytes = size_t{10} << 20;
// The most bytes one GetRecords call returns.
inline constexpr size_t kMaxGetRecordsBytes = size_t{10} << 20;
inline constexpr int kMinRetentionHours = 24;
inline constexpr int kMaxRetentionHours = 8760;
inline constexpr int kMaxTagsPerResource = 50;

absl::Status Validate(const CreateStreamRequest& request);
absl::Status Validate(const DeleteStreamRequest& request);
absl::Status Validate(const DescribeStreamRequest& request);
absl::Status Validate(const DescribeStreamSummaryRequest& request);
absl::Status Validate(const ListStreamsRequest& request);
absl::Status Validate(const ListShardsRequest& request);
// `increase` picks IncreaseStreamRetentionPeriod over Decrease...
absl::Status Validate(const UpdateStreamRetentionRequest& request,
                      bool increase);
absl::Status Validate(const UpdateStreamLimitsRequest& request);
absl::Status Validate(const UpdateMaxRecordSizeRequest& request);
absl::Status Validate(const UpdateStreamModeRequest& request);
// `enable` picks EnableEnhancedMonitoring over Disable...
absl::Status Validate(const EnhancedMonitoringRequest& request, bool enable);
// `start` picks StartStreamEncryption over StopStreamEncryption; a type
// other than KMS is InvalidArgumentException.
absl::Status Validate(const StreamEncryptionRequest& request, bool start);
absl::Status Validate(const PutResourcePolicyRequest& request);
// `operation` is GetResourcePolicy, DeleteResourcePolicy or
// ListTagsForResource.
absl::Status ValidateResourceArn(absl::string_view resource_arn,
                                 absl::string_view operation);
absl::Status Validate(const GetShardMetricsRequest& request);
absl::Status Validate(const AddTagsToStreamRequest& request);
absl::Status Validate(const RemoveTagsFromStreamRequest& request);
absl::Status Validate(const ListTagsForStreamRequest& request);
absl::Status Validate(const TagResourceRequest& request);
absl::Status Validate(const UntagResourceRequest& request);
absl::Status Validate(const SplitShardRequest& request);
absl::Status Validate(const MergeShardsRequest& request);
absl::Status Validate(const UpdateShardCountRequest& request);
absl::Status Validate(const PutRecordRequest& request);
absl::Status Validate(const PutRecordsRequestView& request);
// `now` tells a timestamp in the future, which Kinesis refuses.
absl::Status Validate(const GetShardIteratorRequest& request, absl::Time now);
absl::Status Validate(const GetRecordsRequest& request);
absl::Status Validate(const RegisterStreamConsumerRequest& request);
// `operation` is DescribeStreamConsumer or DeregisterStreamConsumer.
absl::Status Validate(const ConsumerRef& ref, absl::string_view operation);
absl::Status Validate(const ListStreamConsumersRequest& request);
absl::Status Validate(const SubscribeToShardRequest& request, absl::Time now);
absl::Status Validate(const PutCheckpointRequest& request);
absl::Status Validate(const GetCheckpointsRequest& request);

// The partition key as Kinesis' own rule wants it: valid UTF-8 (the model
// counts its characters).
absl::Status ValidatePartitionKeyText(absl::string_view partition_key);

// Data plus partition key within the stream's maximum record size.
absl::Status ValidateRecordSize(absl::string_view partition_key,
                                absl::string_view data,
                                int max_record_size_kib);

// Empty gives nullopt; otherwise a decimal number from 0 to 2^128 - 1.
absl::StatusOr<absl::optional<absl::uint128>> ParseExplicitHashKey(
    absl::string_view explicit_hash_key);

// A decimal hash key from 0 to 2^128 - 1, naming `field` when it is not.
absl::StatusOr<absl::uint128> ParseHashKey(absl::string_view field,
                                           absl::string_view hash_key);

}  // namespace brook

#endif  // BROOK_BROKER_VALIDATION_H_
