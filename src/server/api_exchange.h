// The request path that every brookd transport shares. HTTP/1.1 and
// HTTP/2, over TCP or TLS, turn what they read into a RequestHead and a
// body, and write back the ApiResponse (or the event stream) they get here;
// which operation runs, how the request is authenticated and how its body
// is encoded (JSON 1.1 or CBOR) are decided here once, so the transports
// never see operations and the operations never see transports or
// encodings.
//
//   transport ──RequestHead──▶ Route / CheckBeforeBody (no body read yet)
//             ──head + body──▶ Call / Subscribe ──▶ KinesisApi
//             ◀──ApiResponse / encoded event stream messages──
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization (it holds no mutable state).
// Lifetime: `api` and `broker` must outlive the ApiExchange.

#ifndef BROOK_SERVER_API_EXCHANGE_H_
#define BROOK_SERVER_API_EXCHANGE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/broker.h"
#include "brook/clock.h"
#include "server/brook_api.h"
#include "server/kinesis_api.h"
#include "server/server_metrics.h"
#include "server/sigv4.h"

namespace brook {

// A request's method, target and headers, as a transport received them.
struct RequestHead {
  std::string method;     // "POST"
  std::string target;     // Path and query: "/", "/metrics?x=1".
  std::string authority;  // Host, or HTTP/2's :authority.
  // Every header but HTTP/2's pseudo-headers, names as received.
  std::vector<std::pair<std::string, std::string>> headers;
  // Whether the client is this machine, over loopback (web_console.h).
  bool from_loopback = false;

  // The first header named `name` (case-insensitive), or nullptr.
  const std::string* Find(absl::string_view name) const;
};

// How an API request's and its response's bodies are encoded, from the
// request's Content-Type: the Kinesis JSON 1.1 protocol, or its CBOR form
// (cbor_codec.h), which the Java SDK sends by default.
enum class BodyEncoding { kJson, kCbor };
BodyEncoding EncodingOf(const RequestHead& head);

// What a request is for, from its method and target.
enum class Route { kApi, kHealth, kMetrics, kConsole, kRefused };
Route RouteOf(const RequestHead& head);

struct ApiResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  // Further response headers (the console's caching and security headers).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiExchangeOptions {
  // Secret access keys by access key id; see HttpServerOptions.
  absl::flat_hash_map<std::string, std::string> credentials;
  // See HttpServerOptions::metrics_token.
  std::string metrics_token;
  // Where requests are counted and timed, and what GET /metrics adds of the
  // server's own (not owned; null: requests are not counted).
  ServerMetrics* metrics = nullptr;
  // Times requests for `metrics`.
  Clock* clock = Clock::Real();
};

class ApiExchange {
 public:
  ApiExchange(KinesisApi* api, Broker* broker, ApiExchangeOptions options);

  // ApiExchange::CheckBeforeBody()
  //
  // What can be checked of an API request before its body is read: with
  // credentials, its signature's headers (see CheckSignatureHeaders()).
  absl::Status CheckBeforeBody(const RequestHead& head) const;

  // ApiExchange::Call()
  //
  // Runs the operation X-Amz-Target names (a Kinesis operation, or one of
  // Brook's own: brook_api.h) with `body`, in the request's encoding, and
  // answers in the same encoding, errors included: 200, 400 for a client error,
  // 500 for InternalFailure, 503 for ServiceUnavailable. May wait for a sync:
  // not for an I/O thread.
  ApiResponse Call(const RequestHead& head, absl::string_view body) const;

  // ApiExchange::IsSubscribe()
  //
  // Whether the request is a SubscribeToShard, whose answer is an event
  // stream.
  static bool IsSubscribe(const RequestHead& head);

  // ApiExchange::Subscribe()
  //
  // Starts the SubscribeToShard the request asks for and streams it to
  // `sink` as event stream messages whose payloads are in the request's
  // encoding (see KinesisApi::SubscribeToShard()). Fails, before sending
  // anything, as Call() would.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      const RequestHead& head, absl::string_view body, EventSink* sink) const;

  // ApiExchange::Refusal()
  //
  // The answer to a request that is not an API call (Route::kRefused), as
  // AWS gives it: 403 with MissingAuthenticationTokenException or
  // AccessDeniedException.
  ApiResponse Refusal(const RequestHead& head) const;

  // ApiExchange::Health()
  //
  // GET /health: 200 "ok" while the broker takes writes; 503 with the
  // state and its reason while it refuses them (see brook/write_state.h).
  ApiResponse Health() const;

  // ApiExchange::Metrics()
  //
  // GET /metrics: the Prometheus text, or 403 for a caller that shows
  // neither the metrics token nor a signature when either is configured.
  ApiResponse Metrics(const RequestHead& head) const;

  // ApiExchange::ErrorResponse()
  //
  // `error` as Kinesis answers it, in `encoding`, with the HTTP status
  // Kinesis gives it (or `status` when not 0).
  static ApiResponse ErrorResponse(const absl::Status& error,
                                   BodyEncoding encoding = BodyEncoding::kJson,
                                   int status = 0);

  // A plain-text answer (health, transport errors).
  static ApiResponse Plain(int status, absl::string_view text);

  bool signs() const { return !options_.credentials.empty(); }

 private:
  absl::Status Authenticate(const RequestHead& head,
                            absl::string_view body) const;
  absl::StatusOr<std::string> RunOperation(const RequestHead& head,
                                           absl::string_view body,
                                           BodyEncoding encoding) const;
  absl::StatusOr<std::unique_ptr<Subscription>> StartSubscription(
      const RequestHead& head, absl::string_view body, EventSink* sink) const;
  // Counts a request that started at `start` and ended with `status`.
  void Record(const RequestHead& head, const absl::Status& status,
              absl::Time start) const;
  absl::Status AuthorizeMetrics(const RequestHead& head) const;

  KinesisApi* const api_;
  Broker* const broker_;
  const BrookApi brook_api_;
  const ApiExchangeOptions options_;
};

// The request as SigV4 signs it; HTTP/2's :authority stands in for Host.
// `payload` must outlive the result.
SignableRequest SignableOf(const RequestHead& head, absl::string_view payload);

// A request id as AWS writes x-amzn-RequestId, which every response
// carries, each its own: a random (version 4) UUID.
std::string NewRequestId();

}  // namespace brook

#endif  // BROOK_SERVER_API_EXCHANGE_H_
