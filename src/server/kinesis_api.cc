#include "server/kinesis_api.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "aws/event_stream.h"
#include "boost/json/monotonic_resource.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"
#include "schema/kinesis_shapes.h"
#include "server/json_fields.h"
#include "server/request_validator.h"

namespace brook {
namespace {

namespace json = boost::json;

// Kinesis' defaults for members a request leaves out.
constexpr int64_t kDefaultDescribeLimit = 100;
constexpr int64_t kDefaultListLimit = 100;
constexpr int64_t kDefaultMaxResults = 1000;
constexpr int64_t kDefaultConsumersMaxResults = 100;
constexpr int64_t kDefaultGetRecordsLimit = 10000;

absl::StatusOr<std::string> StringOr(const JsonFields& fields,
                                     absl::string_view name) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                         fields.String(name));
  return value.value_or("");
}

absl::StatusOr<absl::optional<SequenceNumber>> SequenceNumberOf(
    const JsonFields& fields, absl::string_view name) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> text, fields.String(name));
  if (!text.has_value()) return absl::nullopt;
  absl::StatusOr<SequenceNumber> number = SequenceNumber::Parse(*text);
  if (!number.ok()) {
    return InvalidArgument(absl::StrCat("member '", name, "' is not a ",
                                        "sequence number: ", *text));
  }
  return *number;
}

absl::StatusOr<ShardIteratorType> IteratorTypeOf(absl::string_view text) {
  for (ShardIteratorType type :
       {ShardIteratorType::kAtSequenceNumber,
        ShardIteratorType::kAfterSequenceNumber,
        ShardIteratorType::kTrimHorizon, ShardIteratorType::kLatest,
        ShardIteratorType::kAtTimestamp}) {
    if (ShardIteratorTypeToString(type) == text) return type;
  }
  return MakeError(ErrorName::kValidationException,
                   absl::StrCat("unknown shard iterator type '", text, "'"));
}

absl::StatusOr<ShardFilter> ShardFilterOf(const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(std::string type, fields.RequiredString("Type"));
  ShardFilter filter;
  bool known = false;
  for (ShardFilterType t :
       {ShardFilterType::kAfterShardId, ShardFilterType::kAtTrimHorizon,
        ShardFilterType::kFromTrimHorizon, ShardFilterType::kAtLatest,
        ShardFilterType::kAtTimestamp, ShardFilterType::kFromTimestamp}) {
    if (ShardFilterTypeToString(t) == type) {
      filter.type = t;
      known = true;
    }
  }
  if (!known) {
    return MakeError(ErrorName::kValidationException,
                     absl::StrCat("unknown shard filter type '", type, "'"));
  }
  BROOK_ASSIGN_OR_RETURN(filter.shard_id, StringOr(fields, "ShardId"));
  BROOK_ASSIGN_OR_RETURN(filter.timestamp, fields.Timestamp("Timestamp"));
  return filter;
}

json::object HashKeyRangeJson(const HashKeyRange& range) {
  return {{"StartingHashKey", Uint128ToDecimal(range.starting_hash_key)},
          {"EndingHashKey", Uint128ToDecimal(range.ending_hash_key)}};
}

json::object ShardJson(const Shard& shard) {
  json::object out;
  out["ShardId"] = shard.shard_id;
  if (!shard.parent_shard_id.empty()) {
    out["ParentShardId"] = shard.parent_shard_id;
  }
  if (!shard.adjacent_parent_shard_id.empty()) {
    out["AdjacentParentShardId"] = shard.adjacent_parent_shard_id;
  }
  out["HashKeyRange"] = HashKeyRangeJson(shard.hash_key_range);
  json::object numbers;
  numbers["StartingSequenceNumber"] =
      shard.sequence_number_range.starting_sequence_number.ToString();
  if (shard.sequence_number_range.ending_sequence_number.has_value()) {
    numbers["EndingSequenceNumber"] =
        shard.sequence_number_range.ending_sequence_number->ToString();
  }
  out["SequenceNumberRange"] = std::move(numbers);
  return out;
}

json::array ShardsJson(const std::vector<Shard>& shards) {
  json::array out;
  for (const Shard& shard : shards) out.push_back(ShardJson(shard));
  return out;
}

json::array ChildShardsJson(const std::vector<ChildShard>& children) {
  json::array out;
  for (const ChildShard& child : children) {
    json::array parents;
    for (const std::string& parent : child.parent_shards) {
      parents.push_back(json::value(parent));
    }
    out.push_back(
        json::object{{"ShardId", child.shard_id},
                     {"ParentShards", std::move(parents)},
                     {"HashKeyRange", HashKeyRangeJson(child.hash_key_range)}});
  }
  return out;
}

// Adds a stream's encryption to its description: KeyId only while it
// encrypts.
json::object WithEncryption(json::object description, EncryptionType type,
                            const std::string& key_id) {
  description["EncryptionType"] = std::string(EncryptionTypeToString(type));
  if (!key_id.empty()) description["KeyId"] = key_id;
  return description;
}

json::string_view JsonText(absl::string_view text) {
  return json::string_view(text.data(), text.size());
}

json::object RecordJson(const Record& record) {
  return {{"SequenceNumber", record.sequence_number.ToString()},
          {"ApproximateArrivalTimestamp",
           EpochSeconds(record.approximate_arrival_timestamp)},
          {"Data", EncodeBase64(record.data)},
          {"PartitionKey", record.partition_key},
          {"EncryptionType",
           std::string(EncryptionTypeToString(record.encryption_type))}};
}

json::object ConsumerJson(const Consumer& consumer, bool with_stream_arn) {
  json::object out{
      {"ConsumerName", consumer.consumer_name},
      {"ConsumerARN", consumer.consumer_arn},
      {"ConsumerStatus",
       std::string(ConsumerStatusToString(consumer.consumer_status))},
      {"ConsumerCreationTimestamp",
       EpochSeconds(consumer.consumer_creation_timestamp)}};
  if (with_stream_arn) out["StreamARN"] = consumer.stream_arn;
  return out;
}

