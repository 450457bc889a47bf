#include "remote/kinesis_json.h"

#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "common/base64.h"
#include "common/brook_target.h"
#include "common/epoch_seconds.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"

namespace brook {
namespace kinesis_json {
namespace {

namespace json = boost::json;

absl::Status Malformed(absl::string_view what) {
  return InternalFailure(
      absl::StrCat("the endpoint's response is malformed: ", what));
}

// A response object's members, read leniently: an absent, null or
// mistyped member reads as empty.
class Reader {
 public:
  explicit Reader(const json::object* object) : object_(object) {}

  const json::value* Find(absl::string_view name) const {
    if (object_ == nullptr) return nullptr;
    const json::value* value =
        object_->if_contains(json::string_view(name.data(), name.size()));
    return value == nullptr || value->is_null() ? nullptr : value;
  }
  bool Has(absl::string_view name) const { return Find(name) != nullptr; }

  std::string String(absl::string_view name) const {
    const json::value* value = Find(name);
    return value != nullptr && value->is_string()
               ? std::string(value->get_string())
               : std::string();
  }

  int64_t Int(absl::string_view name) const {
    const json::value* value = Find(name);
    if (value == nullptr || !value->is_number()) return 0;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64()) return static_cast<int64_t>(value->get_uint64());
    return static_cast<int64_t>(value->get_double());
  }

  bool Bool(absl::string_view name) const {
    const json::value* value = Find(name);
    return value != nullptr && value->is_bool() && value->get_bool();
  }

  // Epoch seconds, possibly fractional, as a number or a numeric string;
  // the epoch if absent or out of TimeOfEpochSeconds()'s range.
  absl::Time Time(absl::string_view name) const {
    const json::value* value = Find(name);
    double seconds = 0;
    if (value == nullptr) return absl::UnixEpoch();
    if (value->is_number()) {
      seconds = value->to_number<double>();
    } else if (!value->is_string() ||
               !absl::SimpleAtod(std::string(value->get_string()), &seconds)) {
      return absl::UnixEpoch();
    }
    return TimeOfEpochSeconds(seconds).value_or(absl::UnixEpoch());
  }

  Reader Object(absl::string_view name) const {
    const json::value* value = Find(name);
    return Reader(value != nullptr && value->is_object() ? &value->get_object()
                                                         : nullptr);
  }

  // The member's elements that are objects.
  std::vector<Reader> Objects(absl::string_view name) const {
    std::vector<Reader> out;
    const json::value* value = Find(name);
    if (value == nullptr || !value->is_array()) return out;
    for (const json::value& element : value->get_array()) {
      if (element.is_object()) out.emplace_back(&element.get_object());
    }
    return out;
  }

  std::vector<std::string> Strings(absl::string_view name) const {
    std::vector<std::string> out;
    const json::value* value = Find(name);
    if (value == nullptr || !value->is_array()) return out;
    for (const json::value& element : value->get_array()) {
      if (element.is_string()) out.emplace_back(element.get_string());
    }
    return out;
  }

  absl::StatusOr<SequenceNumber> Sequence(absl::string_view name) const {
    absl::StatusOr<SequenceNumber> number = SequenceNumber::Parse(String(name));
    if (!number.ok()) {
      return Malformed(absl::StrCat(name, ": ", number.status().message()));
    }
    return number;
  }

  absl::StatusOr<std::string> Blob(absl::string_view name) const {
    absl::StatusOr<std::string> bytes = DecodeBase64(String(name));
    if (!bytes.ok()) return Malformed(absl::StrCat(name, " is not base64"));
    return bytes;
  }

  absl::StatusOr<absl::uint128> HashKey(absl::string_view name) const {
    absl::optional<absl::uint128> key = ParseDecimalUint128(String(name));
    if (!key.has_value()) {
      return Malformed(absl::StrCat(name, " is not a 128-bit decimal"));
    }
    return *key;
  }

 private:
  const json::object* object_;
};

// The body as an object; an empty body is an empty object (the form of an
// operation without output).
class Parsed {
 public:
  static absl::StatusOr<Parsed> Of(absl::string_view body) {
    Parsed parsed;
    if (absl::StripAsciiWhitespace(body).empty()) return parsed;
    boost::system::error_code error;
    parsed.value_ =
        json::parse(json::string_view(body.data(), body.size()), error);
    if (error || !parsed.value_.is_object()) {
      return Malformed("not a JSON object");
    }
    return parsed;
  }
  Reader reader() const {
    return Reader(value_.is_object() ? &value_.get_object() : nullptr);
  }

