// The remote Broker's side of the Kinesis JSON 1.1 wire format: each
// request type encoded as its operation's JSON body, each response body
// decoded into the result type, and an error answer into a status with its
// Kinesis error name.
//
// Decoding accepts what AWS sends and what brookd and other emulators send:
// timestamps as epoch seconds (integer or fractional, also as a numeric
// string), an empty body for an operation without output, members absent
// or null, members it does not know (ignored).
//
// Thread safety: pure functions.

#ifndef BROOK_REMOTE_KINESIS_JSON_H_
#define BROOK_REMOTE_KINESIS_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/broker.h"

namespace brook {
// Names like DecodeConsumer also exist for the stored forms (storage/).
namespace kinesis_json {

// The error an answer with HTTP status `http_status` describes: its
// `__type` (or X-Amzn-ErrorType) stripped of any "namespace#" prefix and
// ":detail" suffix, mapped to the ErrorName of that spelling; a type Brook
// does not name becomes InternalFailure whose message starts with the type.
absl::Status DecodeError(int http_status, absl::string_view error_type_header,
                         absl::string_view body);

// The error type an answer carries, as DecodeError() reads it ("" if none).
std::string ErrorTypeOf(absl::string_view error_type_header,
                        absl::string_view body);

// Requests. Each returns the JSON body.
std::string EncodeCreateStream(const CreateStreamRequest& request,
                               bool with_limits);
std::string EncodeDeleteStream(const DeleteStreamRequest& request);
std::string EncodeDescribeStream(const DescribeStreamRequest& request);
std::string EncodeStreamOnly(absl::string_view stream);
std::string EncodeListStreams(const ListStreamsRequest& request);
std::string EncodeListShards(const ListShardsRequest& request);
std::string EncodeAddTags(const AddTagsToStreamRequest& request);
std::string EncodeRemoveTags(const RemoveTagsFromStreamRequest& request);
std::string EncodeListTags(const ListTagsForStreamRequest& request);
std::string EncodeTagResource(const TagResourceRequest& request);
std::string EncodeUntagResource(const UntagResourceRequest& request);
std::string EncodeSplitShard(const SplitShardRequest& request);
std::string EncodeMergeShards(const MergeShardsRequest& request);
std::string EncodeUpdateShardCount(const UpdateShardCountRequest& request);
std::string EncodeRetention(const UpdateStreamRetentionRequest& request);
std::string EncodeUpdateStreamLimits(const UpdateStreamLimitsRequest& request);
std::string EncodeUpdateMaxRecordSize(
    const UpdateMaxRecordSizeRequest& request);
// REQUIRES: request.stream is the stream's ARN (Kinesis takes only that).
std::string EncodeUpdateStreamMode(const UpdateStreamModeRequest& request);
std::string EncodeEnhancedMonitoring(const EnhancedMonitoringRequest& request);
std::string EncodeStreamEncryption(const StreamEncryptionRequest& request);
std::string EncodePutResourcePolicy(const PutResourcePolicyRequest& request);
std::string EncodeResourceArn(absl::string_view resource_arn);
std::string EncodePutRecord(const PutRecordRequest& request);
std::string EncodePutRecords(const PutRecordsRequest& request);
std::string EncodeGetShardIterator(const GetShardIteratorRequest& request);
std::string EncodeGetRecords(const GetRecordsRequest& request);
// `stream_arn` replaces a stream name: the consumer operations take ARNs.
std::string EncodeRegisterConsumer(const RegisterStreamConsumerRequest& request,
                                   absl::string_view stream_arn);
std::string EncodeConsumerRef(const ConsumerRef& ref,
                              absl::string_view stream_arn);
std::string EncodeListConsumers(const ListStreamConsumersRequest& request,
                                absl::string_view stream_arn);
std::string EncodeSubscribeToShard(const SubscribeToShardRequest& request);
std::string EncodePutCheckpoint(const PutCheckpointRequest& request);
// Also DeleteCheckpoints' body.
std::string EncodeGetCheckpoints(const GetCheckpointsRequest& request);

// Responses. Each fails with InternalFailure if `body` is not what the
// operation answers.
absl::StatusOr<StreamDescription> DecodeDescribeStream(absl::string_view body);
absl::StatusOr<StreamDescriptionSummary> DecodeDescribeStreamSummary(
    absl::string_view body);
absl::StatusOr<StreamLimits> DecodeDescribeStreamLimits(absl::string_view body);
absl::StatusOr<DescribeLimitsResult> DecodeDescribeLimits(
    absl::string_view body);
absl::StatusOr<EnhancedMonitoringResult> DecodeEnhancedMonitoring(
    absl::string_view body);
// The Policy of a GetResourcePolicy answer.
absl::StatusOr<std::string> DecodeResourcePolicy(absl::string_view body);
absl::StatusOr<ListStreamsResult> DecodeListStreams(absl::string_view body);
absl::StatusOr<ListShardsResult> DecodeListShards(absl::string_view body);
// ListTagsForStream's result, or ListTagsForResource's (which has no
// HasMoreTags).
absl::StatusOr<ListTagsForStreamResult> DecodeListTags(absl::string_view body);
absl::StatusOr<UpdateShardCountResult> DecodeUpdateShardCount(
    absl::string_view body);
absl::StatusOr<GetShardMetricsResult> DecodeShardMetrics(
    absl::string_view body);
absl::StatusOr<BrokerMetrics> DecodeBrokerMetrics(absl::string_view body);
absl::StatusOr<PutRecordResult> DecodePutRecord(absl::string_view body);
absl::StatusOr<PutRecordsResult> DecodePutRecords(absl::string_view body);
absl::StatusOr<GetShardIteratorResult> DecodeGetShardIterator(
    absl::string_view body);
absl::StatusOr<GetRecordsResult> DecodeGetRecords(absl::string_view body);
// RegisterStreamConsumer's "Consumer" or DescribeStreamConsumer's
// "ConsumerDescription".
absl::StatusOr<Consumer> DecodeConsumer(absl::string_view body);
absl::StatusOr<ListStreamConsumersResult> DecodeListConsumers(
    absl::string_view body);
// One SubscribeToShardEvent's JSON payload.
absl::StatusOr<SubscribeToShardEvent> DecodeSubscribeToShardEvent(
    absl::string_view payload);
absl::StatusOr<GetCheckpointsResult> DecodeGetCheckpoints(
    absl::string_view body);

}  // namespace kinesis_json
}  // namespace brook

#endif  // BROOK_REMOTE_KINESIS_JSON_H_