json::array StringsJson(const std::vector<std::string>& strings) {
  json::array out;
  for (const std::string& text : strings) out.push_back(json::value(text));
  return out;
}

json::array EnhancedMonitoringJson(const std::vector<std::string>& metrics) {
  return json::array{json::object{{"ShardLevelMetrics", StringsJson(metrics)}}};
}

json::object StreamModeJson(StreamMode mode) {
  return {{"StreamMode", std::string(StreamModeToString(mode))}};
}

absl::StatusOr<ConsumerRef> ConsumerRefOf(const JsonFields& fields) {
  ConsumerRef ref;
  BROOK_ASSIGN_OR_RETURN(ref.stream, StringOr(fields, "StreamARN"));
  BROOK_ASSIGN_OR_RETURN(ref.consumer_name, StringOr(fields, "ConsumerName"));
  BROOK_ASSIGN_OR_RETURN(ref.consumer_arn, StringOr(fields, "ConsumerARN"));
  return ref;
}

// AWS's words for a request that needs what brookd does not have (warm
// throughput, channels, queues, billing commitments):
// InvalidArgumentException, "a specified parameter ... is not supported"
// in the model's own description of that error.
absl::Status NotSupported(absl::string_view what) {
  return InvalidArgument(absl::StrCat(what, " is not supported by brookd"));
}

// Members of the current model that brookd cannot honour, refused rather
// than ignored: a StreamId (brookd's streams have none; they are named by
// StreamName or StreamARN) and a DryRun that asks for one.
absl::Status RefuseUnsupportedMembers(const json::object& request) {
  const json::value* stream_id = request.if_contains("StreamId");
  if (stream_id != nullptr && !stream_id->is_null()) {
    return InvalidArgument(
        "StreamId is not supported by brookd: name the stream by StreamName "
        "or StreamARN");
  }
  const json::value* dry_run = request.if_contains("DryRun");
  if (dry_run != nullptr && dry_run->is_bool() && dry_run->get_bool()) {
    return InvalidArgument("DryRun is not supported by brookd");
  }
  return absl::OkStatus();
}

// A request's Tags map (validated already), as tags.
absl::StatusOr<std::vector<Tag>> TagsOf(const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(const json::object* map, fields.Object("Tags"));
  std::vector<Tag> tags;
  if (map == nullptr) return tags;
  for (const auto& [key, value] : *map) {
    tags.push_back(Tag{std::string(key), value.is_string()
                                             ? std::string(value.get_string())
                                             : std::string()});
  }
  return tags;
}

// The request of Increase- and DecreaseStreamRetentionPeriod.
absl::StatusOr<UpdateStreamRetentionRequest> RetentionRequestOf(
    const json::object& request) {
  const JsonFields fields(request);
  UpdateStreamRetentionRequest update;
  BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(update.retention_period_hours,
                         fields.RequiredInt("RetentionPeriodHours"));
  return update;
}

// Responses of operations that return nothing.
json::value Empty() { return json::object(); }

// A request body's value, which must be an object.
absl::StatusOr<json::object*> ObjectOf(json::value& request) {
  if (!request.is_object()) {
    return MakeError(ErrorName::kSerializationException,
                     "the request body is not a JSON object");
  }
  return &request.get_object();
}

json::value EventJson(const SubscribeToShardEvent& event) {
  json::array records;
  for (const Record& record : event.records) {
    records.push_back(RecordJson(record));
  }
  json::object out{{"Records", std::move(records)},
                   {"MillisBehindLatest", event.millis_behind_latest}};
  // The last event of a closed shard names its children and no
  // continuation (there is nothing left to continue from): Kinesis sends
  // one or the other, and the KCL refuses an event with both.
  if (event.child_shards.empty()) {
    out["ContinuationSequenceNumber"] =
        event.continuation_sequence_number.ToString();
  } else {
    out["ChildShards"] = ChildShardsJson(event.child_shards);
  }
  return out;
}

// Turns a subscription's events into event stream messages for a sink,
// holding the first until the initial response has gone out (the
// subscription pauses meanwhile), and passing on the sink's backpressure.
class EventStreamHandler final : public SubscriptionHandler {
 public:
  EventStreamHandler(PayloadWriter payloads, EventSink* sink)
      : payloads_(std::move(payloads)), sink_(sink) {}

  Demand OnEvent(const SubscribeToShardEvent& event) override {
    absl::MutexLock lock(&mu_);
    return Forward(Event("SubscribeToShardEvent", EventJson(event)));
  }

  void OnEnd(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    if (!status.ok()) Forward(Exception(status));
    ended_ = true;
    if (started_) sink_->End();
  }

  // Sends the initial response, then what arrived before it, and resumes
  // `subscription` if it paused for that and the sink has room.
  void Start(Subscription* subscription) {
    absl::MutexLock lock(&mu_);
    bool room = sink_->Send(Event("initial-response", json::object()));
    started_ = true;
    for (std::string& message : held_) room = sink_->Send(std::move(message));
    const bool paused = !held_.empty();
    held_.clear();
    if (ended_) sink_->End();
    if (paused && room) subscription->Resume();
  }

 private:
  Demand Forward(std::string message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!started_) {
      held_.push_back(std::move(message));
      return Demand::kPause;
    }
    return sink_->Send(std::move(message)) ? Demand::kMore : Demand::kPause;
  }

  // An event of `type` (and of the model's shape of that name, if any).
  std::string Event(absl::string_view type, const json::value& payload) {
    const bool modelled = schema::FindShape(type) != nullptr;
    absl::StatusOr<std::string> written =
        payloads_.write(modelled ? type : "", payload);
    if (!written.ok()) return Exception(written.status());
    return EventMessage(type, *written, payloads_.content_type);
  }

  std::string Exception(const absl::Status& error) {
    absl::StatusOr<std::string> written = payloads_.write(
        "", json::object{{"message", std::string(error.message())}});
    if (!written.ok()) return ExceptionMessage(error);  // In JSON, then.
    return ExceptionMessage(error, *written, payloads_.content_type);
  }

  const PayloadWriter payloads_;
  EventSink* const sink_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> held_ ABSL_GUARDED_BY(mu_);
};

