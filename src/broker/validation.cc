#include "broker/validation.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "boost/json/parse.hpp"
#include "common/errors.h"
#include "common/shard_ref.h"
#include "common/status_macros.h"
#include "common/uint128.h"
#include "re2/re2.h"
#include "schema/constraints.h"

namespace brook {
namespace {

using schema::RequestCheck;

// Kinesis' own rule: a stream is named by its name or its ARN.
absl::Status StreamGiven(absl::string_view stream) {
  if (stream.empty()) {
    return InvalidArgument("Either StreamName or StreamARN must be provided");
  }
  return absl::OkStatus();
}

// The model's checks of a request, its stream among them, then that rule.
absl::Status FinishStreamRequest(const RequestCheck& check,
                                 absl::string_view stream) {
  BROOK_RETURN_IF_ERROR(check.Finish());
  return StreamGiven(stream);
}

// As FinishStreamRequest(), checking the stream after the other members.
absl::Status StreamRequest(RequestCheck& check, absl::string_view stream) {
  check.Stream(stream);
  return FinishStreamRequest(check, stream);
}

// The checks of a request whose only member is the stream it names.
absl::Status StreamOnly(absl::string_view operation, absl::string_view stream) {
  RequestCheck check(operation);
  return StreamRequest(check, stream);
}

// Tag keys and values may hold only Unicode letters, digits, white space
// and _ . / = + - % @ (the Kinesis API reference, Tag). White space is the
// space separators: Kinesis refuses a tab or a line break in a tag.
bool HasOnlyTagCharacters(absl::string_view text) {
  static const RE2* const kTagText = new RE2(R"([\p{L}\p{N}\p{Zs}_./=+\-%@]*)");
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *kTagText);
}

absl::Status ValidateTagText(absl::string_view text) {
  if (schema::CountUtf8Characters(text) < 0 || !HasOnlyTagCharacters(text)) {
    return InvalidArgument(
        "Some tags contain invalid characters. Valid characters: Unicode "
        "letters, digits, white space, _ . / = + - % @.");
  }
  return absl::OkStatus();
}

absl::Status ValidateTagKey(absl::string_view key) {
  BROOK_RETURN_IF_ERROR(ValidateTagText(key));
  if (absl::StartsWith(key, "aws:")) {
    return InvalidArgument(
        absl::StrCat("Tag key '", key, "' uses the reserved prefix 'aws:'"));
  }
  return absl::OkStatus();
}

// The model's checks of a starting position (GetShardIterator's members,
// or SubscribeToShard's StartingPosition), then Kinesis' rule that the
// arguments match the type: a sequence number exactly for AT_ and
// AFTER_SEQUENCE_NUMBER, a timestamp exactly for AT_TIMESTAMP.
absl::Status ValidatePosition(ShardIteratorType type,
                              const absl::optional<SequenceNumber>& number,
                              const absl::optional<absl::Time>& timestamp,
                              absl::Time now) {
  const bool wants_number = type == ShardIteratorType::kAtSequenceNumber ||
                            type == ShardIteratorType::kAfterSequenceNumber;
  const bool wants_timestamp = type == ShardIteratorType::kAtTimestamp;
  const absl::string_view name = ShardIteratorTypeToString(type);
  if (wants_number != number.has_value()) {
    return InvalidArgument(
        wants_number
            ? absl::StrCat("StartingSequenceNumber is required for ", name)
            : absl::StrCat("StartingSequenceNumber must not be given for ",
                           name));
  }
  if (wants_timestamp != timestamp.has_value()) {
    return InvalidArgument(
        wants_timestamp
            ? absl::StrCat("Timestamp is required for ", name)
            : absl::StrCat("Timestamp must not be given for ", name));
  }
  if (timestamp.has_value() && *timestamp > now) {
    return InvalidArgument(absl::StrCat(
        "The timestamp ", absl::FormatTime(*timestamp, absl::UTCTimeZone()),
        " is in the future"));
  }
  return absl::OkStatus();
}

// A list of strings as AWS shows it in a message: [a, b, c].
std::string ListText(const std::vector<std::string>& list) {
  return absl::StrCat("[", absl::StrJoin(list, ", "), "]");
}

// The model's checks of a TagMap member named Tags.
void CheckTags(RequestCheck& check, const std::vector<Tag>& tags) {
  const schema::Location at = schema::MemberOf(check.input(), "Tags");
  // Shown as AWS shows a map: {key=value, ...}.
  auto text = [&] {
    return absl::StrCat("{",
                        absl::StrJoin(tags, ", ",
                                      [](std::string* out, const Tag& tag) {
                                        absl::StrAppend(out, tag.key, "=",
                                                        tag.value);
                                      }),
                        "}");
  };
  check.violations().CheckCount(at, tags.size(), text);
  for (const Tag& tag : tags) {
    check.violations().CheckMapKey(at, tag.key, text);
    check.violations().CheckElement(schema::ValueOf(at, tag.key), tag.value,
                                    text);
  }
}

// The model's checks of a TagKeyList member named TagKeys.
void CheckTagKeys(RequestCheck& check, const std::vector<std::string>& keys) {
  const schema::Location at = schema::MemberOf(check.input(), "TagKeys");
  auto text = [&] { return ListText(keys); };
  check.violations().CheckCount(at, keys.size(), text);
  for (size_t i = 0; i < keys.size(); ++i) {
    check.violations().CheckElement(schema::EntryOf(at, i), keys[i], text);
  }
}

absl::Status ValidateTagKeys(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    BROOK_RETURN_IF_ERROR(ValidateTagText(key));
  }
  return absl::OkStatus();
}

