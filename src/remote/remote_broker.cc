#include "remote/remote_broker.h"

#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "aws/event_stream.h"
#include "aws/sigv4.h"
#include "boost/asio/post.hpp"
#include "boost/asio/thread_pool.hpp"
#include "common/brook_target.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "remote/kinesis_json.h"

namespace brook {
namespace {

constexpr char kJsonContentType[] = "application/x-amz-json-1.1";
constexpr char kService[] = "kinesis";

bool IsArn(absl::string_view stream) {
  return absl::StartsWith(stream, "arn:");
}

// Whether an answer says that the endpoint does not know a Brook operation.
bool IsUnknownOperation(const absl::Status& status) {
  return ErrorNameOf(status) == ErrorName::kUnknownOperationException;
}

// Whether the answer to a request under Brook's target prefix says that
// the endpoint does not know the target: UnknownOperationException
// (kinesalite), SerializationException, or the AccessDeniedException with
// which AWS refuses a target it cannot name (Amazon Kinesis, kinesis-mock;
// brookd answers the same to a target it does not know).
bool UnknownTarget(const absl::Status& status) {
  switch (ErrorNameOf(status)) {
    case ErrorName::kUnknownOperationException:
    case ErrorName::kSerializationException:
      return true;
    case ErrorName::kAccessDeniedException:
      return absl::StrContains(status.message(),
                               "Unable to determine service/operation name");
    default:
      return false;
  }
}

// Reads brookd's 503 answer to GET /health, "<write status>: <reason>\n"
// (server/http_server.cc), into `state`; leaves any other body alone.
void ParseHealth(absl::string_view body, WriteState* state) {
  for (WriteStatus status :
       {WriteStatus::kLowSpace, WriteStatus::kStoppedNoSpace,
        WriteStatus::kStopped}) {
    absl::string_view reason = absl::StripSuffix(body, "\n");
    if (!absl::ConsumePrefix(&reason, WriteStatusToString(status)) ||
        !absl::ConsumePrefix(&reason, ": ")) {
      continue;
    }
    state->status = status;
    state->reason = status == WriteStatus::kStopped ? InternalFailure(reason)
                                                    : NoSpace(reason);
    return;
  }
}

class RemoteSubscription;

// The live subscriptions of a RemoteBroker, which Close() ends.
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
class LiveSubscriptions {
 public:
  // Adds `subscription`; false once EndAll() has run.
  bool Add(RemoteSubscription* subscription);
  void Remove(RemoteSubscription* subscription);
  // Ends every live subscription (its handler's OnEnd gets InternalFailure)
  // and refuses later ones. Returns once no handler runs.
  void EndAll();

 private:
  absl::Mutex mu_;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<RemoteSubscription*> live_ ABSL_GUARDED_BY(mu_);
};

// A subscription's event stream, read on a thread of its own.
class RemoteSubscription final : public Subscription {
 public:
  RemoteSubscription(std::unique_ptr<HttpStream> stream,
                     SubscriptionHandler* handler, LiveSubscriptions* live)
      : stream_(std::move(stream)), handler_(handler), live_(live) {}
  ~RemoteSubscription() override { Cancel(); }

  // Starts reading; false (and nothing started) if the Broker has closed.
  bool Start() {
    if (!live_->Add(this)) return false;
    thread_ = std::thread([this] { Run(); });
    return true;
  }

  void Cancel() override {
    cancelled_.store(true);
    Stop();
    live_->Remove(this);
  }

  // Ends the subscription because its Broker closes: the handler's OnEnd
  // gets InternalFailure, unless Cancel() came first.
  void EndForClose() {
    closing_.store(true);
    Stop();
  }

  void Resume() override {
    absl::MutexLock lock(&pause_mu_);
    resumed_ = true;
  }

 private:
  bool stopping() const { return cancelled_.load() || closing_.load(); }

  // Wakes a paused reader, breaks the stream and waits for the reader.
  void Stop() {
    {
      absl::MutexLock lock(&pause_mu_);
      resumed_ = true;
    }
    stream_->Cancel();
    absl::MutexLock lock(&join_mu_);
    if (thread_.joinable()) thread_.join();
  }