// The subscription and its handler, which must outlive it.
class StreamedSubscription final : public Subscription {
 public:
  StreamedSubscription(std::unique_ptr<EventStreamHandler> handler,
                       std::unique_ptr<Subscription> subscription)
      : handler_(std::move(handler)), subscription_(std::move(subscription)) {}
  ~StreamedSubscription() override { subscription_.reset(); }
  void Cancel() override { subscription_->Cancel(); }
  void Resume() override { subscription_->Resume(); }

 private:
  std::unique_ptr<EventStreamHandler> handler_;
  std::unique_ptr<Subscription> subscription_;
};

}  // namespace

PayloadWriter JsonPayloads() {
  return {"application/json",
          [](absl::string_view,
             const json::value& payload) -> absl::StatusOr<std::string> {
            return SerializeResponse(payload);
          }};
}

KinesisApi::KinesisApi(Broker* broker, KinesisApiOptions options)
    : broker_(broker), options_(std::move(options)), handlers_(Handlers()) {}

namespace {

// Answers for operations on channels and queues. brookd's accounts have
// neither feature: no channel or queue exists, so listing finds none and
// any call that names one finds none (ResourceNotFoundException), as AWS
// answers for an ARN it does not know.
absl::StatusOr<json::value> NoChannelOrQueue(const json::object& request) {
  for (const char* member : {"ChannelARN", "QueueARN"}) {
    const json::value* arn = request.if_contains(member);
    if (arn != nullptr && arn->is_string()) {
      return ResourceNotFound(absl::StrCat(
          member == absl::string_view("ChannelARN") ? "Channel " : "Queue ",
          std::string(arn->get_string()), " not found."));
    }
  }
  return ResourceNotFound("Resource not found.");
}

}  // namespace

