#include "remote/http_client.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/errors.h"
#include "remote/http2_stream.h"
#include "remote/transport.h"

namespace brook {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

// The body is sent from the caller's buffer, not copied.
using OutgoingRequest = http::request<http::span_body<const char>>;

// Errors after which the server never saw the request: it had closed the
// idle connection before the request was written.
bool ClosedWhileIdle(const beast::error_code& error) {
  return error == http::error::end_of_stream ||
         error == asio::error::connection_reset ||
         error == asio::error::broken_pipe || error == asio::error::eof;
}

OutgoingRequest ToBeast(http::verb method, const HttpRequest& request,
                        const HttpEndpoint& endpoint) {
  OutgoingRequest out(method, request.target, 11);
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    out.set(name, value);
    has_host |= absl::EqualsIgnoreCase(name, "Host");
  }
  if (!has_host) out.set(http::field::host, endpoint.HostHeader());
  out.keep_alive(true);
  out.body() = http::span_body<const char>::value_type(request.body.data(),
                                                       request.body.size());
  out.prepare_payload();
  return out;
}

}  // namespace

absl::StatusOr<HttpEndpoint> HttpEndpoint::Parse(absl::string_view url) {
  HttpEndpoint endpoint;
  if (absl::ConsumePrefix(&url, "https://")) {
    endpoint.tls = true;
  } else {
    absl::ConsumePrefix(&url, "http://");
  }
  absl::ConsumeSuffix(&url, "/");
  if (url.find('/') != absl::string_view::npos) {
    return InvalidArgument(absl::StrCat(
        "endpoint '", url, "' has a path; give scheme://host:port"));
  }
  const size_t colon = url.rfind(':');
  const bool bracketed = absl::StartsWith(url, "[");
  const size_t bracket_end = url.rfind(']');
  if (colon != absl::string_view::npos &&
      (!bracketed ||
       (bracket_end != absl::string_view::npos && colon > bracket_end))) {
    endpoint.host = std::string(url.substr(0, colon));
    endpoint.port = std::string(url.substr(colon + 1));
  } else {
    endpoint.host = std::string(url);
    endpoint.port = endpoint.tls ? "443" : "80";
  }
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[' &&
      endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  uint32_t port = 0;
  if (endpoint.host.empty() || !absl::SimpleAtoi(endpoint.port, &port) ||
      port == 0 || port > 65535) {
    return InvalidArgument(absl::StrCat(
        "endpoint '", url, "' is not http[s]://HOST[:PORT] or HOST:PORT"));
  }
  return endpoint;
}

std::string HttpEndpoint::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return absl::StrCat(tls ? "https://" : "http://", v6 ? "[" : "", host,
                      v6 ? "]" : "", ":", port);
}

std::string HttpEndpoint::HostHeader() const {
  const bool v6 = host.find(':') != std::string::npos;
  const std::string name = v6 ? absl::StrCat("[", host, "]") : host;
  if (port == (tls ? "443" : "80")) return name;
  return absl::StrCat(name, ":", port);
}

// One HTTP/1.1 connection: a request at a time, or one response read as
// a stream.
class HttpClient::Connection : public HttpStream {
 public:
  Connection(const HttpEndpoint& endpoint, ssl::context* tls,
             const HttpClientOptions& options)
      : transport_(endpoint, tls, options) {}

  absl::Status Open() { return transport_.Open(); }