  // Delivers `event`. A handler that asks for a pause stops the reading of
  // its stream, so that the endpoint stops sending (flow control: TCP's, or
  // HTTP/2's window), until Resume(), Cancel() or Close(). A Resume() that
  // comes before the wait (even from another thread while the handler
  // returns) is not lost: it counts from the event's delivery on.
  void Deliver(const SubscribeToShardEvent& event) {
    {
      absl::MutexLock lock(&pause_mu_);
      resumed_ = false;
    }
    if (handler_->OnEvent(event) != Demand::kPause) return;
    absl::MutexLock lock(&pause_mu_);
    auto resumed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pause_mu_) {
      return resumed_ || stopping();
    };
    pause_mu_.Await(absl::Condition(&resumed));
  }

  void Run() {
    const absl::Status end = Pump();
    if (cancelled_.load()) return;
    handler_->OnEnd(closing_.load() ? InternalFailure("the Broker is closed")
                                    : end);
  }

  // Reads and delivers events until the stream ends: OK at its end, the
  // exception the endpoint sent, or InternalFailure. Bytes are read only
  // once the handler has taken every whole event read before, so that
  // HTTP/2's window follows the handler.
  absl::Status Pump() {
    EventStreamDecoder decoder;
    for (;;) {
      for (;;) {
        BROOK_ASSIGN_OR_RETURN(absl::optional<EventStreamMessage> message,
                               decoder.Next());
        if (!message.has_value()) break;
        if (message->Header(":message-type") != "event") {
          return kinesis_json::DecodeError(
              400, message->Header(":exception-type"), message->payload);
        }
        if (message->Header(":event-type") != "SubscribeToShardEvent") {
          continue;  // The initial response.
        }
        BROOK_ASSIGN_OR_RETURN(
            SubscribeToShardEvent event,
            kinesis_json::DecodeSubscribeToShardEvent(message->payload));
        if (stopping()) return absl::OkStatus();
        Deliver(event);
      }
      BROOK_ASSIGN_OR_RETURN(std::string bytes, stream_->Read());
      if (bytes.empty()) {
        if (decoder.buffered_bytes() > 0) {
          return InternalFailure("the event stream ended inside a message");
        }
        return absl::OkStatus();
      }
      decoder.Append(bytes);
    }
  }

  std::unique_ptr<HttpStream> stream_;
  SubscriptionHandler* const handler_;
  LiveSubscriptions* const live_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> closing_{false};
  absl::Mutex pause_mu_;
  // Whether Resume() (or a stop) came since the last event was delivered.
  bool resumed_ ABSL_GUARDED_BY(pause_mu_) = false;
  absl::Mutex join_mu_;
  std::thread thread_;
};

bool LiveSubscriptions::Add(RemoteSubscription* subscription) {
  absl::MutexLock lock(&mu_);
  if (ended_) return false;
  live_.insert(subscription);
  return true;
}

void LiveSubscriptions::Remove(RemoteSubscription* subscription) {
  absl::MutexLock lock(&mu_);
  live_.erase(subscription);
}

void LiveSubscriptions::EndAll() {
  // Held throughout, so that a subscription being ended is not destroyed
  // meanwhile (its Cancel() waits in Remove()).
  absl::MutexLock lock(&mu_);
  ended_ = true;
  for (RemoteSubscription* subscription : live_) subscription->EndForClose();
  live_.clear();
}

class RemoteBroker final : public Broker {
 public:
  RemoteBroker(const ConnectOptions& options, AwsSettings settings,
               std::unique_ptr<HttpClient> client)
      : options_(options),
        settings_(std::move(settings)),
        client_(std::move(client)),
        quota_(options.retry_quota),
        async_(static_cast<size_t>(options.async_threads)) {}

  ~RemoteBroker() override { Close().IgnoreError(); }

  absl::Status CreateStream(const CreateStreamRequest& request) override {
    absl::Status created = absl::OkStatus();
    const bool default_limits = request.options.limits == StreamLimits();
    if (brook_ops_.load() != kNo || !default_limits) {
      // brookd takes the limits with the stream.
      created = CallBrook("CreateStream",
                          kinesis_json::EncodeCreateStream(request, true))
                    .status();
    }
    if ((brook_ops_.load() == kNo || IsUnknownOperation(created)) &&
        default_limits) {
      created = CallKinesis("CreateStream",
                            kinesis_json::EncodeCreateStream(request, false))
                    .status();
    }
    BROOK_RETURN_IF_ERROR(created);
    return WaitUntilActive(request.stream_name);
  }