absl::flat_hash_map<std::string, KinesisApi::Handler> KinesisApi::Handlers() {
  absl::flat_hash_map<std::string, Handler> handlers = {
      {"CreateStream", &KinesisApi::CreateStream},
      {"DeleteStream", &KinesisApi::DeleteStream},
      {"DescribeStream", &KinesisApi::DescribeStream},
      {"DescribeStreamSummary", &KinesisApi::DescribeStreamSummary},
      {"ListStreams", &KinesisApi::ListStreams},
      {"ListShards", &KinesisApi::ListShards},
      {"IncreaseStreamRetentionPeriod",
       &KinesisApi::IncreaseStreamRetentionPeriod},
      {"DecreaseStreamRetentionPeriod",
       &KinesisApi::DecreaseStreamRetentionPeriod},
      {"AddTagsToStream", &KinesisApi::AddTagsToStream},
      {"RemoveTagsFromStream", &KinesisApi::RemoveTagsFromStream},
      {"ListTagsForStream", &KinesisApi::ListTagsForStream},
      {"SplitShard", &KinesisApi::SplitShard},
      {"MergeShards", &KinesisApi::MergeShards},
      {"UpdateShardCount", &KinesisApi::UpdateShardCount},
      {"PutRecord", &KinesisApi::PutRecord},
      {"PutRecords", &KinesisApi::PutRecords},
      {"GetShardIterator", &KinesisApi::GetShardIterator},
      {"GetRecords", &KinesisApi::GetRecords},
      {"RegisterStreamConsumer", &KinesisApi::RegisterStreamConsumer},
      {"DeregisterStreamConsumer", &KinesisApi::DeregisterStreamConsumer},
      {"DescribeStreamConsumer", &KinesisApi::DescribeStreamConsumer},
      {"ListStreamConsumers", &KinesisApi::ListStreamConsumers},
  };
  auto no_resource = [](KinesisApi&, const json::object& request) {
    return NoChannelOrQueue(request);
  };
  for (const char* operation :
       {"DescribeChannel", "DeleteChannel", "UpdateChannel", "DescribeQueue",
        "DeleteQueue", "UpdateQueue", "ReceiveQueueRecords",
        "AcknowledgeQueueRecords", "UpdateQueueRecordsVisibility",
        "ReceiveDeadLetterQueueRecords", "AcknowledgeDeadLetterQueueRecords",
        "UpdateDeadLetterQueueRecordsVisibility",
        "RestoreDeadLetterQueueRecords"}) {
    handlers[operation] = no_resource;
  }
  handlers["DescribeLimits"] =
      [](KinesisApi& api, const json::object&) -> absl::StatusOr<json::value> {
    BROOK_ASSIGN_OR_RETURN(DescribeLimitsResult limits,
                           api.broker_->DescribeLimits());
    return json::object{
        {"ShardLimit", limits.shard_limit},
        {"OpenShardCount", limits.open_shard_count},
        {"OnDemandStreamCount", limits.on_demand_stream_count},
        {"OnDemandStreamCountLimit", limits.on_demand_stream_count_limit}};
  };
  handlers["UpdateMaxRecordSize"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    const JsonFields fields(request);
    UpdateMaxRecordSizeRequest update;
    BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
    BROOK_ASSIGN_OR_RETURN(update.max_record_size_kib,
                           fields.Int("MaxRecordSizeInKiB", 0));
    BROOK_RETURN_IF_ERROR(api.broker_->UpdateMaxRecordSize(update));
    return json::object();
  };
  // The ARN-addressed tag operations, of streams and consumers.
  handlers["TagResource"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    TagResourceRequest tag;
    tag.resource_arn = std::string(request.at("ResourceARN").as_string());
    BROOK_ASSIGN_OR_RETURN(tag.tags, TagsOf(JsonFields(request)));
    BROOK_RETURN_IF_ERROR(api.broker_->TagResource(tag));
    return json::object();
  };
  handlers["UntagResource"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    UntagResourceRequest untag;
    untag.resource_arn = std::string(request.at("ResourceARN").as_string());
    for (const json::value& key : request.at("TagKeys").as_array()) {
      untag.tag_keys.push_back(std::string(key.as_string()));
    }
    BROOK_RETURN_IF_ERROR(api.broker_->UntagResource(untag));
    return json::object();
  };
  handlers["ListTagsForResource"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    BROOK_ASSIGN_OR_RETURN(std::vector<Tag> found,
                           api.broker_->ListTagsForResource(std::string(
                               request.at("ResourceARN").as_string())));
    json::array tags;
    for (const Tag& tag : found) {
      tags.push_back(json::object{{"Key", tag.key}, {"Value", tag.value}});
    }
    return json::object{{"Tags", std::move(tags)}};
  };
  for (const bool enable : {true, false}) {
    handlers[enable ? "EnableEnhancedMonitoring"
                    : "DisableEnhancedMonitoring"] =
        [enable](KinesisApi& api,
                 const json::object& request) -> absl::StatusOr<json::value> {
      EnhancedMonitoringRequest update;
      BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(JsonFields(request)));
      for (const json::value& name :
           request.at("ShardLevelMetrics").as_array()) {
        update.shard_level_metrics.push_back(std::string(name.as_string()));
      }
      BROOK_ASSIGN_OR_RETURN(
          EnhancedMonitoringResult result,
          enable ? api.broker_->EnableEnhancedMonitoring(update)
                 : api.broker_->DisableEnhancedMonitoring(update));
      return json::object{{"StreamName", result.stream_name},
                          {"StreamARN", result.stream_arn},
                          {"CurrentShardLevelMetrics",
                           StringsJson(result.current_shard_level_metrics)},
                          {"DesiredShardLevelMetrics",
                           StringsJson(result.desired_shard_level_metrics)}};
    };
  }
  // Resource policies of streams and consumers are kept and returned, never
  // enforced.
  handlers["PutResourcePolicy"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    PutResourcePolicyRequest put;
    put.resource_arn = std::string(request.at("ResourceARN").as_string());
    put.policy = std::string(request.at("Policy").as_string());
    BROOK_RETURN_IF_ERROR(api.broker_->PutResourcePolicy(put));
    return json::object();
  };
  handlers["GetResourcePolicy"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    BROOK_ASSIGN_OR_RETURN(std::string policy,
                           api.broker_->GetResourcePolicy(std::string(
                               request.at("ResourceARN").as_string())));
    return json::object{{"Policy", policy}};
  };
  handlers["DeleteResourcePolicy"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    BROOK_RETURN_IF_ERROR(api.broker_->DeleteResourcePolicy(
        std::string(request.at("ResourceARN").as_string())));
    return json::object();
  };
  handlers["ListChannels"] =
      [](KinesisApi&, const json::object&) -> absl::StatusOr<json::value> {
    return json::object{{"ChannelSummaries", json::array()}};
  };
  handlers["ListQueues"] =
      [](KinesisApi&, const json::object&) -> absl::StatusOr<json::value> {
    return json::object{{"QueueSummaries", json::array()}};
  };
  // Creating a channel reads streams, which must exist and be on-demand.
  handlers["CreateChannel"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    for (const json::value& config :
         request.at("StreamConfigurationList").as_array()) {
      json::object named{{"StreamARN", config.at("StreamARN")}};
      BROOK_RETURN_IF_ERROR(
          api.RefuseForStream(named, absl::OkStatus()).status());
    }
    return NotSupported("Delivery through a channel");
  };
  handlers["CreateQueue"] =
      [](KinesisApi&, const json::object&) -> absl::StatusOr<json::value> {
    return NotSupported("A queue");
  };
  // No minimum throughput billing commitment: there is nothing to bill.
  handlers["DescribeAccountSettings"] =
      [](KinesisApi&, const json::object&) -> absl::StatusOr<json::value> {
    return json::object();
  };
  handlers["UpdateAccountSettings"] =
      [](KinesisApi&, const json::object&) -> absl::StatusOr<json::value> {
    return NotSupported("A minimum throughput billing commitment");
  };
  handlers["UpdateStreamMode"] =
      [](KinesisApi& api,
         const json::object& request) -> absl::StatusOr<json::value> {
    const JsonFields fields(request);
    if (request.contains("WarmThroughputMiBps") &&
        !request.at("WarmThroughputMiBps").is_null()) {
      return api.RefuseForStream(request, NotSupported("Warm throughput"));
    }
    UpdateStreamModeRequest update;
    BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
    BROOK_ASSIGN_OR_RETURN(absl::optional<StreamMode> mode,
                           StreamModeOf(fields));
    // The model requires StreamModeDetails; ValidateRequest() checked it.
    update.stream_mode = mode.value_or(StreamMode::kProvisioned);
    BROOK_RETURN_IF_ERROR(api.broker_->UpdateStreamMode(update));
    return Empty();
  };
  for (const bool start : {true, false}) {
    handlers[start ? "StartStreamEncryption" : "StopStreamEncryption"] =
        [start](KinesisApi& api,
                const json::object& request) -> absl::StatusOr<json::value> {
      const JsonFields fields(request);
      StreamEncryptionRequest update;
      BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
      BROOK_ASSIGN_OR_RETURN(std::string type,
                             fields.RequiredString("EncryptionType"));
      update.encryption_type =
          type == "KMS" ? EncryptionType::kKms : EncryptionType::kNone;
      BROOK_ASSIGN_OR_RETURN(update.key_id, fields.RequiredString("KeyId"));
      BROOK_RETURN_IF_ERROR(start ? api.broker_->StartStreamEncryption(update)
                                  : api.broker_->StopStreamEncryption(update));
      return json::object();
    };
  }
  handlers["UpdateStreamWarmThroughput"] = [](KinesisApi& api,
                                              const json::object& request) {
    return api.RefuseForStream(request, NotSupported("Warm throughput"));
  };
  handlers["UpdateStreamRecordDistributionStrategy"] =
      [](KinesisApi& api, const json::object& request) {
        return api.RefuseForStream(
            request, NotSupported("A record distribution strategy"));
      };
  return handlers;
}

