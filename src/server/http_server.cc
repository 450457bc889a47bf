#include "server/http_server.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/asio/bind_executor.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/json/serialize.hpp"
#include "brook/error.h"
#include "common/errors.h"

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
class HttpServer::Session : public std::enable_shared_from_this<Session> {
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
    Response response(http::status::ok, request_.version());
    response.set(http::field::content_type, kJsonContentType);
    if (body.ok()) {
      response.body() = *std::move(body);
    } else {
      response.result(StatusFor(body.status()));
      response.body() = ErrorBody(body.status());
    }
    return response;
  }

  absl::StatusOr<std::string> CallOperation() {
    const auto header = request_.find("X-Amz-Target");
    absl::string_view operation;
    if (header != request_.end()) {
      operation =
          absl::string_view(header->value().data(), header->value().size());
    }
    if (!absl::ConsumePrefix(&operation, kTargetPrefix)) {
      return MakeError(
          ErrorName::kUnknownOperationException,
          absl::StrCat("X-Amz-Target must be ", kTargetPrefix, "<Operation>"));
    }
    return server_->api_->Call(operation, request_.body());
  }

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

  beast::tcp_stream stream_;
  HttpServer* const server_;
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

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  // Requests being handled finish and are answered; idle connections time
  // out. Then nothing is left to run.
  handlers_.join();
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