  absl::Status DeleteStream(const DeleteStreamRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("DeleteStream", kinesis_json::EncodeDeleteStream(request))
            .status());
    return WaitUntil(request.stream, [this](absl::string_view stream) {
      absl::StatusOr<StreamDescriptionSummary> summary = Summary(stream);
      if (ErrorNameOf(summary.status()) ==
          ErrorName::kResourceNotFoundException) {
        return absl::StatusOr<bool>(true);
      }
      if (!summary.ok()) return absl::StatusOr<bool>(summary.status());
      return absl::StatusOr<bool>(false);
    });
  }

  absl::StatusOr<StreamDescription> DescribeStream(
      const DescribeStreamRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("DescribeStream",
                    kinesis_json::EncodeDescribeStream(request)));
    return kinesis_json::DecodeDescribeStream(body);
  }

  absl::StatusOr<StreamDescriptionSummary> DescribeStreamSummary(
      const DescribeStreamSummaryRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary,
                           Summary(request.stream));
    if (brook_ops_.load() == kNo) return summary;
    absl::StatusOr<std::string> limits = CallBrook(
        "DescribeStreamLimits", kinesis_json::EncodeStreamOnly(request.stream));
    if (IsUnknownOperation(limits.status())) return summary;
    BROOK_RETURN_IF_ERROR(limits.status());
    BROOK_ASSIGN_OR_RETURN(summary.limits,
                           kinesis_json::DecodeDescribeStreamLimits(*limits));
    return summary;
  }

  absl::StatusOr<DescribeLimitsResult> DescribeLimits() override {
    BROOK_ASSIGN_OR_RETURN(std::string body,
                           CallKinesis("DescribeLimits", "{}"));
    return kinesis_json::DecodeDescribeLimits(body);
  }

  absl::StatusOr<ListStreamsResult> ListStreams(
      const ListStreamsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("ListStreams", kinesis_json::EncodeListStreams(request)));
    return kinesis_json::DecodeListStreams(body);
  }

  absl::StatusOr<ListShardsResult> ListShards(
      const ListShardsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("ListShards", kinesis_json::EncodeListShards(request)));
    return kinesis_json::DecodeListShards(body);
  }

  absl::Status AddTagsToStream(const AddTagsToStreamRequest& request) override {
    return CallKinesis("AddTagsToStream", kinesis_json::EncodeAddTags(request))
        .status();
  }

  absl::Status RemoveTagsFromStream(
      const RemoveTagsFromStreamRequest& request) override {
    return CallKinesis("RemoveTagsFromStream",
                       kinesis_json::EncodeRemoveTags(request))
        .status();
  }

  absl::StatusOr<ListTagsForStreamResult> ListTagsForStream(
      const ListTagsForStreamRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(std::string body,
                           CallKinesis("ListTagsForStream",
                                       kinesis_json::EncodeListTags(request)));
    return kinesis_json::DecodeListTags(body);
  }

  absl::Status TagResource(const TagResourceRequest& request) override {
    return CallKinesis("TagResource", kinesis_json::EncodeTagResource(request))
        .status();
  }

  absl::Status UntagResource(const UntagResourceRequest& request) override {
    return CallKinesis("UntagResource",
                       kinesis_json::EncodeUntagResource(request))
        .status();
  }

  absl::StatusOr<std::vector<Tag>> ListTagsForResource(
      absl::string_view resource_arn) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("ListTagsForResource",
                    kinesis_json::EncodeResourceArn(resource_arn)));
    BROOK_ASSIGN_OR_RETURN(ListTagsForStreamResult result,
                           kinesis_json::DecodeListTags(body));
    return std::move(result.tags);
  }

  absl::Status UpdateMaxRecordSize(
      const UpdateMaxRecordSizeRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("UpdateMaxRecordSize",
                    kinesis_json::EncodeUpdateMaxRecordSize(request))
            .status());
    return WaitUntilActive(request.stream);
  }

  absl::Status UpdateStreamMode(
      const UpdateStreamModeRequest& request) override {
    // Kinesis names the stream by its ARN only.
    UpdateStreamModeRequest by_arn = request;
    if (!absl::StartsWith(request.stream, "arn:")) {
      BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary,
                             DescribeStreamSummary({request.stream}));
      by_arn.stream = summary.stream_arn;
    }
    BROOK_RETURN_IF_ERROR(
        CallKinesis("UpdateStreamMode",
                    kinesis_json::EncodeUpdateStreamMode(by_arn))
            .status());
    return WaitUntilActive(by_arn.stream);
  }

  // Kinesis answers at once and applies the change while the stream is
  // UPDATING: wait for it, so that records put after the call are sealed,
  // as with a local Broker.
  absl::Status StartStreamEncryption(
      const StreamEncryptionRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("StartStreamEncryption",
                    kinesis_json::EncodeStreamEncryption(request))
            .status());
    return WaitUntilActive(request.stream);
  }

  absl::Status StopStreamEncryption(
      const StreamEncryptionRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("StopStreamEncryption",
                    kinesis_json::EncodeStreamEncryption(request))
            .status());
    return WaitUntilActive(request.stream);
  }

  absl::StatusOr<EnhancedMonitoringResult> EnableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) override {
    return EnhancedMonitoring("EnableEnhancedMonitoring", request);
  }

  absl::StatusOr<EnhancedMonitoringResult> DisableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) override {
    return EnhancedMonitoring("DisableEnhancedMonitoring", request);
  }

  absl::Status PutResourcePolicy(
      const PutResourcePolicyRequest& request) override {
    return CallKinesis("PutResourcePolicy",
                       kinesis_json::EncodePutResourcePolicy(request))
        .status();
  }

  absl::StatusOr<std::string> GetResourcePolicy(
      absl::string_view resource_arn) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("GetResourcePolicy",
                    kinesis_json::EncodeResourceArn(resource_arn)));
    return kinesis_json::DecodeResourcePolicy(body);
  }

  absl::Status DeleteResourcePolicy(absl::string_view resource_arn) override {
    return CallKinesis("DeleteResourcePolicy",
                       kinesis_json::EncodeResourceArn(resource_arn))
        .status();
  }

  absl::Status SplitShard(const SplitShardRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("SplitShard", kinesis_json::EncodeSplitShard(request))
            .status());
    return WaitUntilActive(request.stream);
  }

  absl::Status MergeShards(const MergeShardsRequest& request) override {
    BROOK_RETURN_IF_ERROR(
        CallKinesis("MergeShards", kinesis_json::EncodeMergeShards(request))
            .status());
    return WaitUntilActive(request.stream);
  }

  absl::StatusOr<UpdateShardCountResult> UpdateShardCount(
      const UpdateShardCountRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("UpdateShardCount",
                    kinesis_json::EncodeUpdateShardCount(request)));
    BROOK_ASSIGN_OR_RETURN(UpdateShardCountResult result,
                           kinesis_json::DecodeUpdateShardCount(body));
    BROOK_RETURN_IF_ERROR(WaitUntilActive(request.stream));
    return result;
  }

  absl::Status IncreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) override {
    BROOK_RETURN_IF_ERROR(CallKinesis("IncreaseStreamRetentionPeriod",
                                      kinesis_json::EncodeRetention(request))
                              .status());
    return WaitUntilActive(request.stream);
  }

  absl::Status DecreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) override {
    BROOK_RETURN_IF_ERROR(CallKinesis("DecreaseStreamRetentionPeriod",
                                      kinesis_json::EncodeRetention(request))
                              .status());
    return WaitUntilActive(request.stream);
  }

  absl::Status UpdateStreamLimits(
      const UpdateStreamLimitsRequest& request) override {
    return CallBrook("UpdateStreamLimits",
                     kinesis_json::EncodeUpdateStreamLimits(request))
        .status();
  }

  absl::StatusOr<GetShardMetricsResult> GetShardMetrics(
      const GetShardMetricsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallBrook("GetShardMetrics",
                  kinesis_json::EncodeStreamOnly(request.stream)));
    return kinesis_json::DecodeShardMetrics(body);
  }

  absl::StatusOr<BrokerMetrics> GetBrokerMetrics() override {
    BROOK_ASSIGN_OR_RETURN(std::string body,
                           CallBrook("GetBrokerMetrics", "{}"));
    return kinesis_json::DecodeBrokerMetrics(body);
  }

  absl::StatusOr<PutRecordResult> PutRecord(
      const PutRecordRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("PutRecord", kinesis_json::EncodePutRecord(request)));
    return kinesis_json::DecodePutRecord(body);
  }

  void PutRecordAsync(PutRecordRequest request,
                      PutRecordCallback done) override {
    RunAsync(
        [this, request = std::move(request), done = std::move(done)]() mutable {
          std::move(done)(PutRecord(request));
        });
  }

  absl::StatusOr<PutRecordsResult> PutRecords(
      const PutRecordsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("PutRecords", kinesis_json::EncodePutRecords(request)));
    BROOK_ASSIGN_OR_RETURN(PutRecordsResult result,
                           kinesis_json::DecodePutRecords(body));
    if (result.records.size() != request.records.size()) {
      return InternalFailure(absl::StrCat(
          "PutRecords to ", client_->endpoint().ToString(), " answered ",
          result.records.size(), " results for ", request.records.size(),
          " records; their outcome is unknown"));
    }
    return result;
  }

  void PutRecordsAsync(PutRecordsRequest request,
                       PutRecordsCallback done) override {
    RunAsync(
        [this, request = std::move(request), done = std::move(done)]() mutable {
          std::move(done)(PutRecords(request));
        });
  }

  absl::StatusOr<GetShardIteratorResult> GetShardIterator(
      const GetShardIteratorRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("GetShardIterator",
                    kinesis_json::EncodeGetShardIterator(request)));
    return kinesis_json::DecodeGetShardIterator(body);
  }

  absl::StatusOr<GetRecordsResult> GetRecords(
      const GetRecordsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("GetRecords", kinesis_json::EncodeGetRecords(request)));
    return kinesis_json::DecodeGetRecords(body);
  }

  absl::StatusOr<Consumer> RegisterStreamConsumer(
      const RegisterStreamConsumerRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(std::string arn, StreamArn(request.stream));
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("RegisterStreamConsumer",
                    kinesis_json::EncodeRegisterConsumer(request, arn)));
    BROOK_ASSIGN_OR_RETURN(Consumer consumer,
                           kinesis_json::DecodeConsumer(body));
    ConsumerRef ref;
    ref.consumer_arn = consumer.consumer_arn;
    BROOK_RETURN_IF_ERROR(WaitUntil(
        "", [this, &ref, &consumer](absl::string_view) -> absl::StatusOr<bool> {
          BROOK_ASSIGN_OR_RETURN(consumer, DescribeStreamConsumer(ref));
          return consumer.consumer_status == ConsumerStatus::kActive;
        }));
    return consumer;
  }

  absl::Status DeregisterStreamConsumer(const ConsumerRef& ref) override {
    return CallConsumer("DeregisterStreamConsumer", ref).status();
  }

  absl::StatusOr<Consumer> DescribeStreamConsumer(
      const ConsumerRef& ref) override {
    BROOK_ASSIGN_OR_RETURN(std::string body,
                           CallConsumer("DescribeStreamConsumer", ref));
    return kinesis_json::DecodeConsumer(body);
  }

  absl::StatusOr<ListStreamConsumersResult> ListStreamConsumers(
      const ListStreamConsumersRequest& request) override {
    std::string arn;
    if (request.next_token.empty()) {
      BROOK_ASSIGN_OR_RETURN(arn, StreamArn(request.stream));
    }
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis("ListStreamConsumers",
                    kinesis_json::EncodeListConsumers(request, arn)));
    return kinesis_json::DecodeListConsumers(body);
  }

  absl::StatusOr<std::unique_ptr<Subscription>> SubscribeToShard(
      const SubscribeToShardRequest& request,
      SubscriptionHandler* handler) override {
    BROOK_RETURN_IF_ERROR(CheckOpen());
    const std::string body = kinesis_json::EncodeSubscribeToShard(request);
    BROOK_ASSIGN_OR_RETURN(
        std::unique_ptr<HttpStream> stream,
        client_->OpenStream(
            Signed(kKinesisTargetPrefix, "SubscribeToShard", body)));
    if (stream->head().status != 200) {
      std::string body;
      for (;;) {
        BROOK_ASSIGN_OR_RETURN(std::string bytes, stream->Read());
        if (bytes.empty() || body.size() > (size_t{1} << 20)) break;
        body += bytes;
      }
      return kinesis_json::DecodeError(stream->head().status, "", body);
    }
    auto subscription = std::make_unique<RemoteSubscription>(
        std::move(stream), handler, &subscriptions_);
    if (!subscription->Start()) return CheckOpen();
    return std::unique_ptr<Subscription>(std::move(subscription));
  }

  absl::Status PutCheckpoint(const PutCheckpointRequest& request) override {
    return CallBrook("PutCheckpoint",
                     kinesis_json::EncodePutCheckpoint(request))
        .status();
  }

  absl::StatusOr<GetCheckpointsResult> GetCheckpoints(
      const GetCheckpointsRequest& request) override {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallBrook("GetCheckpoints",
                  kinesis_json::EncodeGetCheckpoints(request)));
    return kinesis_json::DecodeGetCheckpoints(body);
  }

  absl::Status DeleteCheckpoints(
      const DeleteCheckpointsRequest& request) override {
    return CallBrook("DeleteCheckpoints",
                     kinesis_json::EncodeGetCheckpoints(request))
        .status();
  }

  std::string Endpoint() const override {
    return client_->endpoint().ToString();
  }

  // A backup is written by the process that holds the data directory; over
  // the wire there is no destination both sides can name.
  absl::StatusOr<BackupResult> Backup(const BackupRequest&) override {
    return MakeError(ErrorName::kUnknownOperationException,
                     absl::StrCat("Backup is not available through ",
                                  client_->endpoint().ToString(),
                                  ": back up the data directory in the "
                                  "process that holds it"));
  }

  // The server's write state, from brookd's GET /health. An endpoint
  // without it (Kinesis itself) counts as accepting: its writes report
  // their own failures. An endpoint that cannot be reached counts as
  // stopped, with the transport failure as the reason, until it answers.
  WriteState GetWriteState() const override {
    WriteState state;
    if (absl::Status open = CheckOpen(); !open.ok()) {
      state.status = WriteStatus::kStopped;
      state.reason = open;
      return state;
    }
    absl::StatusOr<HttpResponse> health = client_->Get("/health");
    if (!health.ok()) {
      state.status = WriteStatus::kStopped;
      state.reason = health.status();
      return state;
    }
    if (health->status == 503) ParseHealth(health->body, &state);
    return state;
  }

  absl::Status Close() override {
    if (closed_.exchange(true)) return absl::OkStatus();
    async_.join();  // Completes every asynchronous put already accepted.
    subscriptions_.EndAll();
    return absl::OkStatus();
  }

 private:
  // What the endpoint answered to a Brook operation so far.
  enum BrookOps { kUnknown, kYes, kNo };

  absl::Status CheckOpen() const {
    if (closed_.load()) return InternalFailure("the Broker is closed");
    return absl::OkStatus();
  }

  // The request to send `body` (which it views) to `operation`.
  HttpRequest Signed(absl::string_view prefix, absl::string_view operation,
                     absl::string_view body) const {
    SignableRequest signable;
    signable.method = "POST";
    signable.path = "/";
    signable.headers = {{"Host", client_->endpoint().HostHeader()},
                        {"Content-Type", kJsonContentType},
                        {"X-Amz-Target", absl::StrCat(prefix, operation)}};
    signable.payload = body;
    SignRequest(signable, settings_.credentials, settings_.region, kService,
                absl::Now());
    HttpRequest request;
    request.headers = std::move(signable.headers);
    request.body = body;
    return request;
  }

  // One call with the standard mode's retries: the body of a 200 answer,
  // or the error of the last attempt.
  absl::StatusOr<std::string> Call(absl::string_view prefix,
                                   absl::string_view operation,
                                   const std::string& body) {
    BROOK_RETURN_IF_ERROR(CheckOpen());
    int tokens_taken = 0;
    absl::optional<absl::BitGen> random;  // Only if a retry needs it.
    for (int attempt = 1;; ++attempt) {
      bool timed_out = false;
      absl::StatusOr<HttpResponse> response =
          client_->Post(Signed(prefix, operation, body), &timed_out);
      if (response.ok() && response->status == 200) {
        quota_.OnSuccess(tokens_taken);
        return std::move(response->body);
      }
      absl::Status error =
          response.ok()
              ? kinesis_json::DecodeError(response->status, "", response->body)
              : response.status();
      const AttemptFailure failure = ClassifyFailure(
          !response.ok(), timed_out, response.ok() ? response->status : 0,
          response.ok() ? kinesis_json::ErrorTypeOf("", response->body) : "");
      if (failure == AttemptFailure::kFinal ||
          attempt >= options_.max_attempts || !quota_.TryAcquire(failure)) {
        return error;
      }
      tokens_taken += RetryCost(failure);
      if (!random.has_value()) random.emplace();
      Sleep(StandardBackoff(options_, attempt, *random));
    }
  }

  absl::StatusOr<std::string> CallKinesis(absl::string_view operation,
                                          const std::string& body) {
    return Call(kKinesisTargetPrefix, operation, body);
  }

  absl::StatusOr<EnhancedMonitoringResult> EnhancedMonitoring(
      absl::string_view operation, const EnhancedMonitoringRequest& request) {
    BROOK_ASSIGN_OR_RETURN(
        std::string body,
        CallKinesis(operation,
                    kinesis_json::EncodeEnhancedMonitoring(request)));
    return kinesis_json::DecodeEnhancedMonitoring(body);
  }

  // A Brook operation: an endpoint that does not know it makes it fail
  // with UnknownOperationException naming the endpoint.
  absl::StatusOr<std::string> CallBrook(absl::string_view operation,
                                        const std::string& body) {
    if (brook_ops_.load() == kNo) return NotServed(operation, "");
    absl::StatusOr<std::string> answer =
        Call(kBrookTargetPrefix, operation, body);
    if (UnknownTarget(answer.status())) {
      brook_ops_.store(kNo);
      return NotServed(operation, answer.status().message());
    }
    if (answer.ok()) brook_ops_.store(kYes);
    return answer;
  }

  absl::Status NotServed(absl::string_view operation,
                         absl::string_view answer) const {
    return MakeError(ErrorName::kUnknownOperationException,
                     absl::StrCat(operation, " is a Brook operation, which ",
                                  client_->endpoint().ToString(),
                                  " does not serve (only brookd does)",
                                  answer.empty() ? "" : ": ", answer));
  }

  absl::StatusOr<std::string> CallConsumer(absl::string_view operation,
                                           const ConsumerRef& ref) {
    std::string arn;
    if (ref.consumer_arn.empty() && !ref.stream.empty()) {
      BROOK_ASSIGN_OR_RETURN(arn, StreamArn(ref.stream));
    }
    return CallKinesis(operation, kinesis_json::EncodeConsumerRef(ref, arn));
  }

  absl::StatusOr<StreamDescriptionSummary> Summary(absl::string_view stream) {
    BROOK_ASSIGN_OR_RETURN(std::string body,
                           CallKinesis("DescribeStreamSummary",
                                       kinesis_json::EncodeStreamOnly(stream)));
    return kinesis_json::DecodeDescribeStreamSummary(body);
  }

  // The consumer operations take a stream's ARN.
  absl::StatusOr<std::string> StreamArn(absl::string_view stream) {
    if (IsArn(stream)) return std::string(stream);
    BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary, Summary(stream));
    return summary.stream_arn;
  }

  // Polls `done(stream)` until it is true, fails, or ConnectOptions::
  // wait_timeout passes.
  absl::Status WaitUntil(
      absl::string_view stream,
      const std::function<absl::StatusOr<bool>(absl::string_view)>& done) {
    if (options_.wait_timeout <= absl::ZeroDuration()) return absl::OkStatus();
    const absl::Time deadline = absl::Now() + options_.wait_timeout;
    for (;;) {
      BROOK_ASSIGN_OR_RETURN(bool finished, done(stream));
      if (finished) return absl::OkStatus();
      if (absl::Now() >= deadline) {
        return InternalFailure(
            absl::StrCat("the change was accepted but not finished within ",
                         absl::FormatDuration(options_.wait_timeout)));
      }
      Sleep(options_.wait_poll_interval);
    }
  }

  absl::Status WaitUntilActive(absl::string_view stream) {
    return WaitUntil(
        stream, [this](absl::string_view s) -> absl::StatusOr<bool> {
          BROOK_ASSIGN_OR_RETURN(StreamDescriptionSummary summary, Summary(s));
          return summary.stream_status == StreamStatus::kActive;
        });
  }

  void Sleep(absl::Duration pause) const {
    if (options_.sleep) {
      options_.sleep(pause);
    } else {
      absl::SleepFor(pause);
    }
  }

  // Runs `put` on the pool, waiting first while too many are pending.
  template <typename Put>
  void RunAsync(Put put) {
    {
      absl::MutexLock lock(&async_mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(async_mu_) {
        return pending_async_ < options_.max_pending_async_puts;
      };
      async_mu_.Await(absl::Condition(&room));
      ++pending_async_;
    }
    boost::asio::post(async_, [this, put = std::move(put)]() mutable {
      put();
      absl::MutexLock lock(&async_mu_);
      --pending_async_;
    });
  }

  const ConnectOptions options_;
  const AwsSettings settings_;
  const std::unique_ptr<HttpClient> client_;
  RetryQuota quota_;
  std::atomic<int> brook_ops_{kUnknown};
  std::atomic<bool> closed_{false};
  absl::Mutex async_mu_;
  int pending_async_ ABSL_GUARDED_BY(async_mu_) = 0;
  boost::asio::thread_pool async_;
  LiveSubscriptions subscriptions_;
};

}  // namespace

