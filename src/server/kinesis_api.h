// The Kinesis JSON 1.1 API over a Broker, independent of any transport and
// encoding: an operation name (from X-Amz-Target) and a request body's
// value tree in (Boost.JSON values, read from a JSON body or a CBOR one:
// cbor_codec.h), the response's value tree or a Kinesis error out. Call()
// and SubscribeToShard() also take and give JSON text.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `broker` must outlive the KinesisApi.

#ifndef BROOK_SERVER_KINESIS_API_H_
#define BROOK_SERVER_KINESIS_API_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "boost/json/value.hpp"
#include "brook/broker.h"
#include "server/json_fields.h"

namespace brook {

// Receives a subscription's event stream messages, in order: the initial
// response, the events, and, if it ended with an error, an exception.
// Called on the Broker's fan-out threads, which every subscription shares:
// neither method may wait.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Takes `message`. Returns false when the receiver is behind: the
  // subscription then pauses, and the sink calls Resume() on the
  // Subscription that SubscribeToShard() returned once it has room again.
  virtual bool Send(std::string message) = 0;
  // No message follows.
  virtual void End() = 0;
};

// How a subscription writes its messages' payloads: each a value tree of
// the model's shape named `shape` ("" for none) written as bytes of
// `content_type`, so that events reach a client in its request's encoding.
// `write` is called on the Broker's fan-out threads; it fails only on a tree
// it cannot write.
struct PayloadWriter {
  std::string content_type;
  std::function<absl::StatusOr<std::string>(absl::string_view shape,
                                            const boost::json::value& payload)>
      write;
};

// JSON payloads ("application/json"), as the JSON 1.1 protocol sends them.
PayloadWriter JsonPayloads();

struct KinesisApiOptions {
  // The throughput limits of the streams CreateStream makes (the JSON API
  // has no member for them). Unlimited streams serve load tests.
  // Default: Kinesis' provisioned-shard limits.
  StreamLimits new_stream_limits;
};

class KinesisApi {
 public:
  explicit KinesisApi(Broker* broker, KinesisApiOptions options = {});

  // KinesisApi::Call()
  //
  // Runs `operation` ("PutRecord", ...) with `body`, and returns the
  // response body. Fails with UnknownOperationException,
  // SerializationException (not a JSON object, a member of the wrong type),
  // ValidationException (a required member missing) or whatever the
  // operation fails with.
  absl::StatusOr<std::string> Call(absl::string_view operation,
                                   absl::string_view body);

  // KinesisApi::Run()
  //
  // As Call(), with the request's value tree, whose blobs are in the form
  // `blobs` (request_validator.h decodes them in place: `request` is used
  // up). Returns the response's value tree, null for an operation without
  // output (its answer has an empty body). Blob members of the response
  // are base64 text, timestamps doubles of epoch seconds. The response may
  // take its memory from `request`'s storage (an operation's answer of
  // many entries does): use it only while that storage lives.
  absl::StatusOr<boost::json::value> Run(absl::string_view operation,
                                         boost::json::value& request,
                                         BlobForm blobs);

  // KinesisApi::SubscribeToShard()
  //
  // Starts the subscription `body` asks for (ConsumerARN, ShardId,
  // StartingPosition) and streams it to `sink` as event stream messages:
  // "initial-response" first, then a "SubscribeToShardEvent" per event.
  // Fails before sending anything as Call() does. The subscription lasts
  // until it ends by itself (then `sink` is ended) or the result is
  // destroyed; `sink` must outlive the result. A sink that refuses a
  // message (Send() returns false) pauses the subscription until it calls
  // the result's Resume().
  absl::StatusOr<std::unique_ptr<Subscription>> SubscribeToShard(
      absl::string_view body, EventSink* sink);
  // As above, with the request's value tree (see Run()), and payloads
  // written by `payloads` (above, JSON ones).
  absl::StatusOr<std::unique_ptr<Subscription>> SubscribeToShard(
      boost::json::value& request, BlobForm blobs, PayloadWriter payloads,
      EventSink* sink);

 private:
  using Handler = std::function<absl::StatusOr<boost::json::value>(
      KinesisApi&, const boost::json::object& request)>;
  // Every operation of the model, each with its handler.
  static absl::flat_hash_map<std::string, Handler> Handlers();

  // The stream the request names, which must exist (ResourceNotFound-
  // Exception otherwise), followed by `error`: for requests that need a
  // feature brookd's streams do not have.
  absl::StatusOr<boost::json::value> RefuseForStream(
      const boost::json::object& request, absl::Status error);

  absl::StatusOr<boost::json::value> CreateStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DeleteStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DescribeStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DescribeStreamSummary(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> ListStreams(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> ListShards(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> IncreaseStreamRetentionPeriod(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DecreaseStreamRetentionPeriod(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> AddTagsToStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> RemoveTagsFromStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> ListTagsForStream(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> SplitShard(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> MergeShards(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> UpdateShardCount(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> PutRecord(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> PutRecords(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> GetShardIterator(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> GetRecords(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> RegisterStreamConsumer(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DeregisterStreamConsumer(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> DescribeStreamConsumer(
      const boost::json::object& request);
  absl::StatusOr<boost::json::value> ListStreamConsumers(
      const boost::json::object& request);

  Broker* const broker_;
  const KinesisApiOptions options_;
  const absl::flat_hash_map<std::string, Handler> handlers_;
};

}  // namespace brook

#endif  // BROOK_SERVER_KINESIS_API_H_