 private:
  json::value value_ = json::object();
};

std::string Serialize(const json::object& object) {
  return json::serialize(object);
}

// Names the stream by ARN or by name, as the request's member allows.
void PutStream(json::object& out, absl::string_view stream) {
  if (absl::StartsWith(stream, "arn:")) {
    out["StreamARN"] = std::string(stream);
  } else {
    out["StreamName"] = std::string(stream);
  }
}

json::object StreamModeJson(StreamMode mode) {
  return {{"StreamMode", std::string(StreamModeToString(mode))}};
}

// A missing or unknown StreamModeDetails is PROVISIONED, as streams were
// before Kinesis had modes.
StreamMode StreamModeOf(const Reader& r) {
  return r.Object("StreamModeDetails").String("StreamMode") == "ON_DEMAND"
             ? StreamMode::kOnDemand
             : StreamMode::kProvisioned;
}

json::value EpochSeconds(absl::Time time) {
  return static_cast<double>(absl::ToUnixMillis(time)) / 1000.0;
}

absl::StatusOr<StreamStatus> StreamStatusOf(const std::string& text) {
  for (StreamStatus status : {StreamStatus::kCreating, StreamStatus::kDeleting,
                              StreamStatus::kActive, StreamStatus::kUpdating}) {
    if (StreamStatusToString(status) == text) return status;
  }
  return Malformed(absl::StrCat("unknown StreamStatus '", text, "'"));
}

absl::StatusOr<HashKeyRange> HashKeyRangeOf(const Reader& r) {
  HashKeyRange range;
  BROOK_ASSIGN_OR_RETURN(range.starting_hash_key, r.HashKey("StartingHashKey"));
  BROOK_ASSIGN_OR_RETURN(range.ending_hash_key, r.HashKey("EndingHashKey"));
  return range;
}

absl::StatusOr<Shard> ShardOf(const Reader& r) {
  Shard shard;
  shard.shard_id = r.String("ShardId");
  shard.parent_shard_id = r.String("ParentShardId");
  shard.adjacent_parent_shard_id = r.String("AdjacentParentShardId");
  BROOK_ASSIGN_OR_RETURN(shard.hash_key_range,
                         HashKeyRangeOf(r.Object("HashKeyRange")));
  const Reader numbers = r.Object("SequenceNumberRange");
  BROOK_ASSIGN_OR_RETURN(shard.sequence_number_range.starting_sequence_number,
                         numbers.Sequence("StartingSequenceNumber"));
  if (numbers.Has("EndingSequenceNumber")) {
    BROOK_ASSIGN_OR_RETURN(shard.sequence_number_range.ending_sequence_number,
                           numbers.Sequence("EndingSequenceNumber"));
  }
  return shard;
}

absl::StatusOr<std::vector<Shard>> ShardsOf(const Reader& r) {
  std::vector<Shard> shards;
  for (const Reader& shard : r.Objects("Shards")) {
    BROOK_ASSIGN_OR_RETURN(Shard s, ShardOf(shard));
    shards.push_back(std::move(s));
  }
  return shards;
}

absl::StatusOr<std::vector<ChildShard>> ChildShardsOf(const Reader& r) {
  std::vector<ChildShard> children;
  for (const Reader& child : r.Objects("ChildShards")) {
    ChildShard c;
    c.shard_id = child.String("ShardId");
    c.parent_shards = child.Strings("ParentShards");
    BROOK_ASSIGN_OR_RETURN(c.hash_key_range,
                           HashKeyRangeOf(child.Object("HashKeyRange")));
    children.push_back(std::move(c));
  }
  return children;
}

// "KMS" or anything else (absent: "NONE").
EncryptionType EncryptionTypeOf(const Reader& r) {
  return r.String("EncryptionType") == "KMS" ? EncryptionType::kKms
                                             : EncryptionType::kNone;
}

absl::StatusOr<Record> RecordOf(const Reader& r) {
  Record record;
  record.encryption_type = EncryptionTypeOf(r);
  BROOK_ASSIGN_OR_RETURN(record.sequence_number, r.Sequence("SequenceNumber"));
  record.approximate_arrival_timestamp = r.Time("ApproximateArrivalTimestamp");
  BROOK_ASSIGN_OR_RETURN(record.data, r.Blob("Data"));
  record.partition_key = r.String("PartitionKey");
  return record;
}

absl::StatusOr<std::vector<Record>> RecordsOf(const Reader& r) {
  std::vector<Record> records;
  for (const Reader& record : r.Objects("Records")) {
    BROOK_ASSIGN_OR_RETURN(Record decoded, RecordOf(record));
    records.push_back(std::move(decoded));
  }
  return records;
}

absl::StatusOr<Consumer> ConsumerOf(const Reader& r) {
  Consumer consumer;
  consumer.consumer_name = r.String("ConsumerName");
  consumer.consumer_arn = r.String("ConsumerARN");
  const std::string status = r.String("ConsumerStatus");
  consumer.consumer_status = ConsumerStatus::kActive;
  for (ConsumerStatus s : {ConsumerStatus::kCreating, ConsumerStatus::kDeleting,
                           ConsumerStatus::kActive}) {
    if (ConsumerStatusToString(s) == status) consumer.consumer_status = s;
  }
  consumer.consumer_creation_timestamp = r.Time("ConsumerCreationTimestamp");
  consumer.stream_arn = r.String("StreamARN");
  if (consumer.consumer_arn.empty()) return Malformed("no ConsumerARN");
  return consumer;
}

StreamLimits LimitsOf(const Reader& r) {
  StreamLimits limits;
  for (const auto& [name, member] : kStreamLimitMembers) {
    limits.*member = r.Int(name);
  }
  return limits;
}

// `type` without a "namespace#" prefix or a ":detail" suffix.
std::string BareType(absl::string_view type) {
  const size_t hash = type.rfind('#');
  if (hash != absl::string_view::npos) type.remove_prefix(hash + 1);
  const size_t colon = type.find(':');
  if (colon != absl::string_view::npos) type = type.substr(0, colon);
  return std::string(absl::StripAsciiWhitespace(type));
}

}  // namespace

std::string ErrorTypeOf(absl::string_view error_type_header,
                        absl::string_view body) {
  absl::StatusOr<Parsed> parsed = Parsed::Of(body);
  std::string type = parsed.ok() ? parsed->reader().String("__type") : "";
  if (type.empty()) type = std::string(error_type_header);
  return BareType(type);
}

absl::Status DecodeError(int http_status, absl::string_view error_type_header,
                         absl::string_view body) {
  const std::string type = ErrorTypeOf(error_type_header, body);
  absl::StatusOr<Parsed> parsed = Parsed::Of(body);
  std::string message;
  if (parsed.ok()) {
    message = parsed->reader().String("message");
    if (message.empty()) message = parsed->reader().String("Message");
  }
  if (std::optional<ErrorName> name = ErrorNameFromString(type)) {
    return MakeError(*name, message);
  }
  return InternalFailure(absl::StrCat(type.empty() ? "HTTP error" : type,
                                      " (HTTP ", http_status, ")",
                                      message.empty() ? "" : ": ", message));
}

std::string EncodeCreateStream(const CreateStreamRequest& request,
                               bool with_limits) {
  json::object out{{"StreamName", request.stream_name}};
  // Kinesis takes no ShardCount with ON_DEMAND.
  if (request.stream_mode == StreamMode::kOnDemand) {
    out["StreamModeDetails"] = StreamModeJson(request.stream_mode);
  } else {
    out["ShardCount"] = request.shard_count;
  }
  if (request.options.max_record_size_kib !=
      StreamOptions().max_record_size_kib) {
    out["MaxRecordSizeInKiB"] = request.options.max_record_size_kib;
  }
  if (with_limits)
    out["StreamLimits"] = StreamLimitsJson(request.options.limits);
  return Serialize(out);
}

std::string EncodeDeleteStream(const DeleteStreamRequest& request) {
  json::object out;
  PutStream(out, request.stream);
  if (request.enforce_consumer_deletion) out["EnforceConsumerDeletion"] = true;
  return Serialize(out);
}

std::string EncodeDescribeStream(const DescribeStreamRequest& request) {
  json::object out{{"Limit", request.limit}};
  PutStream(out, request.stream);
  if (!request.exclusive_start_shard_id.empty()) {
    out["ExclusiveStartShardId"] = request.exclusive_start_shard_id;
  }
  return Serialize(out);
}

std::string EncodeStreamOnly(absl::string_view stream) {
  json::object out;
  PutStream(out, stream);
  return Serialize(out);
}

std::string EncodeListStreams(const ListStreamsRequest& request) {
  json::object out;
  if (!request.next_token.empty()) {
    out["NextToken"] = request.next_token;
  } else {
    out["Limit"] = request.limit;
  }
  if (!request.exclusive_start_stream_name.empty()) {
    out["ExclusiveStartStreamName"] = request.exclusive_start_stream_name;
  }
  return Serialize(out);
}

std::string EncodeListShards(const ListShardsRequest& request) {
  json::object out{{"MaxResults", request.max_results}};
  if (!request.next_token.empty()) {
    out["NextToken"] = request.next_token;
    return Serialize(out);
  }
  PutStream(out, request.stream);
  if (request.stream_creation_timestamp.has_value()) {
    out["StreamCreationTimestamp"] =
        EpochSeconds(*request.stream_creation_timestamp);
  }
  if (!request.exclusive_start_shard_id.empty()) {
    out["ExclusiveStartShardId"] = request.exclusive_start_shard_id;
  }
  if (request.shard_filter.has_value()) {
    const ShardFilter& filter = *request.shard_filter;
    json::object f{{"Type", std::string(ShardFilterTypeToString(filter.type))}};
    if (!filter.shard_id.empty()) f["ShardId"] = filter.shard_id;
    if (filter.timestamp.has_value())
      f["Timestamp"] = EpochSeconds(*filter.timestamp);
    out["ShardFilter"] = std::move(f);
  }
  return Serialize(out);
}

namespace {

json::object TagMap(const std::vector<Tag>& tags) {
  json::object map;
  for (const Tag& tag : tags) map[tag.key] = tag.value;
  return map;
}

json::array TagKeys(const std::vector<std::string>& tag_keys) {
  json::array keys;
  for (const std::string& key : tag_keys) keys.emplace_back(key);
  return keys;
}

}  // namespace

std::string EncodeAddTags(const AddTagsToStreamRequest& request) {
  json::object out{{"Tags", TagMap(request.tags)}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeRemoveTags(const RemoveTagsFromStreamRequest& request) {
  json::object out{{"TagKeys", TagKeys(request.tag_keys)}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeTagResource(const TagResourceRequest& request) {
  return Serialize(json::object{{"ResourceARN", request.resource_arn},
                                {"Tags", TagMap(request.tags)}});
}

std::string EncodeUntagResource(const UntagResourceRequest& request) {
  return Serialize(json::object{{"ResourceARN", request.resource_arn},
                                {"TagKeys", TagKeys(request.tag_keys)}});
}

std::string EncodeListTags(const ListTagsForStreamRequest& request) {
  json::object out{{"Limit", request.limit}};
  PutStream(out, request.stream);
  if (!request.exclusive_start_tag_key.empty()) {
    out["ExclusiveStartTagKey"] = request.exclusive_start_tag_key;
  }
  return Serialize(out);
}

std::string EncodeSplitShard(const SplitShardRequest& request) {
  json::object out{{"ShardToSplit", request.shard_to_split},
                   {"NewStartingHashKey", request.new_starting_hash_key}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeMergeShards(const MergeShardsRequest& request) {
  json::object out{{"ShardToMerge", request.shard_to_merge},
                   {"AdjacentShardToMerge", request.adjacent_shard_to_merge}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeUpdateShardCount(const UpdateShardCountRequest& request) {
  json::object out{{"TargetShardCount", request.target_shard_count},
                   {"ScalingType", "UNIFORM_SCALING"}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeRetention(const UpdateStreamRetentionRequest& request) {
  json::object out{{"RetentionPeriodHours", request.retention_period_hours}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeUpdateMaxRecordSize(
    const UpdateMaxRecordSizeRequest& request) {
  json::object out{{"MaxRecordSizeInKiB", request.max_record_size_kib}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeUpdateStreamMode(const UpdateStreamModeRequest& request) {
  return Serialize(
      json::object{{"StreamARN", request.stream},
                   {"StreamModeDetails", StreamModeJson(request.stream_mode)}});
}

std::string EncodeStreamEncryption(const StreamEncryptionRequest& request) {
  json::object out{
      {"EncryptionType",
       std::string(EncryptionTypeToString(request.encryption_type))},
      {"KeyId", request.key_id}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodeEnhancedMonitoring(const EnhancedMonitoringRequest& request) {
  json::array metrics;
  for (const std::string& metric : request.shard_level_metrics) {
    metrics.emplace_back(metric);
  }
  json::object out{{"ShardLevelMetrics", std::move(metrics)}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodePutResourcePolicy(const PutResourcePolicyRequest& request) {
  return Serialize(json::object{{"ResourceARN", request.resource_arn},
                                {"Policy", request.policy}});
}

std::string EncodeResourceArn(absl::string_view resource_arn) {
  return Serialize(
      json::object{{"ResourceARN", json::string_view(resource_arn.data(),
                                                     resource_arn.size())}});
}

std::string EncodeUpdateStreamLimits(const UpdateStreamLimitsRequest& request) {
  json::object out{{"StreamLimits", StreamLimitsJson(request.limits)}};
  PutStream(out, request.stream);
  return Serialize(out);
}

std::string EncodePutRecord(const PutRecordRequest& request) {
  json::object out{{"Data", EncodeBase64(request.data)},
                   {"PartitionKey", request.partition_key}};
  PutStream(out, request.stream);
  if (!request.explicit_hash_key.empty()) {
    out["ExplicitHashKey"] = request.explicit_hash_key;
  }
  if (request.sequence_number_for_ordering.has_value()) {
    out["SequenceNumberForOrdering"] =
        request.sequence_number_for_ordering->ToString();
  }
  return Serialize(out);
}

// PutRecords carries up to 10 MiB of data: it is written straight into one
// buffer (base64 needs no JSON escaping) instead of through a JSON tree.
std::string EncodePutRecords(const PutRecordsRequest& request) {
  size_t size = 64 + request.stream.size();
  for (const PutRecordsRequestEntry& entry : request.records) {
    size += 64 + 4 * ((entry.data.size() + 2) / 3) +
            entry.partition_key.size() + entry.explicit_hash_key.size();
  }
  std::string out;
  out.reserve(size);
  out += R"({"Records":[)";
  for (size_t i = 0; i < request.records.size(); ++i) {
    const PutRecordsRequestEntry& entry = request.records[i];
    out += i == 0 ? R"({"Data":")" : R"(,{"Data":")";
    AppendBase64(entry.data, &out);
    out += R"(","PartitionKey":)";
    out += json::serialize(json::string_view(entry.partition_key.data(),
                                             entry.partition_key.size()));
    if (!entry.explicit_hash_key.empty()) {
      out += R"(,"ExplicitHashKey":)";
      out += json::serialize(json::string_view(entry.explicit_hash_key.data(),
                                               entry.explicit_hash_key.size()));
    }
    out += '}';
  }
  out += "],";
  out += absl::StartsWith(request.stream, "arn:") ? R"("StreamARN":)"
                                                  : R"("StreamName":)";
  out += json::serialize(
      json::string_view(request.stream.data(), request.stream.size()));
  out += '}';
  return out;
}

std::string EncodeGetShardIterator(const GetShardIteratorRequest& request) {
  json::object out{
      {"ShardId", request.shard_id},
      {"ShardIteratorType",
       std::string(ShardIteratorTypeToString(request.shard_iterator_type))}};
  PutStream(out, request.stream);
  if (request.starting_sequence_number.has_value()) {
    out["StartingSequenceNumber"] =
        request.starting_sequence_number->ToString();
  }
  if (request.timestamp.has_value()) {
    out["Timestamp"] = EpochSeconds(*request.timestamp);
  }
  return Serialize(out);
}

std::string EncodeGetRecords(const GetRecordsRequest& request) {
  return Serialize(json::object{{"ShardIterator", request.shard_iterator},
                                {"Limit", request.limit}});
}

std::string EncodeRegisterConsumer(const RegisterStreamConsumerRequest& request,
                                   absl::string_view stream_arn) {
  json::object out{{"StreamARN", std::string(stream_arn)},
                   {"ConsumerName", request.consumer_name}};
  if (!request.tags.empty()) out["Tags"] = TagMap(request.tags);
  return Serialize(out);
}

std::string EncodeConsumerRef(const ConsumerRef& ref,
                              absl::string_view stream_arn) {
  json::object out;
  if (!ref.consumer_arn.empty()) out["ConsumerARN"] = ref.consumer_arn;
  if (!stream_arn.empty()) out["StreamARN"] = std::string(stream_arn);
  if (!ref.consumer_name.empty()) out["ConsumerName"] = ref.consumer_name;
  return Serialize(out);
}

std::string EncodeListConsumers(const ListStreamConsumersRequest& request,
                                absl::string_view stream_arn) {
  json::object out{{"StreamARN", std::string(stream_arn)},
                   {"MaxResults", request.max_results}};
  if (!request.next_token.empty()) out["NextToken"] = request.next_token;
  if (request.stream_creation_timestamp.has_value()) {
    out["StreamCreationTimestamp"] =
        EpochSeconds(*request.stream_creation_timestamp);
  }
  return Serialize(out);
}

std::string EncodeSubscribeToShard(const SubscribeToShardRequest& request) {
  const StartingPosition& start = request.starting_position;
  json::object position{
      {"Type", std::string(ShardIteratorTypeToString(start.type))}};
  if (start.sequence_number.has_value()) {
    position["SequenceNumber"] = start.sequence_number->ToString();
  }
  if (start.timestamp.has_value()) {
    position["Timestamp"] = EpochSeconds(*start.timestamp);
  }
  return Serialize(json::object{{"ConsumerARN", request.consumer_arn},
                                {"ShardId", request.shard_id},
                                {"StartingPosition", std::move(position)}});
}

std::string EncodePutCheckpoint(const PutCheckpointRequest& request) {
  json::object out{{"ApplicationName", request.application_name},
                   {"ShardId", request.shard_id},
                   {"SubSequenceNumber", request.sub_sequence_number},
                   {"ShardEnd", request.shard_end}};
  PutStream(out, request.stream);
  if (!request.remote_endpoint.empty()) {
    out["RemoteEndpoint"] = request.remote_endpoint;
  }
  if (!request.shard_end) {
    out["SequenceNumber"] = request.sequence_number.ToString();
  }
  return Serialize(out);
}

std::string EncodeGetCheckpoints(const GetCheckpointsRequest& request) {
  json::object out{{"ApplicationName", request.application_name}};
  PutStream(out, request.stream);
  if (!request.remote_endpoint.empty()) {
    out["RemoteEndpoint"] = request.remote_endpoint;
  }
  return Serialize(out);
}

// The members StreamDescription and StreamDescriptionSummary share.
template <typename Description>
absl::Status ReadStreamFields(const Reader& r, Description& d) {
  d.stream_name = r.String("StreamName");
  d.stream_arn = r.String("StreamARN");
  BROOK_ASSIGN_OR_RETURN(d.stream_status,
                         StreamStatusOf(r.String("StreamStatus")));
  d.stream_creation_timestamp = r.Time("StreamCreationTimestamp");
  d.stream_mode = StreamModeOf(r);
  d.retention_period_hours = static_cast<int>(r.Int("RetentionPeriodHours"));
  if (r.Has("MaxRecordSizeInKiB")) {
    d.max_record_size_kib = static_cast<int>(r.Int("MaxRecordSizeInKiB"));
  }
  d.encryption_type = EncryptionTypeOf(r);
  d.key_id = r.String("KeyId");
  return absl::OkStatus();
}

absl::StatusOr<StreamDescription> DecodeDescribeStream(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader().Object("StreamDescription");
  StreamDescription d;
  BROOK_RETURN_IF_ERROR(ReadStreamFields(r, d));
  BROOK_ASSIGN_OR_RETURN(d.shards, ShardsOf(r));
  d.has_more_shards = r.Bool("HasMoreShards");
  return d;
}

absl::StatusOr<StreamDescriptionSummary> DecodeDescribeStreamSummary(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader().Object("StreamDescriptionSummary");
  StreamDescriptionSummary s;
  BROOK_RETURN_IF_ERROR(ReadStreamFields(r, s));
  s.open_shard_count = static_cast<int>(r.Int("OpenShardCount"));
  s.consumer_count = static_cast<int>(r.Int("ConsumerCount"));
  for (const Reader& monitoring : r.Objects("EnhancedMonitoring")) {
    for (std::string& metric : monitoring.Strings("ShardLevelMetrics")) {
      s.shard_level_metrics.push_back(std::move(metric));
    }
  }
  if (r.Has("MaxRecordSizeInKiB")) {
    s.max_record_size_kib = static_cast<int>(r.Int("MaxRecordSizeInKiB"));
  }
  return s;
}

absl::StatusOr<StreamLimits> DecodeDescribeStreamLimits(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  return LimitsOf(parsed.reader().Object("StreamLimits"));
}

absl::StatusOr<DescribeLimitsResult> DecodeDescribeLimits(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  DescribeLimitsResult result;
  result.shard_limit = static_cast<int>(r.Int("ShardLimit"));
  result.open_shard_count = static_cast<int>(r.Int("OpenShardCount"));
  result.on_demand_stream_count =
      static_cast<int>(r.Int("OnDemandStreamCount"));
  result.on_demand_stream_count_limit =
      static_cast<int>(r.Int("OnDemandStreamCountLimit"));
  return result;
}

absl::StatusOr<EnhancedMonitoringResult> DecodeEnhancedMonitoring(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  EnhancedMonitoringResult result;
  result.stream_name = r.String("StreamName");
  result.stream_arn = r.String("StreamARN");
  result.current_shard_level_metrics = r.Strings("CurrentShardLevelMetrics");
  result.desired_shard_level_metrics = r.Strings("DesiredShardLevelMetrics");
  return result;
}

absl::StatusOr<std::string> DecodeResourcePolicy(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  return parsed.reader().String("Policy");
}

absl::StatusOr<ListStreamsResult> DecodeListStreams(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  ListStreamsResult result;
  result.stream_names = r.Strings("StreamNames");
  for (const Reader& s : r.Objects("StreamSummaries")) {
    StreamSummary summary;
    summary.stream_name = s.String("StreamName");
    summary.stream_arn = s.String("StreamARN");
    BROOK_ASSIGN_OR_RETURN(summary.stream_status,
                           StreamStatusOf(s.String("StreamStatus")));
    summary.stream_creation_timestamp = s.Time("StreamCreationTimestamp");
    summary.stream_mode = StreamModeOf(s);
    result.stream_summaries.push_back(std::move(summary));
  }
  result.has_more_streams = r.Bool("HasMoreStreams");
  result.next_token = r.String("NextToken");
  return result;
}

absl::StatusOr<ListShardsResult> DecodeListShards(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  ListShardsResult result;
  BROOK_ASSIGN_OR_RETURN(result.shards, ShardsOf(parsed.reader()));
  result.next_token = parsed.reader().String("NextToken");
  return result;
}

absl::StatusOr<ListTagsForStreamResult> DecodeListTags(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  ListTagsForStreamResult result;
  for (const Reader& tag : parsed.reader().Objects("Tags")) {
    result.tags.push_back(Tag{tag.String("Key"), tag.String("Value")});
  }
  result.has_more_tags = parsed.reader().Bool("HasMoreTags");
  return result;
}

absl::StatusOr<UpdateShardCountResult> DecodeUpdateShardCount(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  UpdateShardCountResult result;
  result.stream_name = r.String("StreamName");
  result.stream_arn = r.String("StreamARN");
  result.current_shard_count = static_cast<int>(r.Int("CurrentShardCount"));
  result.target_shard_count = static_cast<int>(r.Int("TargetShardCount"));
  return result;
}

absl::StatusOr<GetShardMetricsResult> DecodeShardMetrics(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  GetShardMetricsResult result;
  for (const Reader& s : parsed.reader().Objects("Shards")) {
    ShardMetrics m;
    m.shard_id = s.String("ShardId");
    m.incoming_bytes = s.Int("IncomingBytes");
    m.incoming_records = s.Int("IncomingRecords");
    m.outgoing_bytes = s.Int("OutgoingBytes");
    m.outgoing_records = s.Int("OutgoingRecords");
    m.write_provisioned_throughput_exceeded =
        s.Int("WriteProvisionedThroughputExceeded");
    m.read_provisioned_throughput_exceeded =
        s.Int("ReadProvisionedThroughputExceeded");
    m.iterator_age_milliseconds = s.Int("IteratorAgeMilliseconds");
    result.shards.push_back(std::move(m));
  }
  return result;
}

absl::StatusOr<BrokerMetrics> DecodeBrokerMetrics(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  BrokerMetrics m;
  m.queued_write_bytes = r.Int("QueuedWriteBytes");
  m.tail_cache_bytes = r.Int("TailCacheBytes");
  m.write_stalls_delayed = r.Int("WriteStallsDelayed");
  m.write_stalls_stopped = r.Int("WriteStallsStopped");
  m.write_stalled = r.Bool("WriteStalled");
  m.pending_compaction_bytes = r.Int("PendingCompactionBytes");
  m.open_subscriptions = r.Int("OpenSubscriptions");
  for (const Reader& s : r.Objects("Streams")) {
    m.streams.push_back(
        StreamStorageMetrics{s.String("StreamName"), s.Int("StoredBytes")});
  }
  for (const Reader& lag : r.Objects("ConsumerLag")) {
    m.consumer_lag.push_back(
        ConsumerShardLag{lag.String("StreamName"), lag.String("ConsumerName"),
                         lag.String("ShardId"), lag.Int("MillisBehindLatest")});
  }
  return m;
}

absl::StatusOr<PutRecordResult> DecodePutRecord(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  PutRecordResult result;
  result.shard_id = parsed.reader().String("ShardId");
  BROOK_ASSIGN_OR_RETURN(result.sequence_number,
                         parsed.reader().Sequence("SequenceNumber"));
  result.encryption_type = EncryptionTypeOf(parsed.reader());
  return result;
}

absl::StatusOr<PutRecordsResult> DecodePutRecords(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  PutRecordsResult result;
  result.encryption_type = EncryptionTypeOf(parsed.reader());
  for (const Reader& r : parsed.reader().Objects("Records")) {
    PutRecordsResultEntry entry;
    const std::string error = r.String("ErrorCode");
    if (!error.empty()) {
      entry.status = DecodeError(
          200, error,
          Serialize(json::object{{"message", r.String("ErrorMessage")}}));
      ++result.failed_record_count;
    } else {
      entry.shard_id = r.String("ShardId");
      BROOK_ASSIGN_OR_RETURN(entry.sequence_number,
                             r.Sequence("SequenceNumber"));
    }
    result.records.push_back(std::move(entry));
  }
  return result;
}

absl::StatusOr<GetShardIteratorResult> DecodeGetShardIterator(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  GetShardIteratorResult result;
  result.shard_iterator = parsed.reader().String("ShardIterator");
  if (result.shard_iterator.empty()) return Malformed("no ShardIterator");
  return result;
}

absl::StatusOr<GetRecordsResult> DecodeGetRecords(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  GetRecordsResult result;
  BROOK_ASSIGN_OR_RETURN(result.records, RecordsOf(r));
  result.next_shard_iterator = r.String("NextShardIterator");
  result.millis_behind_latest = r.Int("MillisBehindLatest");
  BROOK_ASSIGN_OR_RETURN(result.child_shards, ChildShardsOf(r));
  return result;
}

absl::StatusOr<Consumer> DecodeConsumer(absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  const Reader r = parsed.reader();
  return ConsumerOf(r.Has("Consumer") ? r.Object("Consumer")
                                      : r.Object("ConsumerDescription"));
}

absl::StatusOr<ListStreamConsumersResult> DecodeListConsumers(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  ListStreamConsumersResult result;
  for (const Reader& c : parsed.reader().Objects("Consumers")) {
    BROOK_ASSIGN_OR_RETURN(Consumer consumer, ConsumerOf(c));
    result.consumers.push_back(std::move(consumer));
  }
  result.next_token = parsed.reader().String("NextToken");
  return result;
}

absl::StatusOr<SubscribeToShardEvent> DecodeSubscribeToShardEvent(
    absl::string_view payload) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(payload));
  const Reader r = parsed.reader();
  SubscribeToShardEvent event;
  BROOK_ASSIGN_OR_RETURN(event.records, RecordsOf(r));
  event.millis_behind_latest = r.Int("MillisBehindLatest");
  BROOK_ASSIGN_OR_RETURN(event.child_shards, ChildShardsOf(r));
  // A closed shard's last event names its children instead of a
  // continuation: there is nothing left to continue from.
  if (event.child_shards.empty() || r.Has("ContinuationSequenceNumber")) {
    BROOK_ASSIGN_OR_RETURN(event.continuation_sequence_number,
                           r.Sequence("ContinuationSequenceNumber"));
  }
  return event;
}

absl::StatusOr<GetCheckpointsResult> DecodeGetCheckpoints(
    absl::string_view body) {
  BROOK_ASSIGN_OR_RETURN(Parsed parsed, Parsed::Of(body));
  GetCheckpointsResult result;
  for (const Reader& c : parsed.reader().Objects("Checkpoints")) {
    Checkpoint checkpoint;
    checkpoint.shard_id = c.String("ShardId");
    checkpoint.shard_end = c.Bool("ShardEnd");
    if (!checkpoint.shard_end) {
      BROOK_ASSIGN_OR_RETURN(checkpoint.sequence_number,
                             c.Sequence("SequenceNumber"));
    }
    checkpoint.sub_sequence_number = c.Int("SubSequenceNumber");
    result.checkpoints.push_back(std::move(checkpoint));
  }
  return result;
}

}  // namespace kinesis_json
}  // namespace brook