absl::Status ConnectOptions::Validate() const {
  if (max_attempts < 1)
    return InvalidArgument("max_attempts must be at least 1");
  if (retry_quota < 0)
    return InvalidArgument("retry_quota must not be negative");
  if (max_idle_connections < 0) {
    return InvalidArgument("max_idle_connections must not be negative");
  }
  if (subscribe_window_bytes < 65535) {
    return InvalidArgument("subscribe_window_bytes must be at least 65535");
  }
  if (async_threads < 1 || max_pending_async_puts < 1) {
    return InvalidArgument(
        "async_threads and max_pending_async_puts must be at least 1");
  }
  if (connect_timeout <= absl::ZeroDuration() ||
      request_timeout <= absl::ZeroDuration()) {
    return InvalidArgument(
        "connect_timeout and request_timeout must be positive");
  }
  if (backoff_base < absl::ZeroDuration() ||
      max_backoff < absl::ZeroDuration() ||
      wait_timeout < absl::ZeroDuration() ||
      wait_poll_interval < absl::ZeroDuration()) {
    return InvalidArgument("durations must not be negative");
  }
  if (access_key_id.empty() != secret_access_key.empty()) {
    return InvalidArgument(
        "access_key_id and secret_access_key must be given together");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Broker>> ConnectWithSettings(
    const ConnectOptions& options, const AwsSettings& settings) {
  BROOK_RETURN_IF_ERROR(options.Validate());
  BROOK_ASSIGN_OR_RETURN(HttpEndpoint endpoint,
                         HttpEndpoint::Parse(settings.endpoint));
  HttpClientOptions http;
  http.connect_timeout = options.connect_timeout;
  http.request_timeout = options.request_timeout;
  http.max_idle_connections = options.max_idle_connections;
  http.ca_file = options.ca_file;
  http.verify_peer = options.verify_tls;
  http.streams_over_http2 =
      options.subscribe_http_version == SubscribeHttpVersion::kHttp2;
  http.stream_window_bytes = options.subscribe_window_bytes;
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client,
                         HttpClient::Create(std::move(endpoint), http));
  return std::unique_ptr<Broker>(
      new RemoteBroker(options, settings, std::move(client)));
}

absl::StatusOr<std::unique_ptr<Broker>> Broker::Connect(
    const ConnectOptions& options, absl::string_view endpoint) {
  BROOK_RETURN_IF_ERROR(options.Validate());
  AwsSettings wanted;
  wanted.credentials = AwsCredentials{
      options.access_key_id, options.secret_access_key, options.session_token};
  wanted.profile = options.profile;
  wanted.region = options.region;
  wanted.endpoint = std::string(endpoint);
  BROOK_ASSIGN_OR_RETURN(AwsSettings settings,
                         ResolveAwsSettings(wanted, Environment::Process()));
  return ConnectWithSettings(options, settings);
}

}  // namespace brook