  // Sends `request` and reads the whole response. `*unsent` tells whether
  // the failure happened before the server could have seen the request.
  absl::StatusOr<HttpResponse> RoundTrip(OutgoingRequest& request, bool* unsent,
                                         bool* reusable) {
    *unsent = false;
    *reusable = false;
    beast::error_code error = Write(request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(transport_.options().max_response_bytes);
    if (!error) {
      error = transport_.Run(RequestTimeout(), [&](auto done) {
        transport_.WithStream([&](auto& stream) {
          http::async_read(
              stream, buffer_, parser,
              [done](beast::error_code ec, size_t) mutable { done(ec); });
        });
      });
    }
    if (error) {
      *unsent = ClosedWhileIdle(error) && !parser.got_some();
      return transport_.Failure("a request to", error);
    }
    http::response<http::string_body> response = parser.release();
    *reusable = response.keep_alive();
    return HttpResponse{static_cast<int>(response.result_int()),
                        std::string(response[http::field::content_type]),
                        std::move(response.body())};
  }

  // Sends `request` and reads the response's head, for Read() to go on.
  absl::Status StartStream(OutgoingRequest& request) {
    beast::error_code error = Write(request);
    stream_parser_.emplace();
    stream_parser_->body_limit(std::numeric_limits<uint64_t>::max());
    if (!error) {
      error = transport_.Run(RequestTimeout(), [&](auto done) {
        transport_.WithStream([&](auto& stream) {
          http::async_read_header(
              stream, buffer_, *stream_parser_,
              [done](beast::error_code ec, size_t) mutable { done(ec); });
        });
      });
    }
    if (error) return transport_.Failure("a request to", error);
    const auto& message = stream_parser_->get();
    head_.status = static_cast<int>(message.result_int());
    head_.content_type = std::string(message[http::field::content_type]);
    return absl::OkStatus();
  }

  // HttpStream.
  const HttpResponse& head() const override { return head_; }

  absl::StatusOr<std::string> Read() override {
    if (transport_.cancelled()) {
      return InternalFailure("the stream was cancelled");
    }
    if (stream_parser_->is_done()) return std::string();
    std::string chunk(size_t{64} << 10, '\0');
    auto& body = stream_parser_->get().body();
    body.data = chunk.data();
    body.size = chunk.size();
    beast::error_code error = transport_.Run(RequestTimeout(), [&](auto done) {
      transport_.WithStream([&](auto& stream) {
        http::async_read_some(
            stream, buffer_, *stream_parser_,
            [done](beast::error_code ec, size_t) mutable { done(ec); });
      });
    });
    if (error == http::error::need_buffer) error = {};
    if (transport_.cancelled()) {
      return InternalFailure("the stream was cancelled");
    }
    if (error) return transport_.Failure("reading a stream from", error);
    chunk.resize(chunk.size() - body.size);
    if (chunk.empty() && !stream_parser_->is_done()) return Read();
    return chunk;
  }

  void Cancel() override { transport_.Cancel(); }

  // Whether the last failure was a timeout.
  bool timed_out() const { return transport_.timed_out(); }

 private:
  absl::Duration RequestTimeout() const {
    return transport_.options().request_timeout;
  }

  beast::error_code Write(OutgoingRequest& request) {
    return transport_.Run(RequestTimeout(), [&](auto done) {
      transport_.WithStream([&](auto& stream) {
        http::async_write(
            stream, request,
            [done](beast::error_code ec, size_t) mutable { done(ec); });
      });
    });
  }

  Transport transport_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> stream_parser_;
  HttpResponse head_;
};

HttpClient::HttpClient(HttpEndpoint endpoint, HttpClientOptions options)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      tls_(ssl::context::tls_client) {}

HttpClient::~HttpClient() = default;

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(
    HttpEndpoint endpoint, HttpClientOptions options) {
  std::unique_ptr<HttpClient> client(
      new HttpClient(std::move(endpoint), std::move(options)));
  beast::error_code error;
  if (client->options_.verify_peer) {
    client->tls_.set_verify_mode(ssl::verify_peer, error);
    if (!error) {
      if (client->options_.ca_file.empty()) {
        client->tls_.set_default_verify_paths(error);
      } else {
        client->tls_.load_verify_file(client->options_.ca_file, error);
      }
    }
  } else {
    client->tls_.set_verify_mode(ssl::verify_none, error);
  }
  if (error) {
    return InvalidArgument(absl::StrCat("cannot load CA certificates '",
                                        client->options_.ca_file,
                                        "': ", error.message()));
  }
  return client;
}

std::unique_ptr<HttpClient::Connection> HttpClient::TakeIdle() {
  absl::MutexLock lock(&mu_);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void HttpClient::ReturnIdle(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
}

absl::StatusOr<HttpResponse> HttpClient::Post(const HttpRequest& request,
                                              bool* timed_out) {
  OutgoingRequest message = ToBeast(http::verb::post, request, endpoint_);
  bool timeout = false;
  absl::StatusOr<HttpResponse> response = SendOnce(message, &timeout);
  if (timed_out != nullptr) *timed_out = timeout;
  return response;
}

absl::StatusOr<HttpResponse> HttpClient::SendOnce(OutgoingRequest& message,
                                                  bool* timed_out) {
  std::unique_ptr<Connection> connection = TakeIdle();
  bool unsent = false;
  bool reusable = false;
  absl::StatusOr<HttpResponse> response =
      InternalFailure("no connection was tried");
  if (connection != nullptr) {
    response = connection->RoundTrip(message, &unsent, &reusable);
    // A connection the server closed while idle: it never saw the request.
    if (!response.ok() && unsent) connection = nullptr;
  }
  if (connection == nullptr) {
    auto fresh = std::make_unique<Connection>(endpoint_, &tls_, options_);
    absl::Status opened = fresh->Open();
    connection = std::move(fresh);
    response = opened.ok() ? connection->RoundTrip(message, &unsent, &reusable)
                           : absl::StatusOr<HttpResponse>(opened);
  }
  *timed_out = !response.ok() && connection->timed_out();
  if (response.ok() && reusable) ReturnIdle(std::move(connection));
  return response;
}

absl::StatusOr<HttpResponse> HttpClient::Get(absl::string_view target) {
  HttpRequest request;
  request.target = std::string(target);
  OutgoingRequest message = ToBeast(http::verb::get, request, endpoint_);
  bool timed_out = false;
  return SendOnce(message, &timed_out);
}

absl::StatusOr<std::unique_ptr<HttpStream>> HttpClient::OpenStream(
    const HttpRequest& request) {
  if (options_.streams_over_http2) {
    return OpenHttp2Stream(endpoint_, &tls_, options_, request);
  }
  OutgoingRequest message = ToBeast(http::verb::post, request, endpoint_);
  auto connection = std::make_unique<Connection>(endpoint_, &tls_, options_);
  if (absl::Status opened = connection->Open(); !opened.ok()) return opened;
  if (absl::Status started = connection->StartStream(message); !started.ok()) {
    return started;
  }
  return std::unique_ptr<HttpStream>(std::move(connection));
}

}  // namespace brook
