#include "server/http_server.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <openssl/ssl.h>

#include <atomic>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/ssl.hpp"
#include "common/errors.h"
#include "common/status_macros.h"
#include "server/http1_connection.h"
#include "server/http2_connection.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The first byte of a TLS record carrying a handshake (a ClientHello).
constexpr char kTlsHandshake = 0x16;
// Bytes read at a time while sniffing.
constexpr size_t kSniffChunk = 4096;

// What a connection's first bytes say it speaks; kUndecided until they
// say enough.
enum class Protocol { kUndecided, kHttp1, kHttp2, kTls };

Protocol ProtocolOf(absl::string_view received, bool tls_possible) {
  if (received.empty()) return Protocol::kUndecided;
  if (tls_possible && received[0] == kTlsHandshake) return Protocol::kTls;
  const size_t n = std::min(received.size(), kHttp2Preface.size());
  if (received.substr(0, n) != kHttp2Preface.substr(0, n)) {
    return Protocol::kHttp1;
  }
  return n == kHttp2Preface.size() ? Protocol::kHttp2 : Protocol::kUndecided;
}

// A connection whose protocol is not known yet: reads its first bytes
// (header_timeout from its start), then hands the socket, with what was
// read, to the transport they show. Over TLS it does so once more after the
// handshake, unless ALPN settled the question.
template <class Socket>
class Sniffer : public Connection,
                public std::enable_shared_from_this<Sniffer<Socket>> {
 public:
  Sniffer(Socket socket, ConnectionHost* host,
          std::shared_ptr<asio::ssl::context> tls)
      : socket_(std::move(socket)), host_(host), tls_(std::move(tls)) {}
  ~Sniffer() override { host_->RemoveConnection(this); }

  void PostStart(std::string received) {
    asio::post(socket_.get_executor(),
               [self = this->shared_from_this(),
                received = std::move(received)]() mutable {
                 self->received_ = std::move(received);
                 self->Decide();
               });
  }

  bool Sheddable() const override { return !shed_.load(); }
  int64_t last_progress() const override { return started_; }
  bool Shed() override {
    if (shed_.exchange(true)) return false;
    PostShutdown();
    return true;
  }
  void PostShutdown() override {
    asio::post(socket_.get_executor(), [self = this->shared_from_this()] {
      beast::get_lowest_layer(self->socket_).close();
    });
  }

 private:
  void Decide() {
    switch (ProtocolOf(received_, tls_ != nullptr && !IsTls())) {
      case Protocol::kUndecided:
        ReadMore();
        return;
      case Protocol::kHttp1:
        StartHttp1(std::move(socket_), received_, host_);
        return;
      case Protocol::kHttp2:
        StartHttp2(std::move(socket_), received_, host_);
        return;
      case Protocol::kTls:
        if constexpr (!IsTls()) Handshake();
        return;
    }
  }

  static constexpr bool IsTls() { return std::is_same_v<Socket, TlsStream>; }

  void ReadMore() {
    const size_t had = received_.size();
    received_.resize(had + kSniffChunk);
    socket_.async_read_some(
        asio::buffer(received_.data() + had, kSniffChunk),
        [self = this->shared_from_this(), had](beast::error_code error,
                                               size_t bytes) {
          self->received_.resize(had + bytes);
          if (error) return;  // Closed, or silent past header_timeout.
          self->Decide();
        });
  }

  void Handshake() {
    auto tls = std::make_shared<TlsStream>(std::move(socket_), *tls_);
    tls->async_handshake(asio::ssl::stream_base::server,
                         asio::buffer(received_),
                         // (Beast 1.81 checks this handler against a signature
                         // without the byte count: the default lets it pass.)
                         [self = this->shared_from_this(), tls](
                             beast::error_code error, size_t used = 0) {
                           if (error)
                             return;  // Not TLS after all, or too slow: drop.
                           self->received_.erase(0, used);
                           self->AfterHandshake(std::move(*tls));
                         });
  }

  // ALPN decides, or the first bytes over TLS do (the Java SDK's Netty
  // client starts HTTP/2 without ALPN).
  void AfterHandshake(TlsStream tls) {
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(tls.native_handle(), &alpn, &alpn_length);
    const absl::string_view protocol(reinterpret_cast<const char*>(alpn),
                                     alpn_length);
    if (protocol == "h2") {
      StartHttp2(std::move(tls), received_, host_);
    } else if (protocol == "http/1.1") {
      StartHttp1(std::move(tls), received_, host_);
    } else {
      auto sniffer =
          std::make_shared<Sniffer<TlsStream>>(std::move(tls), host_, nullptr);
      host_->AddConnection(sniffer);
      sniffer->PostStart(std::move(received_));
    }
  }

  Socket socket_;
  ConnectionHost* const host_;
  const std::shared_ptr<asio::ssl::context> tls_;  // Null: no TLS here.
  const int64_t started_ = NowNanos();
  std::atomic<bool> shed_{false};
  std::string received_;  // On the strand.
};

}  // namespace

absl::Status HttpServerOptions::Validate() const {
  auto invalid = [](absl::string_view message) {
    return InvalidArgument(message);
  };
  if (io_threads < 1 || handler_threads < 1 || max_connections < 1 ||
      max_streams_per_connection < 1) {
    return invalid(
        "io_threads, handler_threads, max_connections and "
        "max_streams_per_connection must be positive");
  }
  if (max_body_bytes == 0 || max_header_bytes == 0) {
    return invalid("max_body_bytes and max_header_bytes must be positive");
  }
  if (max_buffered_request_bytes < max_body_bytes) {
    return invalid(
        "max_buffered_request_bytes must hold at least one "
        "largest body (max_body_bytes)");
  }
  if (min_body_bytes_per_second == 0) {
    return invalid("min_body_bytes_per_second must be positive");
  }
  for (absl::Duration timeout :
       {budget_wait, header_timeout, idle_timeout, write_timeout}) {
    if (timeout <= absl::ZeroDuration()) {
      return invalid("timeouts must be positive");
    }
  }
  return absl::OkStatus();
}

