#include "server/http_server.h"

#include <deque>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/bind_executor.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/json/serialize.hpp"
#include "brook/error.h"
#include "common/errors.h"
#include "server/sigv4.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr absl::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr char kJsonContentType[] = "application/x-amz-json-1.1";

// Kinesis answers client errors with 400 and its own failures with 500.
http::status StatusFor(const absl::Status& error) {
  return ErrorNameOf(error) == ErrorName::kInternalFailure
             ? http::status::internal_server_error
             : http::status::bad_request;
}

std::string ErrorBody(const absl::Status& error) {
  boost::json::object body;
  body["__type"] = std::string(ErrorNameToString(ErrorNameOf(error)));
  body["message"] = std::string(error.message());
  return boost::json::serialize(body);
}

}  // namespace

// One connection: read a request, have it handled on the handler pool,
// write the response, and again while the client keeps the connection.
class HttpServer::Session : public std::enable_shared_from_this<Session>,
                            public EventSink {
 public:
  Session(tcp::socket socket, HttpServer* server)
      : stream_(std::move(socket)), server_(server) {
    ++server_->connections_;
  }
  ~Session() { --server_->connections_; }

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(
        static_cast<uint32_t>(server_->options_.max_header_bytes));
    stream_.expires_after(std::chrono::milliseconds(
        absl::ToInt64Milliseconds(server_->options_.idle_timeout)));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) {
          self->OnRead(error);
        });
  }

 private:
  using Response = http::response<http::string_body>;

  void OnRead(beast::error_code error) {
    if (error == http::error::body_limit) {
      Write(Plain(http::status::payload_too_large,
                  "the request body is too large"),
            /*keep_alive=*/false);
      return;
    }
    if (error == http::error::header_limit) {
      Write(Plain(http::status::request_header_fields_too_large,
                  "the request headers are too large"),
            /*keep_alive=*/false);
      return;
    }
    if (error) return;  // Closed, timed out or garbled: drop the connection.
    request_ = parser_->release();
    if (Operation() == "SubscribeToShard") {
      asio::post(server_->handlers_,
                 [self = shared_from_this()] { self->Subscribe(); });
      return;
    }
    // The operation may wait for a sync: run it off the I/O threads.
    asio::post(server_->handlers_, [self = shared_from_this()] {
      Response response = self->Handle();
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable {
                   self->Write(std::move(response),
                               self->request_.keep_alive());
                 });
    });
  }

  Response Plain(http::status status, absl::string_view text) {
    Response response(status, request_.version());
    response.set(http::field::content_type, "text/plain");
    response.body() = std::string(text);
    return response;
  }

  Response Handle() {
    const absl::string_view target(request_.target().data(),
                                   request_.target().size());
    if (request_.method() == http::verb::get && target == "/health") {
      return Plain(http::status::ok, "ok\n");
    }
    if (request_.method() == http::verb::get && target == "/metrics") {
      return Plain(http::status::ok, PrometheusMetrics(*server_->broker_));
    }
    if (request_.method() != http::verb::post || target != "/") {
      return Plain(http::status::not_found, "not found\n");
    }
    absl::StatusOr<std::string> body = CallOperation();
    if (!body.ok()) return ErrorResponse(body.status());
    Response response(http::status::ok, request_.version());
    response.set(http::field::content_type, kJsonContentType);
    response.body() = *std::move(body);
    return response;
  }

  // The operation X-Amz-Target names, or "" if it names none.
  absl::string_view Operation() const {
    const auto header = request_.find("X-Amz-Target");
    if (header == request_.end()) return "";
    absl::string_view operation(header->value().data(), header->value().size());
    return absl::ConsumePrefix(&operation, kTargetPrefix) ? operation : "";
  }

  // With credentials configured, the request's signature must match.
  absl::Status Authenticate() const {
    if (server_->options_.credentials.empty()) return absl::OkStatus();
    SignableRequest signable;
    signable.method = std::string(request_.method_string());
    const absl::string_view target(request_.target().data(),
                                   request_.target().size());
    const size_t query = target.find('?');
    signable.path = std::string(target.substr(0, query));
    if (query != absl::string_view::npos) {
      signable.query = std::string(target.substr(query + 1));
    }
    for (const auto& field : request_) {
      signable.headers.emplace_back(std::string(field.name_string()),
                                    std::string(field.value()));
    }
    signable.payload = request_.body();
    return VerifySignature(signable, server_->options_.credentials,
                           absl::Now());
  }

  absl::StatusOr<std::string> CallOperation() {
    if (absl::Status status = Authenticate(); !status.ok()) return status;
    const absl::string_view operation = Operation();
    if (operation.empty()) {
      return MakeError(
          ErrorName::kUnknownOperationException,
          absl::StrCat("X-Amz-Target must be ", kTargetPrefix, "<Operation>"));
    }
    return server_->api_->Call(operation, request_.body());
  }

  Response ErrorResponse(const absl::Status& error) {
    Response response(StatusFor(error), request_.version());
    response.set(http::field::content_type, kJsonContentType);
    response.body() = ErrorBody(error);
    return response;
  }

  // SubscribeToShard: on success the response is an event stream, one
  // chunk per message, until the subscription ends; then the connection
  // closes.
  void Subscribe() {
    const absl::Status authenticated = Authenticate();
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        authenticated.ok()
            ? server_->api_->SubscribeToShard(request_.body(), this)
            : absl::StatusOr<std::unique_ptr<Subscription>>(authenticated);
    if (!subscription.ok()) {
      Response response = ErrorResponse(subscription.status());
      asio::post(
          stream_.get_executor(), [self = shared_from_this(),
                                   response = std::move(response)]() mutable {
            self->Write(std::move(response), self->request_.keep_alive());
          });
      return;
    }
    {
      absl::MutexLock lock(&events_mu_);
      subscription_ = *std::move(subscription);
    }
    // The server keeps the session, and so its subscription, until the
    // stream stops.
    server_->AddStream(shared_from_this());
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->WriteStreamHeader(); });
  }

  void WriteStreamHeader() {
    auto header = std::make_shared<http::response<http::empty_body>>(
        http::status::ok, request_.version());
    header->set(http::field::content_type,
                "application/vnd.amazon.eventstream");
    header->chunked(true);
    header->keep_alive(false);
    auto serializer =
        std::make_shared<http::response_serializer<http::empty_body>>(*header);
    // No idle timeout while streaming: events or heartbeats keep coming.
    stream_.expires_never();
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), header, serializer](
                                 beast::error_code error, size_t) {
                               if (error) {
                                 self->StopStreaming();
                                 return;
                               }
                               {
                                 absl::MutexLock lock(&self->events_mu_);
                                 self->streaming_ = true;
                               }
                               self->PumpEvents();
                             });
  }

  // EventSink, called by the subscription's threads: never waits. A full
  // queue pauses the subscription; the next message written resumes it.
  bool Send(std::string message) override {
    absl::MutexLock lock(&events_mu_);
    if (closing_) return true;
    events_.push_back(std::move(message));
    if (streaming_) PostPump();
    if (events_.size() < kMaxQueuedEvents) return true;
    producer_paused_ = true;
    return false;
  }
  void End() override {
    absl::MutexLock lock(&events_mu_);
    ended_ = true;
    if (streaming_) PostPump();
  }

  void PostPump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->PumpEvents(); });
  }

  // On the strand: writes the next message, or the end of the stream.
  void PumpEvents() {
    std::shared_ptr<std::string> message;
    bool last = false;
    {
      absl::MutexLock lock(&events_mu_);
      if (writing_ || closing_) return;
      if (!events_.empty()) {
        message = std::make_shared<std::string>(std::move(events_.front()));
        events_.pop_front();
        if (producer_paused_ && subscription_ != nullptr) {
          producer_paused_ = false;
          subscription_->Resume();  // Posts; never waits.
        }
      } else if (ended_) {
        last = true;
      } else {
        return;
      }
      writing_ = true;
    }
    auto done = [self = shared_from_this(), message, last](
                    beast::error_code error, size_t) {
      {
        absl::MutexLock lock(&self->events_mu_);
        self->writing_ = false;
      }
      if (error || last) {
        self->StopStreaming();
        return;
      }
      self->PumpEvents();
    };
    if (last) {
      asio::async_write(stream_, http::make_chunk_last(), std::move(done));
    } else {
      asio::async_write(stream_, http::make_chunk(asio::buffer(*message)),
                        std::move(done));
    }
  }

  // Ends the stream: cancels the subscription and closes the connection.
  void StopStreaming() {
    std::unique_ptr<Subscription> subscription;
    {
      absl::MutexLock lock(&events_mu_);
      closing_ = true;
      events_.clear();
      subscription = std::move(subscription_);
    }
    subscription.reset();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    server_->RemoveStream(this);
  }

 public:
  // Stops the stream from its strand (for the server's shutdown).
  void PostStopStreaming() {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->StopStreaming(); });
  }

 private:
  void Write(Response response, bool keep_alive) {
    response.keep_alive(keep_alive);
    response.prepare_payload();
    response_ = std::move(response);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](
                          beast::error_code error, size_t) {
                        if (error || !keep_alive) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(
                              tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->Read();
                      });
  }

  static constexpr size_t kMaxQueuedEvents = 4;

  beast::tcp_stream stream_;
  HttpServer* const server_;
  // A SubscribeToShard stream.
  absl::Mutex events_mu_;
  std::unique_ptr<Subscription> subscription_ ABSL_GUARDED_BY(events_mu_);
  std::deque<std::string> events_ ABSL_GUARDED_BY(events_mu_);
  bool streaming_ ABSL_GUARDED_BY(events_mu_) = false;
  bool writing_ ABSL_GUARDED_BY(events_mu_) = false;
  bool ended_ ABSL_GUARDED_BY(events_mu_) = false;
  bool closing_ ABSL_GUARDED_BY(events_mu_) = false;
  bool producer_paused_ ABSL_GUARDED_BY(events_mu_) = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  Response response_;
};

