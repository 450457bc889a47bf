#include "server/brook_api.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "common/brook_target.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "server/json_fields.h"

namespace brook {
namespace {

namespace json = boost::json;

absl::StatusOr<StreamLimits> LimitsOf(const JsonFields& request) {
  BROOK_ASSIGN_OR_RETURN(const json::object* object,
                         request.RequiredObject("StreamLimits"));
  const JsonFields fields(*object, request, "StreamLimits");
  StreamLimits limits;
  for (const auto& [name, member] : kStreamLimitMembers) {
    BROOK_ASSIGN_OR_RETURN(limits.*member, fields.RequiredInteger(name));
  }
  return limits;
}

absl::StatusOr<json::value> CreateStream(Broker& broker,
                                         const JsonFields& fields) {
  CreateStreamRequest create;
  BROOK_ASSIGN_OR_RETURN(create.stream_name,
                         fields.RequiredString("StreamName"));
  BROOK_ASSIGN_OR_RETURN(create.shard_count, fields.Int("ShardCount", 1));
  BROOK_ASSIGN_OR_RETURN(absl::optional<StreamMode> mode, StreamModeOf(fields));
  create.stream_mode = mode.value_or(StreamMode::kProvisioned);
  BROOK_ASSIGN_OR_RETURN(
      create.options.max_record_size_kib,
      fields.Int("MaxRecordSizeInKiB", create.options.max_record_size_kib));
  BROOK_ASSIGN_OR_RETURN(create.options.limits, LimitsOf(fields));
  BROOK_RETURN_IF_ERROR(broker.CreateStream(create));
  return json::object();
}

absl::StatusOr<json::value> DescribeStreamLimits(Broker& broker,
                                                 const JsonFields& fields) {
  DescribeStreamSummaryRequest describe;
  BROOK_ASSIGN_OR_RETURN(describe.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary,
                         broker.DescribeStreamSummary(describe));
  return json::object{{"StreamLimits", StreamLimitsJson(summary.limits)}};
}

absl::StatusOr<json::value> UpdateStreamLimits(Broker& broker,
                                               const JsonFields& fields) {
  UpdateStreamLimitsRequest update;
  BROOK_ASSIGN_OR_RETURN(update.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(update.limits, LimitsOf(fields));
  BROOK_RETURN_IF_ERROR(broker.UpdateStreamLimits(update));
  return json::object();
}

absl::StatusOr<json::value> GetShardMetrics(Broker& broker,
                                            const JsonFields& fields) {
  GetShardMetricsRequest get;
  BROOK_ASSIGN_OR_RETURN(get.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(GetShardMetricsResult result,
                         broker.GetShardMetrics(get));
  json::array shards;
  for (const ShardMetrics& m : result.shards) {
    shards.push_back(
        json::object{{"ShardId", m.shard_id},
                     {"IncomingBytes", m.incoming_bytes},
                     {"IncomingRecords", m.incoming_records},
                     {"OutgoingBytes", m.outgoing_bytes},
                     {"OutgoingRecords", m.outgoing_records},
                     {"WriteProvisionedThroughputExceeded",
                      m.write_provisioned_throughput_exceeded},
                     {"ReadProvisionedThroughputExceeded",
                      m.read_provisioned_throughput_exceeded},
                     {"IteratorAgeMilliseconds", m.iterator_age_milliseconds}});
  }
  return json::object{{"Shards", std::move(shards)}};
}

absl::StatusOr<json::value> GetBrokerMetrics(Broker& broker,
                                             const JsonFields&) {
  BROOK_ASSIGN_OR_RETURN(BrokerMetrics m, broker.GetBrokerMetrics());
  json::array streams;
  for (const StreamStorageMetrics& stream : m.streams) {
    streams.push_back(json::object{{"StreamName", stream.stream},
                                   {"StoredBytes", stream.stored_bytes}});
  }
  json::array lags;
  for (const ConsumerShardLag& lag : m.consumer_lag) {
    lags.push_back(
        json::object{{"StreamName", lag.stream},
                     {"ConsumerName", lag.consumer_name},
                     {"ShardId", lag.shard_id},
                     {"MillisBehindLatest", lag.millis_behind_latest}});
  }
  return json::object{{"QueuedWriteBytes", m.queued_write_bytes},
                      {"TailCacheBytes", m.tail_cache_bytes},
                      {"WriteStallsDelayed", m.write_stalls_delayed},
                      {"WriteStallsStopped", m.write_stalls_stopped},
                      {"WriteStalled", m.write_stalled},
                      {"PendingCompactionBytes", m.pending_compaction_bytes},
                      {"OpenSubscriptions", m.open_subscriptions},
                      {"Streams", std::move(streams)},
                      {"ConsumerLag", std::move(lags)}};
}

// The optional RemoteEndpoint of a checkpoint operation; empty without it.
absl::StatusOr<std::string> RemoteEndpointOf(const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> endpoint,
                         fields.String("RemoteEndpoint"));
  return endpoint.value_or("");
}

// The stream, application and remote endpoint that GetCheckpoints and
// DeleteCheckpoints name.
absl::StatusOr<GetCheckpointsRequest> CheckpointsOf(const JsonFields& fields) {
  GetCheckpointsRequest request;
  BROOK_ASSIGN_OR_RETURN(request.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(request.application_name,
                         fields.RequiredString("ApplicationName"));
  BROOK_ASSIGN_OR_RETURN(request.remote_endpoint, RemoteEndpointOf(fields));
  return request;
}

absl::StatusOr<json::value> PutCheckpoint(Broker& broker,
                                          const JsonFields& fields) {
  PutCheckpointRequest put;
  BROOK_ASSIGN_OR_RETURN(put.stream, StreamOf(fields));
  BROOK_ASSIGN_OR_RETURN(put.application_name,
                         fields.RequiredString("ApplicationName"));
  BROOK_ASSIGN_OR_RETURN(put.shard_id, fields.RequiredString("ShardId"));
  BROOK_ASSIGN_OR_RETURN(put.remote_endpoint, RemoteEndpointOf(fields));
  BROOK_ASSIGN_OR_RETURN(absl::optional<bool> shard_end,
                         fields.Boolean("ShardEnd"));
  put.shard_end = shard_end.value_or(false);
  BROOK_ASSIGN_OR_RETURN(absl::optional<int64_t> sub,
                         fields.Integer("SubSequenceNumber"));
  put.sub_sequence_number = sub.value_or(0);
  if (!put.shard_end) {
    BROOK_ASSIGN_OR_RETURN(std::string number,
                           fields.RequiredString("SequenceNumber"));
    BROOK_ASSIGN_OR_RETURN(put.sequence_number, SequenceNumber::Parse(number));
  }
  BROOK_RETURN_IF_ERROR(broker.PutCheckpoint(put));
  return json::object();
}

absl::StatusOr<json::value> GetCheckpoints(Broker& broker,
                                           const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(GetCheckpointsRequest get, CheckpointsOf(fields));
  BROOK_ASSIGN_OR_RETURN(GetCheckpointsResult result,
                         broker.GetCheckpoints(get));
  json::array checkpoints;
  for (const Checkpoint& c : result.checkpoints) {
    json::object out{{"ShardId", c.shard_id},
                     {"SubSequenceNumber", c.sub_sequence_number},
                     {"ShardEnd", c.shard_end}};
    if (!c.shard_end) out["SequenceNumber"] = c.sequence_number.ToString();
    checkpoints.push_back(std::move(out));
  }
  return json::object{{"Checkpoints", std::move(checkpoints)}};
}

absl::StatusOr<json::value> DeleteCheckpoints(Broker& broker,
                                              const JsonFields& fields) {
  BROOK_ASSIGN_OR_RETURN(DeleteCheckpointsRequest request,
                         CheckpointsOf(fields));
  BROOK_RETURN_IF_ERROR(broker.DeleteCheckpoints(request));
  return json::object();
}

using Handler = absl::StatusOr<json::value> (*)(Broker&, const JsonFields&);

constexpr std::pair<absl::string_view, Handler> kHandlers[] = {
    {"CreateStream", &CreateStream},
    {"DescribeStreamLimits", &DescribeStreamLimits},
    {"UpdateStreamLimits", &UpdateStreamLimits},
    {"GetShardMetrics", &GetShardMetrics},
    {"GetBrokerMetrics", &GetBrokerMetrics},
    {"PutCheckpoint", &PutCheckpoint},
    {"GetCheckpoints", &GetCheckpoints},
    {"DeleteCheckpoints", &DeleteCheckpoints},
};

// The handler of `operation`, or nullptr.
Handler HandlerOf(absl::string_view operation) {
  for (const auto& [name, handler] : kHandlers) {
    if (name == operation) return handler;
  }
  return nullptr;
}

}  // namespace

bool BrookApi::Serves(absl::string_view operation) {
  return HandlerOf(operation) != nullptr;
}

absl::StatusOr<std::string> BrookApi::Call(absl::string_view operation,
                                           absl::string_view body) const {
  const Handler handler = HandlerOf(operation);
  if (handler == nullptr) {
    return MakeError(ErrorName::kUnknownOperationException,
                     absl::StrCat("unknown operation '", operation, "'"));
  }
  boost::system::error_code error;
  json::value request =
      json::parse(json::string_view(body.data(), body.size()), error);
  if (error || !request.is_object()) {
    return MakeError(ErrorName::kSerializationException,
                     "the request body is not a JSON object");
  }
  BROOK_ASSIGN_OR_RETURN(json::value response,
                         handler(*broker_, JsonFields(request.get_object())));
  return json::serialize(response);
}

}  // namespace brook
