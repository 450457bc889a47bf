// A blocking HTTP/1.1 client for one endpoint, over plain TCP or TLS
// (Boost.Beast with Asio's OpenSSL support), with a pool of keep-alive
// connections and a timeout on every step. The remote Broker sends each
// Kinesis call through it.
//
// TLS verifies the server's certificate chain and host name by default,
// against the system's trust store or the CA file given.
//
// Transport failures (cannot connect, a timeout, a connection that broke)
// are returned as InternalFailure, the Kinesis name for an outcome the
// caller cannot know, with code kUnavailable and a message naming the
// endpoint. A request that
// reused an idle connection which the server had meanwhile closed is sent
// again once on a fresh one: the server never saw it.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; each call uses a connection of its own.
// Lifetime: HttpStreams must be destroyed before the client.

#ifndef BROOK_REMOTE_HTTP_CLIENT_H_
#define BROOK_REMOTE_HTTP_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/ssl/context.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/span_body.hpp"

namespace brook {

// Where a server listens, from "http://host:port", "https://host[:port]/"
// or "host:port" (plain HTTP).
struct HttpEndpoint {
  bool tls = false;
  std::string host;
  std::string port;  // "80" / "443" when the URL names none.

  static absl::StatusOr<HttpEndpoint> Parse(absl::string_view url);
  // "https://host:port".
  std::string ToString() const;
  // The Host header: "host" on the scheme's port, "host:port" otherwise.
  std::string HostHeader() const;
};

struct HttpClientOptions {
  // Connecting, TLS handshake included.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Sending a request and receiving its whole response; for a stream, the
  // longest wait for its next bytes.
  absl::Duration request_timeout = absl::Seconds(30);
  // Idle connections kept for reuse.
  int max_idle_connections = 16;
  // A PEM file of CA certificates to trust instead of the system's.
  std::string ca_file;
  // Verify the server's certificate (chain and host name).
  bool verify_peer = true;
  // Response bodies larger than this fail the call.
  size_t max_response_bytes = size_t{64} << 20;
  // OpenStream() over HTTP/2 (remote/http2_stream.h) instead of HTTP/1.1.
  bool streams_over_http2 = false;
  // HTTP/2: the flow-control window of a stream and of its connection, in
  // bytes: how much the server may send before the reader takes it.
  int32_t stream_window_bytes = int32_t{1} << 20;
};

struct HttpRequest {
  std::string target = "/";
  // Sent as they are (Host is set by the client unless given).
  std::vector<std::pair<std::string, std::string>> headers;
  // Not owned: must outlive the call that sends it.
  absl::string_view body;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// A response read as it arrives (SubscribeToShard's event stream).
// Thread safety: Read() from one thread; Cancel() from any.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  // The status and content type; the body is read with Read().
  virtual const HttpResponse& head() const = 0;
  // The next bytes of the body, or "" at its end. Fails with
  // InternalFailure on a transport failure, a timeout or Cancel().
  virtual absl::StatusOr<std::string> Read() = 0;
  // Makes a waiting or later Read() fail at once. Idempotent.
  virtual void Cancel() = 0;
};

class HttpClient {
 public:
  // Fails with InvalidArgumentException if the CA file cannot be loaded.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(
      HttpEndpoint endpoint, HttpClientOptions options);
  ~HttpClient();

  // HttpClient::Post()
  //
  // POSTs `request` and returns the whole response, whatever its status.
  // On a transport failure, sets `*timed_out` (when given) to whether a
  // timeout caused it.
  absl::StatusOr<HttpResponse> Post(const HttpRequest& request,
                                    bool* timed_out = nullptr);

  // HttpClient::Get()
  //
  // GETs `target` (a path such as "/health") and returns the whole
  // response, whatever its status.
  absl::StatusOr<HttpResponse> Get(absl::string_view target);

  // HttpClient::OpenStream()
  //
  // POSTs `request` on a connection of its own, over HTTP/2 when
  // HttpClientOptions::streams_over_http2 says so, and returns once the
  // response's head has arrived.
  absl::StatusOr<std::unique_ptr<HttpStream>> OpenStream(
      const HttpRequest& request);

  const HttpEndpoint& endpoint() const { return endpoint_; }

  class Connection;

 private:
  HttpClient(HttpEndpoint endpoint, HttpClientOptions options);

  // One attempt: on an idle connection if there is one, else (or if that
  // one had been closed by the server) on a new one.
  absl::StatusOr<HttpResponse> SendOnce(
      boost::beast::http::request<boost::beast::http::span_body<const char>>&
          message,
      bool* timed_out);
  std::unique_ptr<Connection> TakeIdle();
  void ReturnIdle(std::unique_ptr<Connection> connection);

  const HttpEndpoint endpoint_;
  const HttpClientOptions options_;
  boost::asio::ssl::context tls_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_REMOTE_HTTP_CLIENT_H_