absl::StatusOr<json::value> KinesisApi::RefuseForStream(
    const json::object& request, absl::Status error) {
  DescribeStreamSummaryRequest describe;
  BROOK_ASSIGN_OR_RETURN(describe.stream, StreamOf(JsonFields(request)));
  BROOK_RETURN_IF_ERROR(broker_->DescribeStreamSummary(describe).status());
  BROOK_RETURN_IF_ERROR(error);
  return json::object();
}

absl::StatusOr<std::string> KinesisApi::Call(absl::string_view operation,
                                             absl::string_view body) {
  // A request lives only for this call: its members (a thousand strings in
  // a PutRecords of 500) take memory from one arena instead of the heap.
  json::monotonic_resource arena;
  boost::system::error_code error;
  json::value request =
      json::parse(json::string_view(body.data(), body.size()), error, &arena);
  if (error) request = nullptr;  // Not JSON: Run() refuses it.
  BROOK_ASSIGN_OR_RETURN(json::value response,
                         Run(operation, request, BlobForm::kBase64));
  // An operation without output answers with an empty body, as AWS does.
  if (response.is_null()) return std::string();
  return SerializeResponse(response);
}

absl::StatusOr<json::value> KinesisApi::Run(absl::string_view operation,
                                            json::value& request,
                                            BlobForm blobs) {
  const schema::Operation* modelled = schema::FindOperation(operation);
  auto handler = handlers_.find(operation);
  if (modelled == nullptr || handler == handlers_.end()) {
    return MakeError(ErrorName::kUnknownOperationException,
                     absl::StrCat("unknown operation '", operation, "'"));
  }
  BROOK_ASSIGN_OR_RETURN(json::object * object, ObjectOf(request));
  BROOK_RETURN_IF_ERROR(ValidateRequest(*modelled, blobs, *object));
  BROOK_RETURN_IF_ERROR(RefuseUnsupportedMembers(*object));
  BROOK_ASSIGN_OR_RETURN(json::value response, handler->second(*this, *object));
  if (modelled->output == schema::kNoShape) return json::value();
  return response;
}

absl::StatusOr<std::unique_ptr<Subscription>> KinesisApi::SubscribeToShard(
    absl::string_view body, EventSink* sink) {
  boost::system::error_code error;
  json::value request =
      json::parse(json::string_view(body.data(), body.size()), error);
  if (error) request = nullptr;
  return SubscribeToShard(request, BlobForm::kBase64, JsonPayloads(), sink);
}

absl::StatusOr<std::unique_ptr<Subscription>> KinesisApi::SubscribeToShard(
    json::value& body, BlobForm blobs, PayloadWriter payloads,
    EventSink* sink) {
  BROOK_ASSIGN_OR_RETURN(json::object * request, ObjectOf(body));
  BROOK_RETURN_IF_ERROR(ValidateRequest(
      *schema::FindOperation("SubscribeToShard"), blobs, *request));
  BROOK_RETURN_IF_ERROR(RefuseUnsupportedMembers(*request));
  const JsonFields fields(*request);
  SubscribeToShardRequest subscribe;
  BROOK_ASSIGN_OR_RETURN(subscribe.consumer_arn,
                         fields.RequiredString("ConsumerARN"));
  BROOK_ASSIGN_OR_RETURN(subscribe.shard_id, fields.RequiredString("ShardId"));
  BROOK_ASSIGN_OR_RETURN(const json::object* position,
                         fields.RequiredObject("StartingPosition"));
  const JsonFields start(*position, fields, "StartingPosition");
  BROOK_ASSIGN_OR_RETURN(std::string type, start.RequiredString("Type"));
  BROOK_ASSIGN_OR_RETURN(subscribe.starting_position.type,
                         IteratorTypeOf(type));
  BROOK_ASSIGN_OR_RETURN(subscribe.starting_position.sequence_number,
                         SequenceNumberOf(start, "SequenceNumber"));
  BROOK_ASSIGN_OR_RETURN(subscribe.starting_position.timestamp,
                         start.Timestamp("Timestamp"));
  auto handler =
      std::make_unique<EventStreamHandler>(std::move(payloads), sink);
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<Subscription> subscription,
                         broker_->SubscribeToShard(subscribe, handler.get()));
  handler->Start(subscription.get());
  return std::unique_ptr<Subscription>(
      new StreamedSubscription(std::move(handler), std::move(subscription)));
}