HttpServer::HttpServer(KinesisApi* api, Broker* broker,
                       HttpServerOptions options)
    : options_(std::move(options)),
      exchange_(api, broker,
                ApiExchangeOptions{options_.credentials, options_.metrics_token,
                                   &metrics_}),
      budget_(options_.max_buffered_request_bytes),
      handlers_(static_cast<size_t>(std::max(1, options_.handler_threads))),
      work_(asio::make_work_guard(io_)),
      acceptor_(asio::make_strand(io_)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  BROOK_RETURN_IF_ERROR(options_.Validate());
  if (options_.tls.has_value()) {
    BROOK_ASSIGN_OR_RETURN(tls_, MakeServerTlsContext(*options_.tls));
  }
  beast::error_code error;
  const auto address = asio::ip::make_address(options_.address, error);
  if (error) {
    return InvalidArgument(
        absl::StrCat("bad address '", options_.address, "'"));
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error)
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error)
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return InternalFailure(absl::StrCat("cannot listen on ", options_.address,
                                        ":", options_.port, ": ",
                                        error.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] { io_.run(); });
  }
  return absl::OkStatus();
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code error,
                                                        tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;  // Stopping.
    if (!error) {
      size_t open;
      {
        absl::MutexLock lock(&connections_mu_);
        open = connections_.size();
      }
      if (open >= static_cast<size_t>(options_.max_connections) && !ShedOne()) {
        beast::error_code ignored;
        socket.close(ignored);  // Every connection is busy: refuse.
      } else {
        // Small frames (HTTP/2's WINDOW_UPDATE, SETTINGS ACK) must not wait
        // for Nagle's algorithm to meet the client's delayed ACK.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(ToSteady(options_.header_timeout));
        auto sniffer = std::make_shared<Sniffer<beast::tcp_stream>>(
            std::move(stream), this, tls_);
        AddConnection(sniffer);
        sniffer->PostStart("");
      }
    }
    Accept();
  });
}

bool HttpServer::ShedOne() {
  std::shared_ptr<Connection> victim;
  {
    absl::MutexLock lock(&connections_mu_);
    int64_t oldest = std::numeric_limits<int64_t>::max();
    for (const auto& [raw, weak] : connections_) {
      // A connection being destroyed waits in RemoveConnection() for this
      // lock, so `raw` is alive here.
      if (!raw->Sheddable() || raw->last_progress() >= oldest) continue;
      if (std::shared_ptr<Connection> connection = weak.lock()) {
        victim = std::move(connection);
        oldest = victim->last_progress();
      }
    }
  }
  return victim != nullptr && victim->Shed();
}

void HttpServer::AddConnection(const std::shared_ptr<Connection>& c) {
  absl::MutexLock lock(&connections_mu_);
  if (connections_.emplace(c.get(), c).second) metrics_.ConnectionOpened();
}

void HttpServer::RemoveConnection(Connection* c) {
  absl::MutexLock lock(&connections_mu_);
  if (connections_.erase(c) > 0) metrics_.ConnectionClosed();
}

void HttpServer::AddStreaming(std::shared_ptr<Connection> c) {
  absl::MutexLock lock(&streaming_mu_);
  streaming_.emplace(c.get(), std::move(c));
}

void HttpServer::RemoveStreaming(Connection* c) {
  std::shared_ptr<Connection> removed;  // Released outside the lock.
  absl::MutexLock lock(&streaming_mu_);
  auto it = streaming_.find(c);
  if (it == streaming_.end()) return;
  removed = std::move(it->second);
  streaming_.erase(it);
}

void HttpServer::ReleaseBody(size_t bytes) {
  if (!budget_.Release(bytes)) return;
#ifdef __GLIBC__
  // A burst of large bodies is over. glibc keeps freed memory in its
  // arenas for reuse; hand it back, off the I/O threads.
  asio::post(handlers_, [] { malloc_trim(0); });
#endif
}

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  // Operations in flight finish and post their answers; then every
  // connection is told to shut down, after those answers.
  handlers_.join();
  std::vector<std::shared_ptr<Connection>> open;
  {
    absl::MutexLock lock(&connections_mu_);
    for (const auto& [raw, weak] : connections_) {
      if (std::shared_ptr<Connection> connection = weak.lock()) {
        open.push_back(std::move(connection));
      }
    }
  }
  for (const auto& connection : open) connection->PostShutdown();
  open.clear();
  // Subscriptions must end before the Broker closes: wait until every
  // streaming connection has stopped, while the I/O threads still run.
  {
    absl::MutexLock lock(&streaming_mu_);
    auto gone = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(streaming_mu_) {
      return streaming_.empty();
    };
    streaming_mu_.Await(absl::Condition(&gone));
  }
  // Give the answers and GOAWAYs a moment to be written.
  {
    absl::MutexLock lock(&connections_mu_);
    auto closed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(connections_mu_) {
      return connections_.empty();
    };
    connections_mu_.AwaitWithTimeout(absl::Condition(&closed),
                                     absl::Seconds(2));
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : io_threads_) thread.join();
  io_threads_.clear();
}

}  // namespace brook
