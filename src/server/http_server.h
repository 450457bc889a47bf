// brookd's server: one port for every transport the AWS SDKs use. Each
// connection's first bytes decide what it speaks:
//
//   "PRI * HTTP/2.0..." (the HTTP/2 preface)  HTTP/2, h2c with prior
//                                             knowledge (http2_connection.h)
//   0x16 (a TLS ClientHello)                  TLS, when configured; then
//                                             ALPN "h2" or "http/1.1", or,
//                                             without ALPN, the first bytes
//                                             again
//   anything else                             HTTP/1.1 (http1_connection.h)
//
// Every transport feeds the same request path (api_exchange.h), with the
// same limits (HttpServerOptions), all bounded in memory.
//
// Connections: at max_connections, a new connection sheds the one that has
// gone longest without progress (idle, or stuck in its headers, body or
// response), so that slow clients cannot crowd out ones that move; one
// whose operation or subscription runs is never shed. A connection whose
// protocol is still being sniffed counts, and has header_timeout to show
// it.
//
// Threads (who owns what):
//   - the server owns `io_`, run by its `io_threads` threads. Each
//     connection works on its own strand of `io_`;
//   - the server owns `handlers_`, a pool of `handler_threads` that run
//     operations (which may wait for a sync), signature checks over bodies
//     and /metrics, so that no slow operation stalls I/O; results are
//     posted back to the connection's strand;
//   - the Broker's fan-out threads call a streaming connection's EventSink
//     methods: they queue the message and post to the strand, never wait.
//
// Thread safety: Start() and Stop() from one thread.
// Lifetime: `api` and `broker` must outlive the server; Stop() (or the
// destructor) answers the requests in flight, ends every subscription
// (HTTP/2 clients get GOAWAY) and joins every thread.

#ifndef BROOK_SERVER_HTTP_SERVER_H_
#define BROOK_SERVER_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/thread_pool.hpp"
#include "brook/broker.h"
#include "server/api_exchange.h"
#include "server/connection.h"
#include "server/kinesis_api.h"
#include "server/request_budget.h"
#include "server/server_metrics.h"
#include "server/tls.h"

namespace brook {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 4567;  // 0 picks a free port; see HttpServer::port().
  // A PutRecords of 500 records and 10 MiB is about 13.4 MiB in base64.
  // Larger bodies get 413 from their Content-Length alone.
  size_t max_body_bytes = size_t{16} << 20;
  // Larger request headers get 431.
  size_t max_header_bytes = size_t{16} << 10;
  // Request bodies held in memory at once, over all connections. A request
  // holds its Content-Length (max_body_bytes if chunked) from its accepted
  // headers until its operation has run. Must be at least max_body_bytes.
  // Default: 256 MiB, a full body for each of 16 handler threads.
  size_t max_buffered_request_bytes = size_t{256} << 20;
  // How long a request may wait for room in that budget before it gets
  // 503 ServiceUnavailable (which the SDKs retry).
  absl::Duration budget_wait = absl::Seconds(10);
  // The time a request's headers may take: from its first byte, or from
  // the connection's start for its first request. Also the grace a body
  // has before min_body_bytes_per_second applies, and the longest a body
  // may go without a byte.
  absl::Duration header_timeout = absl::Seconds(10);
  // The slowest a body may arrive: with N bytes read, a body must be
  // complete by header_timeout + N / min_body_bytes_per_second after it
  // started, and may not go silent for longer than header_timeout.
  // Default 16 KiB/s: a 15 MiB body may take 16 minutes.
  size_t min_body_bytes_per_second = size_t{16} << 10;
  // The time a kept-alive connection may wait for its next request.
  absl::Duration idle_timeout = absl::Seconds(60);
  // A write (part of a response, or of a SubscribeToShard event) that sends
  // nothing for this long ends the connection, and its subscription.
  absl::Duration write_timeout = absl::Seconds(30);
  int max_connections = 512;
  // HTTP/2: streams one connection may have open at once
  // (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused with RST_STREAM.
  int max_streams_per_connection = 100;
  int io_threads = 2;
  int handler_threads = 16;
  // Secret access keys by access key id. When set, every API request, and
  // GET /metrics, must carry a valid Signature Version 4 signature by one
  // of them.
  absl::flat_hash_map<std::string, std::string> credentials;
  // When set, GET /metrics also accepts (and, without credentials, requires)
  // "Authorization: Bearer <metrics_token>".
  std::string metrics_token;
  // When set, connections that open with a TLS ClientHello are served over
  // TLS with this pair (see tls.h); otherwise they are closed.
  std::optional<TlsKeyPair> tls;

  // InvalidArgumentException naming the first option out of its bounds.
  absl::Status Validate() const;
};

class HttpServer : public ConnectionHost {
 public:
  HttpServer(KinesisApi* api, Broker* broker, HttpServerOptions options);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Validates the options, binds and starts serving. Fails with
  // InvalidArgumentException for bad options, address or TLS pair, and
  // InternalFailure if the address cannot be bound.
  absl::Status Start();

  // The port it listens on.
  uint16_t port() const { return port_; }

  // Request body bytes held now (for tests and metrics).
  size_t buffered_request_bytes() const { return budget_.in_use(); }

  // What GET /metrics reports of the server's own work.
  const ServerMetrics& metrics() const { return metrics_; }

  // Stops accepting, lets requests in flight finish, and joins the threads.
  // Idempotent.
  void Stop();

 private:
  // ConnectionHost.
  const HttpServerOptions& options() const override { return options_; }
  const ApiExchange& exchange() const override { return exchange_; }
  RequestBudget& budget() override { return budget_; }
  boost::asio::thread_pool& handlers() override { return handlers_; }
  // Also hands freed memory back to the system once a busy period is over.
  void ReleaseBody(size_t bytes) override;
  void AddConnection(const std::shared_ptr<Connection>& c) override;
  void RemoveConnection(Connection* c) override;
  void AddStreaming(std::shared_ptr<Connection> c) override;
  void RemoveStreaming(Connection* c) override;

  void Accept();
  // Makes room for a new connection at the cap: asks the connection that
  // has gone longest without progress, if any may be shed, to close.
  // Returns false if none may.
  bool ShedOne();

  const HttpServerOptions options_;
  // Before exchange_, which counts requests in it.
  ServerMetrics metrics_;
  const ApiExchange exchange_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  // Declared before io_: connections that io_ still holds when it is
  // destroyed give their budget back and leave these maps on the way out.
  RequestBudget budget_;
  absl::Mutex connections_mu_;
  // Every open connection, for the cap, shedding and shutdown.
  absl::flat_hash_map<Connection*, std::weak_ptr<Connection>> connections_
      ABSL_GUARDED_BY(connections_mu_);
  absl::Mutex streaming_mu_;
  absl::flat_hash_map<Connection*, std::shared_ptr<Connection>> streaming_
      ABSL_GUARDED_BY(streaming_mu_);
  boost::asio::thread_pool handlers_;
  boost::asio::io_context io_;
  // Keeps the I/O threads running while a stream waits for its next event
  // and nothing else is pending (during Stop(), say).
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace brook

#endif  // BROOK_SERVER_HTTP_SERVER_H_