HttpServer::HttpServer(KinesisApi* api, Broker* broker,
                       HttpServerOptions options)
    : api_(api),
      broker_(broker),
      options_(std::move(options)),
      work_(asio::make_work_guard(io_)),
      acceptor_(asio::make_strand(io_)),
      handlers_(static_cast<size_t>(options_.handler_threads)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  beast::error_code error;
  const auto address = asio::ip::make_address(options_.address, error);
  if (error) {
    return absl::InvalidArgumentError(
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
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.address, ":", options_.port,
                     ": ", error.message()));
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
      if (connections_.load() >= options_.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // Over the limit: refuse at once.
      } else {
        std::make_shared<Session>(std::move(socket), this)->Read();
      }
    }
    Accept();
  });
}

void HttpServer::AddStream(std::shared_ptr<Session> session) {
  absl::MutexLock lock(&streams_mu_);
  streams_.emplace(session.get(), std::move(session));
}

void HttpServer::RemoveStream(Session* session) {
  std::shared_ptr<Session> removed;  // Released outside the lock.
  absl::MutexLock lock(&streams_mu_);
  auto it = streams_.find(session);
  if (it == streams_.end()) return;
  removed = std::move(it->second);
  streams_.erase(it);
}

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  // Subscriptions must end before the Broker closes: stop every stream
  // and wait until they are gone, while the I/O threads still run.
  handlers_.join();
  {
    absl::MutexLock lock(&streams_mu_);
    for (auto& [raw, session] : streams_) session->PostStopStreaming();
    auto gone = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(streams_mu_) {
      return streams_.empty();
    };
    streams_mu_.Await(absl::Condition(&gone));
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : io_threads_) thread.join();
  io_threads_.clear();
}