// Kinesis' own rules on tags.
absl::Status ValidateTags(const std::vector<Tag>& tags) {
  for (const Tag& tag : tags) {
    BROOK_RETURN_IF_ERROR(ValidateTagKey(tag.key));
    BROOK_RETURN_IF_ERROR(ValidateTagText(tag.value));
  }
  if (tags.size() > static_cast<size_t>(kMaxTagsPerResource)) {
    return LimitExceeded(absl::StrCat("A stream or consumer can have at most ",
                                      kMaxTagsPerResource, " tags"));
  }
  return absl::OkStatus();
}

absl::Status ValidateName(absl::string_view what, absl::string_view name) {
  // Application names are Brook's (the KCL's) and follow the model's
  // StreamName rules.
  schema::Violations violations;
  const schema::Location input;
  const schema::Location at{.shape = schema::FindShape("StreamName"),
                            .parent = &input,
                            .kind = schema::Location::Kind::kMember,
                            .name = what};
  violations.CheckString(at, name);
  return violations.ToStatus();
}

// An endpoint that names a remote stream's checkpoints: empty (a local
// stream), or "http://" or "https://" and a host, printable, at most 2,048
// characters.
absl::Status ValidateRemoteEndpoint(absl::string_view endpoint) {
  constexpr size_t kMaxEndpointBytes = 2048;
  if (endpoint.empty()) return absl::OkStatus();
  absl::string_view host = endpoint;
  if (endpoint.size() > kMaxEndpointBytes ||
      !(absl::ConsumePrefix(&host, "https://") ||
        absl::ConsumePrefix(&host, "http://")) ||
      host.empty() || std::any_of(endpoint.begin(), endpoint.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
      })) {
    return InvalidArgument(absl::StrCat(
        "remote endpoint '", endpoint.substr(0, 128),
        "' is not \"http://\" or \"https://\" and a host of at most 2048 "
        "printable characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Validate(const CreateStreamRequest& request) {
  RequestCheck check("CreateStream");
  check.String("StreamName", request.stream_name)
      .Number("ShardCount", request.shard_count)
      .Number("MaxRecordSizeInKiB", request.options.max_record_size_kib);
  if (!request.tags.empty()) CheckTags(check, request.tags);
  BROOK_RETURN_IF_ERROR(check.Finish());
  BROOK_RETURN_IF_ERROR(ValidateTags(request.tags));
  return request.options.limits.Validate();
}

absl::Status Validate(const DeleteStreamRequest& request) {
  return StreamOnly("DeleteStream", request.stream);
}

absl::Status Validate(const DescribeStreamRequest& request) {
  RequestCheck check("DescribeStream");
  check.Number("Limit", request.limit)
      .OptionalString("ExclusiveStartShardId",
                      request.exclusive_start_shard_id);
  return StreamRequest(check, request.stream);
}

absl::Status Validate(const DescribeStreamSummaryRequest& request) {
  return StreamOnly("DescribeStreamSummary", request.stream);
}

absl::Status Validate(const ListStreamsRequest& request) {
  RequestCheck check("ListStreams");
  check.Number("Limit", request.limit)
      .OptionalString("ExclusiveStartStreamName",
                      request.exclusive_start_stream_name)
      .OptionalString("NextToken", request.next_token);
  BROOK_RETURN_IF_ERROR(check.Finish());
  if (!request.next_token.empty() &&
      !request.exclusive_start_stream_name.empty()) {
    return InvalidArgument(
        "NextToken cannot be combined with ExclusiveStartStreamName");
  }
  return absl::OkStatus();
}

absl::Status Validate(const ListShardsRequest& request) {
  RequestCheck check("ListShards");
  check.Stream(request.stream)
      .OptionalString("NextToken", request.next_token)
      .OptionalString("ExclusiveStartShardId", request.exclusive_start_shard_id)
      .Number("MaxResults", request.max_results);
  const schema::Location filter =
      schema::MemberOf(check.input(), "ShardFilter");
  const ShardFilter shard_filter = request.shard_filter.value_or(ShardFilter());
  if (!shard_filter.shard_id.empty()) {
    check.violations().CheckString(schema::MemberOf(filter, "ShardId"),
                                   shard_filter.shard_id);
  }
  BROOK_RETURN_IF_ERROR(check.Finish());
  // Kinesis' rules: a next token carries the whole request.
  if (!request.next_token.empty()) {
    if (!request.stream.empty() || !request.exclusive_start_shard_id.empty() ||
        request.stream_creation_timestamp.has_value() ||
        request.shard_filter.has_value()) {
      return InvalidArgument(
          "NextToken cannot be combined with StreamName, StreamARN, "
          "ExclusiveStartShardId, StreamCreationTimestamp or ShardFilter");
    }
    return absl::OkStatus();
  }
  BROOK_RETURN_IF_ERROR(StreamGiven(request.stream));
  const absl::string_view type = ShardFilterTypeToString(shard_filter.type);
  const bool wants_shard_id =
      shard_filter.type == ShardFilterType::kAfterShardId;
  const bool wants_timestamp =
      shard_filter.type == ShardFilterType::kAtTimestamp ||
      shard_filter.type == ShardFilterType::kFromTimestamp;
  if (wants_shard_id != !shard_filter.shard_id.empty()) {
    return InvalidArgument(
        absl::StrCat("ShardFilter ", type,
                     wants_shard_id ? " requires" : " takes no", " ShardId"));
  }
  if (wants_timestamp != shard_filter.timestamp.has_value()) {
    return InvalidArgument(absl::StrCat(
        "ShardFilter ", type, wants_timestamp ? " requires" : " takes no",
        " Timestamp"));
  }
  if (wants_shard_id && !request.exclusive_start_shard_id.empty()) {
    return InvalidArgument(
        "ExclusiveStartShardId cannot be combined with ShardFilter "
        "AFTER_SHARD_ID");
  }
  return absl::OkStatus();
}

absl::Status Validate(const UpdateStreamRetentionRequest& request,
                      bool increase) {
  RequestCheck check(increase ? "IncreaseStreamRetentionPeriod"
                              : "DecreaseStreamRetentionPeriod");
  check.Number("RetentionPeriodHours", request.retention_period_hours);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  // Kinesis' range, which the model leaves to the operation.
  if (request.retention_period_hours < kMinRetentionHours ||
      request.retention_period_hours > kMaxRetentionHours) {
    return InvalidArgument(absl::StrCat(
        "Minimum allowed retention period is ", kMinRetentionHours,
        " hours. Maximum allowed retention period is ", kMaxRetentionHours,
        " hours. Requested retention period (", request.retention_period_hours,
        " hours) is out of range."));
  }
  return absl::OkStatus();
}

absl::Status Validate(const UpdateStreamLimitsRequest& request) {
  // Brook's own operation: the stream reference as DescribeStreamSummary's.
  BROOK_RETURN_IF_ERROR(StreamOnly("DescribeStreamSummary", request.stream));
  return request.limits.Validate();
}

absl::Status Validate(const UpdateMaxRecordSizeRequest& request) {
  RequestCheck check("UpdateMaxRecordSize");
  check.Number("MaxRecordSizeInKiB", request.max_record_size_kib);
  return StreamRequest(check, request.stream);
}

absl::Status Validate(const UpdateStreamModeRequest& request) {
  // Kinesis names the stream by its ARN only; Brook takes its name too.
  return StreamOnly("UpdateStreamMode", request.stream);
}

absl::Status Validate(const EnhancedMonitoringRequest& request, bool enable) {
  RequestCheck check(enable ? "EnableEnhancedMonitoring"
                            : "DisableEnhancedMonitoring");
  check.Stream(request.stream);
  const schema::Location metrics =
      schema::MemberOf(check.input(), "ShardLevelMetrics");
  auto text = [&] { return ListText(request.shard_level_metrics); };
  check.violations().CheckCount(metrics, request.shard_level_metrics.size(),
                                text);
  for (size_t i = 0; i < request.shard_level_metrics.size(); ++i) {
    check.violations().CheckElement(schema::EntryOf(metrics, i),
                                    request.shard_level_metrics[i], text);
  }
  return FinishStreamRequest(check, request.stream);
}

absl::Status Validate(const StreamEncryptionRequest& request, bool start) {
  RequestCheck check(start ? "StartStreamEncryption" : "StopStreamEncryption");
  check.Stream(request.stream);
  check.String("EncryptionType",
               EncryptionTypeToString(request.encryption_type));
  check.String("KeyId", request.key_id);
  BROOK_RETURN_IF_ERROR(FinishStreamRequest(check, request.stream));
  if (request.encryption_type != EncryptionType::kKms) {
    return InvalidArgument(
        "KMS is the only EncryptionType a stream can be encrypted with");
  }
  return absl::OkStatus();
}

absl::Status ValidateResourceArn(absl::string_view resource_arn,
                                 absl::string_view operation) {
  RequestCheck check(operation);
  check.String("ResourceARN", resource_arn);
  return check.Finish();
}

absl::Status Validate(const PutResourcePolicyRequest& request) {
  BROOK_RETURN_IF_ERROR(
      ValidateResourceArn(request.resource_arn, "PutResourcePolicy"));
  // Kinesis' rule: a policy document is a JSON object with statements.
  boost::system::error_code error;
  const boost::json::value policy = boost::json::parse(
      boost::json::string_view(request.policy.data(), request.policy.size()),
      error);
  if (error || !policy.is_object() ||
      !policy.get_object().contains("Statement")) {
    return InvalidArgument(
        "Policy is not a valid policy document: a JSON object with a "
        "Statement is required");
  }
  return absl::OkStatus();
}

absl::Status Validate(const GetShardMetricsRequest& request) {
  return StreamOnly("DescribeStreamSummary", request.stream);
}

absl::Status Validate(const AddTagsToStreamRequest& request) {
  RequestCheck check("AddTagsToStream");
  check.Stream(request.stream);
  CheckTags(check, request.tags);
  BROOK_RETURN_IF_ERROR(FinishStreamRequest(check, request.stream));
  return ValidateTags(request.tags);
}

absl::Status Validate(const RemoveTagsFromStreamRequest& request) {
  RequestCheck check("RemoveTagsFromStream");
  check.Stream(request.stream);
  CheckTagKeys(check, request.tag_keys);
  BROOK_RETURN_IF_ERROR(FinishStreamRequest(check, request.stream));
  return ValidateTagKeys(request.tag_keys);
}

absl::Status Validate(const TagResourceRequest& request) {
  RequestCheck check("TagResource");
  check.String("ResourceARN", request.resource_arn);
  CheckTags(check, request.tags);
  BROOK_RETURN_IF_ERROR(check.Finish());
  return ValidateTags(request.tags);
}

absl::Status Validate(const UntagResourceRequest& request) {
  RequestCheck check("UntagResource");
  check.String("ResourceARN", request.resource_arn);
  CheckTagKeys(check, request.tag_keys);
  BROOK_RETURN_IF_ERROR(check.Finish());
  return ValidateTagKeys(request.tag_keys);
}

absl::Status Validate(const ListTagsForStreamRequest& request) {
  RequestCheck check("ListTagsForStream");
  check.OptionalString("ExclusiveStartTagKey", request.exclusive_start_tag_key)
      .Number("Limit", request.limit);
  return StreamRequest(check, request.stream);
}

absl::Status Validate(const SplitShardRequest& request) {
  RequestCheck check("SplitShard");
  check.String("ShardToSplit", request.shard_to_split)
      .String("NewStartingHashKey", request.new_starting_hash_key);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  return ParseHashKey("NewStartingHashKey", request.new_starting_hash_key)
      .status();
}

absl::Status Validate(const MergeShardsRequest& request) {
  RequestCheck check("MergeShards");
  check.String("ShardToMerge", request.shard_to_merge)
      .String("AdjacentShardToMerge", request.adjacent_shard_to_merge);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  // Kinesis' rule, which needs no stream: two shards, in any of the forms
  // a shard id is read in.
  if (CanonicalShardId(request.shard_to_merge) ==
      CanonicalShardId(request.adjacent_shard_to_merge)) {
    return InvalidArgument(
        absl::StrCat("ShardToMerge and AdjacentShardToMerge both name ",
                     CanonicalShardId(request.shard_to_merge),
                     "; a shard cannot be merged with itself"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const UpdateShardCountRequest& request) {
  RequestCheck check("UpdateShardCount");
  check.Number("TargetShardCount", request.target_shard_count);
  return StreamRequest(check, request.stream);
}

absl::Status Validate(const PutRecordRequest& request) {
  RequestCheck check("PutRecord");
  check.String("PartitionKey", request.partition_key)
      .OptionalString("ExplicitHashKey", request.explicit_hash_key);
  check.violations().CheckBlob(schema::MemberOf(check.input(), "Data"),
                               request.data.size());
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  BROOK_RETURN_IF_ERROR(ValidatePartitionKeyText(request.partition_key));
  return ParseExplicitHashKey(request.explicit_hash_key).status();
}

absl::Status Validate(const PutRecordsRequestView& request) {
  RequestCheck check("PutRecords");
  check.Stream(request.stream);
  const schema::Location records = schema::MemberOf(check.input(), "Records");
  check.violations().CheckCount(records, request.records.size(), [&] {
    return absl::StrCat(request.records.size(), " records");
  });
  for (size_t i = 0; i < request.records.size(); ++i) {
    const PutRecordsEntryView& entry = request.records[i];
    const schema::Location at = schema::EntryOf(records, i);
    check.violations().CheckString(schema::MemberOf(at, "PartitionKey"),
                                   entry.partition_key);
    check.violations().CheckBlob(schema::MemberOf(at, "Data"),
                                 entry.data.size());
    if (!entry.explicit_hash_key.empty()) {
      check.violations().CheckString(schema::MemberOf(at, "ExplicitHashKey"),
                                     entry.explicit_hash_key);
    }
  }
  BROOK_RETURN_IF_ERROR(FinishStreamRequest(check, request.stream));
  size_t total_bytes = 0;
  for (const PutRecordsEntryView& entry : request.records) {
    BROOK_RETURN_IF_ERROR(ValidatePartitionKeyText(entry.partition_key));
    BROOK_RETURN_IF_ERROR(
        ParseExplicitHashKey(entry.explicit_hash_key).status());
    total_bytes += entry.partition_key.size() + entry.data.size();
  }
  if (total_bytes > kMaxPutRecordsBytes) {
    return InvalidArgument(absl::StrCat(
        "Records total ", total_bytes, " bytes (data plus partition keys); ",
        "a PutRecords request may carry at most ", kMaxPutRecordsBytes));
  }
  return absl::OkStatus();
}

absl::Status Validate(const GetShardIteratorRequest& request, absl::Time now) {
  RequestCheck check("GetShardIterator");
  check.String("ShardId", request.shard_id);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  return ValidatePosition(request.shard_iterator_type,
                          request.starting_sequence_number, request.timestamp,
                          now);
}

absl::Status Validate(const GetRecordsRequest& request) {
  RequestCheck check("GetRecords");
  check.String("ShardIterator", request.shard_iterator)
      .Number("Limit", request.limit);
  return check.Finish();
}

absl::Status Validate(const RegisterStreamConsumerRequest& request) {
  RequestCheck check("RegisterStreamConsumer");
  check.String("ConsumerName", request.consumer_name);
  if (!request.tags.empty()) CheckTags(check, request.tags);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  return ValidateTags(request.tags);
}

absl::Status Validate(const ConsumerRef& ref, absl::string_view operation) {
  RequestCheck check(operation);
  check.Stream(ref.stream)
      .OptionalString("ConsumerName", ref.consumer_name)
      .OptionalString("ConsumerARN", ref.consumer_arn);
  BROOK_RETURN_IF_ERROR(check.Finish());
  if (ref.consumer_arn.empty() &&
      (ref.stream.empty() || ref.consumer_name.empty())) {
    return InvalidArgument(
        "Either ConsumerARN or both StreamARN and ConsumerName must be "
        "provided");
  }
  return absl::OkStatus();
}

absl::Status Validate(const ListStreamConsumersRequest& request) {
  RequestCheck check("ListStreamConsumers");
  check.OptionalString("NextToken", request.next_token)
      .Number("MaxResults", request.max_results);
  return StreamRequest(check, request.stream);
}

absl::Status Validate(const SubscribeToShardRequest& request, absl::Time now) {
  RequestCheck check("SubscribeToShard");
  check.String("ConsumerARN", request.consumer_arn)
      .String("ShardId", request.shard_id);
  BROOK_RETURN_IF_ERROR(check.Finish());
  const StartingPosition& position = request.starting_position;
  return ValidatePosition(position.type, position.sequence_number,
                          position.timestamp, now);
}

absl::Status Validate(const PutCheckpointRequest& request) {
  // Brook's own operation, with the model's stream and shard rules.
  RequestCheck check("GetShardIterator");
  check.String("ShardId", request.shard_id);
  BROOK_RETURN_IF_ERROR(StreamRequest(check, request.stream));
  BROOK_RETURN_IF_ERROR(
      ValidateName("applicationName", request.application_name));
  if (request.sub_sequence_number < 0) {
    return InvalidArgument(
        absl::StrCat("sub-sequence number must not be negative, got ",
                     request.sub_sequence_number));
  }
  BROOK_RETURN_IF_ERROR(ValidateRemoteEndpoint(request.remote_endpoint));
  // A local stream's checkpoint is checked against its shard instead.
  if (!request.remote_endpoint.empty() && !request.shard_end &&
      request.sequence_number == SequenceNumber()) {
    return InvalidArgument(
        "a checkpoint names a record: sequence number 0 is no record's");
  }
  return absl::OkStatus();
}

absl::Status Validate(const GetCheckpointsRequest& request) {
  BROOK_RETURN_IF_ERROR(StreamOnly("DescribeStreamSummary", request.stream));
  BROOK_RETURN_IF_ERROR(
      ValidateName("applicationName", request.application_name));
  return ValidateRemoteEndpoint(request.remote_endpoint);
}

absl::Status ValidatePartitionKeyText(absl::string_view partition_key) {
  if (schema::CountUtf8Characters(partition_key) < 0) {
    return InvalidArgument("PartitionKey is not valid UTF-8");
  }
  return absl::OkStatus();
}

absl::Status ValidateRecordSize(absl::string_view partition_key,
                                absl::string_view data,
                                int max_record_size_kib) {
  const size_t size = partition_key.size() + data.size();
  const size_t max = static_cast<size_t>(max_record_size_kib) * 1024;
  if (size > max) {
    return InvalidArgument(absl::StrCat(
        "Record of ", size, " bytes (data plus partition key) exceeds the ",
        "stream's maximum record size of ", max, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::uint128> ParseHashKey(absl::string_view field,
                                           absl::string_view hash_key) {
  absl::optional<absl::uint128> value = ParseDecimalUint128(hash_key);
  if (!value.has_value()) {
    return InvalidArgument(
        absl::StrCat(field, " '", hash_key.substr(0, 64),
                     "' must be a decimal number in the range [0, 2^128-1]"));
  }
  return *value;
}

absl::StatusOr<absl::optional<absl::uint128>> ParseExplicitHashKey(
    absl::string_view explicit_hash_key) {
  if (explicit_hash_key.empty()) return absl::nullopt;
  return ParseHashKey("ExplicitHashKey", explicit_hash_key);
}

}  // namespace brook