absl::StatusOr<json::value> KinesisApi::CreateStream(
    const json::object& request) {
  const JsonFields fields(request);
  CreateStreamRequest create;
  BROOK_ASSIGN_OR_RETURN(create.stream_name,
                         fields.RequiredString("StreamName"));
  BROOK_ASSIGN_OR_RETURN(absl::optional<StreamMode> mode, StreamModeOf(fields));
  create.stream_mode = mode.value_or(StreamMode::kProvisioned);
  if (create.stream_mode == StreamMode::kOnDemand &&
      request.contains("ShardCount") && !request.at("ShardCount").is_null()) {
    return InvalidArgument(
        "ShardCount is not supported for a stream in ON_DEMAND mode: it "
        "scales itself");
  }
  for (const char* member :
       {"WarmThroughputMiBps", "RecordDistributionStrategy"}) {
    if (request.contains(member) && !request.at(member).is_null()) {
      return NotSupported(member);
    }
  }
  BROOK_ASSIGN_OR_RETURN(create.tags, TagsOf(fields));
  BROOK_ASSIGN_OR_RETURN(create.shard_count, fields.Int("ShardCount", 4));
  BROOK_ASSIGN_OR_RETURN(
      create.options.max_record_size_kib,
      fields.Int("MaxRecordSizeInKiB", create.options.max_record_size_kib));
  create.options.limits = options_.new_stream_limits;
  BROOK_RETURN_IF_ERROR(broker_->CreateStream(create));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::DeleteStream(
    const json::object& request) {
  const JsonFields fields(request);
  DeleteStreamRequest remove;
  BROOK_ASSIGN_OR_RETURN(remove.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(absl::optional<bool> enforce,
                         fields.Boolean("EnforceConsumerDeletion"));
  remove.enforce_consumer_deletion = enforce.value_or(false);
  BROOK_RETURN_IF_ERROR(broker_->DeleteStream(remove));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::DescribeStream(
    const json::object& request) {
  const JsonFields fields(request);
  DescribeStreamRequest describe;
  BROOK_ASSIGN_OR_RETURN(describe.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(describe.limit,
                         fields.Int("Limit", kDefaultDescribeLimit));
  BROOK_ASSIGN_OR_RETURN(describe.exclusive_start_shard_id,
                         StringOr(fields, "ExclusiveStartShardId"));
  BROOK_ASSIGN_OR_RETURN(StreamDescription d,
                         broker_->DescribeStream(describe));
  return json::object{
      {"StreamDescription",
       WithEncryption(
           json::object{
               {"StreamName", d.stream_name},
               {"StreamARN", d.stream_arn},
               {"StreamStatus",
                std::string(StreamStatusToString(d.stream_status))},
               {"StreamModeDetails", StreamModeJson(d.stream_mode)},
               {"Shards", ShardsJson(d.shards)},
               {"HasMoreShards", d.has_more_shards},
               {"RetentionPeriodHours", d.retention_period_hours},
               {"StreamCreationTimestamp",
                EpochSeconds(d.stream_creation_timestamp)},
               {"EnhancedMonitoring",
                EnhancedMonitoringJson(d.shard_level_metrics)},
           },
           d.encryption_type, d.key_id)}};
}

absl::StatusOr<json::value> KinesisApi::DescribeStreamSummary(
    const json::object& request) {
  const JsonFields fields(request);
  DescribeStreamSummaryRequest describe;
  BROOK_ASSIGN_OR_RETURN(describe.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary s,
                         broker_->DescribeStreamSummary(describe));
  return json::object{
      {"StreamDescriptionSummary",
       WithEncryption(
           json::object{
               {"StreamName", s.stream_name},
               {"StreamARN", s.stream_arn},
               {"StreamStatus",
                std::string(StreamStatusToString(s.stream_status))},
               {"StreamModeDetails", StreamModeJson(s.stream_mode)},
               {"RetentionPeriodHours", s.retention_period_hours},
               {"StreamCreationTimestamp",
                EpochSeconds(s.stream_creation_timestamp)},
               {"EnhancedMonitoring",
                EnhancedMonitoringJson(s.shard_level_metrics)},
               {"OpenShardCount", s.open_shard_count},
               {"ConsumerCount", s.consumer_count},
               {"MaxRecordSizeInKiB", s.max_record_size_kib},
           },
           s.encryption_type, s.key_id)}};
}

absl::StatusOr<json::value> KinesisApi::ListStreams(
    const json::object& request) {
  const JsonFields fields(request);
  ListStreamsRequest list;
  BROOK_ASSIGN_OR_RETURN(list.limit, fields.Int("Limit", kDefaultListLimit));
  BROOK_ASSIGN_OR_RETURN(list.exclusive_start_stream_name,
                         StringOr(fields, "ExclusiveStartStreamName"));
  BROOK_ASSIGN_OR_RETURN(list.next_token, StringOr(fields, "NextToken"));
  BROOK_ASSIGN_OR_RETURN(ListStreamsResult result, broker_->ListStreams(list));
  json::array names;
  json::array summaries;
  for (const StreamSummary& summary : result.stream_summaries) {
    names.push_back(json::value(summary.stream_name));
    summaries.push_back(
        json::object{{"StreamName", summary.stream_name},
                     {"StreamARN", summary.stream_arn},
                     {"StreamStatus",
                      std::string(StreamStatusToString(summary.stream_status))},
                     {"StreamModeDetails", StreamModeJson(summary.stream_mode)},
                     {"StreamCreationTimestamp",
                      EpochSeconds(summary.stream_creation_timestamp)}});
  }
  json::object out{{"StreamNames", std::move(names)},
                   {"HasMoreStreams", result.has_more_streams},
                   {"StreamSummaries", std::move(summaries)}};
  if (!result.next_token.empty()) out["NextToken"] = result.next_token;
  return out;
}

absl::StatusOr<json::value> KinesisApi::ListShards(
    const json::object& request) {
  const JsonFields fields(request);
  ListShardsRequest list;
  BROOK_ASSIGN_OR_RETURN(list.next_token, StringOr(fields, "NextToken"));
  BROOK_ASSIGN_OR_RETURN(list.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(list.stream_creation_timestamp,
                         fields.Timestamp("StreamCreationTimestamp"));
  BROOK_ASSIGN_OR_RETURN(list.exclusive_start_shard_id,
                         StringOr(fields, "ExclusiveStartShardId"));
  BROOK_ASSIGN_OR_RETURN(list.max_results,
                         fields.Int("MaxResults", kDefaultMaxResults));
  BROOK_ASSIGN_OR_RETURN(const json::object* filter,
                         fields.Object("ShardFilter"));
  if (filter != nullptr) {
    BROOK_ASSIGN_OR_RETURN(
        list.shard_filter,
        ShardFilterOf(JsonFields(*filter, fields, "ShardFilter")));
  }
  BROOK_ASSIGN_OR_RETURN(ListShardsResult result, broker_->ListShards(list));
  json::object out{{"Shards", ShardsJson(result.shards)}};
  if (!result.next_token.empty()) out["NextToken"] = result.next_token;
  return out;
}

absl::StatusOr<json::value> KinesisApi::IncreaseStreamRetentionPeriod(
    const json::object& request) {
  BROOK_ASSIGN_OR_RETURN(UpdateStreamRetentionRequest update,
                         RetentionRequestOf(request));
  BROOK_RETURN_IF_ERROR(broker_->IncreaseStreamRetentionPeriod(update));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::DecreaseStreamRetentionPeriod(
    const json::object& request) {
  BROOK_ASSIGN_OR_RETURN(UpdateStreamRetentionRequest update,
                         RetentionRequestOf(request));
  BROOK_RETURN_IF_ERROR(broker_->DecreaseStreamRetentionPeriod(update));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::AddTagsToStream(
    const json::object& request) {
  const JsonFields fields(request);
  AddTagsToStreamRequest add;
  BROOK_ASSIGN_OR_RETURN(add.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(add.tags, TagsOf(fields));
  BROOK_RETURN_IF_ERROR(broker_->AddTagsToStream(add));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::RemoveTagsFromStream(
    const json::object& request) {
  const JsonFields fields(request);
  RemoveTagsFromStreamRequest remove;
  BROOK_ASSIGN_OR_RETURN(remove.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(const json::array* keys,
                         fields.RequiredArray("TagKeys"));
  for (const json::value& key : *keys) {
    remove.tag_keys.push_back(std::string(key.as_string()));
  }
  BROOK_RETURN_IF_ERROR(broker_->RemoveTagsFromStream(remove));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::ListTagsForStream(
    const json::object& request) {
  const JsonFields fields(request);
  ListTagsForStreamRequest list;
  BROOK_ASSIGN_OR_RETURN(list.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(list.exclusive_start_tag_key,
                         StringOr(fields, "ExclusiveStartTagKey"));
  BROOK_ASSIGN_OR_RETURN(list.limit, fields.Int("Limit", 50));
  BROOK_ASSIGN_OR_RETURN(ListTagsForStreamResult result,
                         broker_->ListTagsForStream(list));
  json::array tags;
  for (const Tag& tag : result.tags) {
    tags.push_back(json::object{{"Key", tag.key}, {"Value", tag.value}});
  }
  return json::object{{"Tags", std::move(tags)},
                      {"HasMoreTags", result.has_more_tags}};
}

absl::StatusOr<json::value> KinesisApi::SplitShard(
    const json::object& request) {
  const JsonFields fields(request);
  SplitShardRequest split;
  BROOK_ASSIGN_OR_RETURN(split.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(split.shard_to_split,
                         fields.RequiredString("ShardToSplit"));
  BROOK_ASSIGN_OR_RETURN(split.new_starting_hash_key,
                         fields.RequiredString("NewStartingHashKey"));
  BROOK_RETURN_IF_ERROR(broker_->SplitShard(split));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::MergeShards(
    const json::object& request) {
  const JsonFields fields(request);
  MergeShardsRequest merge;
  BROOK_ASSIGN_OR_RETURN(merge.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(merge.shard_to_merge,
                         fields.RequiredString("ShardToMerge"));
  BROOK_ASSIGN_OR_RETURN(merge.adjacent_shard_to_merge,
                         fields.RequiredString("AdjacentShardToMerge"));
  BROOK_RETURN_IF_ERROR(broker_->MergeShards(merge));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::UpdateShardCount(
    const json::object& request) {
  const JsonFields fields(request);
  UpdateShardCountRequest update;
  BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(update.target_shard_count,
                         fields.RequiredInt("TargetShardCount"));
  BROOK_ASSIGN_OR_RETURN(std::string scaling,
                         fields.RequiredString("ScalingType"));
  if (scaling != "UNIFORM_SCALING") {
    return MakeError(ErrorName::kValidationException,
                     "ScalingType must be UNIFORM_SCALING");
  }
  BROOK_ASSIGN_OR_RETURN(UpdateShardCountResult result,
                         broker_->UpdateShardCount(update));
  return json::object{{"StreamName", result.stream_name},
                      {"StreamARN", result.stream_arn},
                      {"CurrentShardCount", result.current_shard_count},
                      {"TargetShardCount", result.target_shard_count}};
}

absl::StatusOr<json::value> KinesisApi::PutRecord(const json::object& request) {
  const JsonFields fields(request);
  PutRecordRequest put;
  BROOK_ASSIGN_OR_RETURN(put.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(put.data, fields.RequiredBlob("Data"));
  BROOK_ASSIGN_OR_RETURN(put.partition_key,
                         fields.RequiredString("PartitionKey"));
  BROOK_ASSIGN_OR_RETURN(put.explicit_hash_key,
                         StringOr(fields, "ExplicitHashKey"));
  BROOK_ASSIGN_OR_RETURN(put.sequence_number_for_ordering,
                         SequenceNumberOf(fields, "SequenceNumberForOrdering"));
  BROOK_ASSIGN_OR_RETURN(PutRecordResult result, broker_->PutRecord(put));
  return json::object{
      {"ShardId", result.shard_id},
      {"SequenceNumber", result.sequence_number.ToString()},
      {"EncryptionType",
       std::string(EncryptionTypeToString(result.encryption_type))}};
}

absl::StatusOr<json::value> KinesisApi::PutRecords(
    const json::object& request) {
  const JsonFields fields(request);
  BROOK_ASSIGN_OR_RETURN(const std::string stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(const json::array* records,
                         fields.RequiredArray("Records"));
  // The records' bytes stay where the request checks decoded them; the
  // Broker copies them only into its write batch, before it returns.
  std::vector<PutRecordsEntryView> views;
  views.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    const JsonFields record((*records)[i].as_object(), fields, "Records", i);
    PutRecordsEntryView& out = views.emplace_back();
    BROOK_ASSIGN_OR_RETURN(out.data, record.RequiredBlobView("Data"));
    // Required by Brook though not by the model; ValidateRequest() checked
    // it.
    BROOK_ASSIGN_OR_RETURN(out.partition_key,
                           record.RequiredStringView("PartitionKey"));
    BROOK_ASSIGN_OR_RETURN(absl::optional<absl::string_view> explicit_hash_key,
                           record.StringView("ExplicitHashKey"));
    out.explicit_hash_key = explicit_hash_key.value_or("");
  }
  BROOK_ASSIGN_OR_RETURN(
      PutRecordsResult result,
      broker_->PutRecordsInPlace(PutRecordsRequestView{stream, views}));
  // An answer of up to 500 entries: in the request's arena (see Run()),
  // not a few heap blocks per entry.
  const json::storage_ptr& arena = request.storage();
  json::array entries(arena);
  entries.reserve(result.records.size());
  for (const PutRecordsResultEntry& entry : result.records) {
    json::object& out = entries.emplace_back(json::object(arena)).as_object();
    out.reserve(2);
    if (entry.status.ok()) {
      out.emplace("SequenceNumber",
                  SequenceNumberJson(entry.sequence_number, arena));
      out.emplace("ShardId", entry.shard_id);
    } else {
      out.emplace("ErrorCode",
                  JsonText(ErrorNameToString(ErrorNameOf(entry.status))));
      out.emplace("ErrorMessage", JsonText(entry.status.message()));
    }
  }
  json::object answer(arena);
  answer.reserve(3);
  answer.emplace("FailedRecordCount", result.failed_record_count);
  answer.emplace("Records", std::move(entries));
  answer.emplace("EncryptionType",
                 JsonText(EncryptionTypeToString(result.encryption_type)));
  return answer;
}

absl::StatusOr<json::value> KinesisApi::GetShardIterator(
    const json::object& request) {
  const JsonFields fields(request);
  GetShardIteratorRequest get;
  BROOK_ASSIGN_OR_RETURN(get.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(get.shard_id, fields.RequiredString("ShardId"));
  BROOK_ASSIGN_OR_RETURN(std::string type,
                         fields.RequiredString("ShardIteratorType"));
  BROOK_ASSIGN_OR_RETURN(get.shard_iterator_type, IteratorTypeOf(type));
  BROOK_ASSIGN_OR_RETURN(get.starting_sequence_number,
                         SequenceNumberOf(fields, "StartingSequenceNumber"));
  BROOK_ASSIGN_OR_RETURN(get.timestamp, fields.Timestamp("Timestamp"));
  BROOK_ASSIGN_OR_RETURN(GetShardIteratorResult result,
                         broker_->GetShardIterator(get));
  return json::object{{"ShardIterator", result.shard_iterator}};
}

absl::StatusOr<json::value> KinesisApi::GetRecords(
    const json::object& request) {
  const JsonFields fields(request);
  GetRecordsRequest get;
  BROOK_ASSIGN_OR_RETURN(get.shard_iterator,
                         fields.RequiredString("ShardIterator"));
  BROOK_ASSIGN_OR_RETURN(get.limit,
                         fields.Int("Limit", kDefaultGetRecordsLimit));
  BROOK_ASSIGN_OR_RETURN(GetRecordsResult result, broker_->GetRecords(get));
  json::array records;
  for (const Record& record : result.records) {
    records.push_back(RecordJson(record));
  }
  json::object out{{"Records", std::move(records)},
                   {"MillisBehindLatest", result.millis_behind_latest}};
  if (!result.next_shard_iterator.empty()) {
    out["NextShardIterator"] = result.next_shard_iterator;
  } else {
    out["ChildShards"] = ChildShardsJson(result.child_shards);
  }
  return out;
}

absl::StatusOr<json::value> KinesisApi::RegisterStreamConsumer(
    const json::object& request) {
  const JsonFields fields(request);
  RegisterStreamConsumerRequest reg;
  BROOK_ASSIGN_OR_RETURN(reg.stream, fields.RequiredString("StreamARN"));
  BROOK_ASSIGN_OR_RETURN(reg.consumer_name,
                         fields.RequiredString("ConsumerName"));
  BROOK_ASSIGN_OR_RETURN(reg.tags, TagsOf(fields));
  BROOK_ASSIGN_OR_RETURN(Consumer consumer,
                         broker_->RegisterStreamConsumer(reg));
  return json::object{{"Consumer", ConsumerJson(consumer, false)}};
}

absl::StatusOr<json::value> KinesisApi::DeregisterStreamConsumer(
    const json::object& request) {
  BROOK_ASSIGN_OR_RETURN(ConsumerRef ref, ConsumerRefOf(JsonFields(request)));
  BROOK_RETURN_IF_ERROR(broker_->DeregisterStreamConsumer(ref));
  return Empty();
}

absl::StatusOr<json::value> KinesisApi::DescribeStreamConsumer(
    const json::object& request) {
  BROOK_ASSIGN_OR_RETURN(ConsumerRef ref, ConsumerRefOf(JsonFields(request)));
  BROOK_ASSIGN_OR_RETURN(Consumer consumer,
                         broker_->DescribeStreamConsumer(ref));
  return json::object{{"ConsumerDescription", ConsumerJson(consumer, true)}};
}

absl::StatusOr<json::value> KinesisApi::ListStreamConsumers(
    const json::object& request) {
  const JsonFields fields(request);
  ListStreamConsumersRequest list;
  BROOK_ASSIGN_OR_RETURN(list.stream, fields.RequiredString("StreamARN"));
  BROOK_ASSIGN_OR_RETURN(list.next_token, StringOr(fields, "NextToken"));
  BROOK_ASSIGN_OR_RETURN(list.max_results,
                         fields.Int("MaxResults", kDefaultConsumersMaxResults));
  BROOK_ASSIGN_OR_RETURN(list.stream_creation_timestamp,
                         fields.Timestamp("StreamCreationTimestamp"));
  BROOK_ASSIGN_OR_RETURN(ListStreamConsumersResult result,
                         broker_->ListStreamConsumers(list));
  json::array consumers;
  for (const Consumer& consumer : result.consumers) {
    consumers.push_back(ConsumerJson(consumer, false));
  }
  json::object out{{"Consumers", std::move(consumers)}};
  if (!result.next_token.empty()) out["NextToken"] = result.next_token;
  return out;
}

}  // namespace brook