std::string PrometheusMetrics(Broker& broker) {
  std::string out =
      "# Per-shard counters since the server started, as Kinesis' "
      "shard-level metrics.\n";
  ListStreamsRequest list;
  list.limit = 10000;
  for (;;) {
    absl::StatusOr<ListStreamsResult> streams = broker.ListStreams(list);
    if (!streams.ok()) break;
    for (const std::string& name : streams->stream_names) {
      absl::StatusOr<GetShardMetricsResult> metrics =
          broker.GetShardMetrics({name});
      if (!metrics.ok()) continue;
      for (const ShardMetrics& shard : metrics->shards) {
        const std::string labels = absl::StrCat(
            "{stream=\"", name, "\",shard=\"", shard.shard_id, "\"}");
        for (const auto& [metric, value] :
             {std::pair<const char*, int64_t>{"incoming_bytes",
                                              shard.incoming_bytes},
              {"incoming_records", shard.incoming_records},
              {"outgoing_bytes", shard.outgoing_bytes},
              {"outgoing_records", shard.outgoing_records},
              {"write_provisioned_throughput_exceeded",
               shard.write_provisioned_throughput_exceeded},
              {"read_provisioned_throughput_exceeded",
               shard.read_provisioned_throughput_exceeded},
              {"iterator_age_milliseconds", shard.iterator_age_milliseconds}}) {
          absl::StrAppend(&out, "brook_shard_", metric, labels, " ", value,
                          "\n");
        }
      }
    }
    if (streams->next_token.empty()) break;
    list = ListStreamsRequest();
    list.limit = 10000;
    list.next_token = streams->next_token;
  }
  return out;
}

}  // namespace brook
