// brookd's HTTP/1.1 transport (Boost.Beast): POST / with
// X-Amz-Target: Kinesis_20131202.<Operation> goes to the KinesisApi; GET
// /health and GET /metrics (Prometheus text) serve operators. Bounded in
// every dimension a client controls: body and header sizes, idle time per
// connection, and connections at once.
//
// Threads: the server owns an io_context run by `io_threads` threads for
// the sockets, and a pool of `handler_threads` that run the operations
// (which may wait for a sync), so that a slow operation never stalls I/O.
//
// Thread safety: Start() and Stop() from one thread.
// Lifetime: `api` and `broker` must outlive the server; Stop() (or the
// destructor) answers the requests in flight and joins every thread.

#ifndef BROOK_SERVER_HTTP_SERVER_H_
#define BROOK_SERVER_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
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
#include "boost/asio/thread_pool.hpp"
#include "brook/broker.h"
#include "server/kinesis_api.h"

namespace brook {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 4567;  // 0 picks a free port; see HttpServer::port().
  // A PutRecords of 500 records and 10 MiB is about 13.4 MiB in base64.
  size_t max_body_bytes = size_t{16} << 20;
  size_t max_header_bytes = size_t{16} << 10;
  absl::Duration idle_timeout = absl::Seconds(60);
  int max_connections = 512;
  int io_threads = 2;
  int handler_threads = 16;
  // Secret access keys by access key id. When set, every API request must
  // carry a valid Signature Version 4 signature by one of them.
  absl::flat_hash_map<std::string, std::string> credentials;
};

class HttpServer {
 public:
  HttpServer(KinesisApi* api, Broker* broker, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Fails with InternalFailure if the address
  // cannot be bound.
  absl::Status Start();

  // The port it listens on.
  uint16_t port() const { return port_; }

  // Stops accepting, lets requests in flight finish, and joins the threads.
  // Idempotent.
  void Stop();

  class Session;

 private:
  void Accept();
  // Streaming sessions (SubscribeToShard), kept alive until they stop.
  void AddStream(std::shared_ptr<Session> session);
  void RemoveStream(Session* session);

  KinesisApi* const api_;
  Broker* const broker_;
  const HttpServerOptions options_;
  boost::asio::io_context io_;
  // Keeps the I/O threads running while a stream waits for its next event
  // and nothing else is pending (during Stop(), say).
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::thread_pool handlers_;
  std::vector<std::thread> io_threads_;
  std::atomic<int> connections_{0};
  uint16_t port_ = 0;
  bool stopped_ = false;
  absl::Mutex streams_mu_;
  absl::flat_hash_map<Session*, std::shared_ptr<Session>> streams_
      ABSL_GUARDED_BY(streams_mu_);
};

// The body of GET /metrics: every shard's counters in Prometheus' text
// format.
std::string PrometheusMetrics(Broker& broker);

}  // namespace brook

#endif  // BROOK_SERVER_HTTP_SERVER_H_
