#include "tool/kinesis_client.h"

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
#include "boost/json/parse.hpp"
#include "server/cbor_codec.h"

namespace brook::bench {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

constexpr char kAuthorization[] =
    "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/kinesis/"
    "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature="
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr char kDate[] = "20260101T000000Z";

// The error a non-200 answer describes, as "__type: message".
absl::Status ErrorOf(unsigned status, const std::string& body) {
  std::string type = "unknown error";
  std::string message = body;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const boost::json::object& object = parsed.as_object();
    if (const auto* t = object.if_contains("__type"); t && t->is_string()) {
      type = std::string(t->as_string());
    }
    for (const char* key : {"message", "Message"}) {
      if (const auto* m = object.if_contains(key); m && m->is_string()) {
        message = std::string(m->as_string());
      }
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("HTTP ", status, " ", type, ": ", message));
}

std::string Target(absl::string_view operation) {
  return absl::StrCat("Kinesis_20131202.", operation);
}

class Http1Client : public KinesisClient {
 public:
  explicit Http1Client(const Endpoint& endpoint) : KinesisClient(endpoint) {}
  using KinesisClient::Open;

 private:
  absl::StatusOr<Answer> RoundTrip(absl::string_view operation,
                                   const std::string& body) override {
    // The body is sent from where it lies: a batch is sent many times, and
    // copying it into each request was most of the tool's own CPU.
    http::request<http::span_body<const char>> request(http::verb::post, "/",
                                                       11);
    request.set(http::field::host, host_);
    request.set(http::field::content_type, content_type());
    request.set("X-Amz-Target", Target(operation));
    request.set("X-Amz-Date", kDate);
    request.set(http::field::authorization, kAuthorization);
    request.keep_alive(true);
    request.body() = {body.data(), body.size()};
    request.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, request, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(size_t{64} << 20);
    if (!ec) http::read(socket_, buffer_, parser, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat(operation, " to ", host_, ": ", ec.message()));
    }
    http::response<http::string_body> response = parser.release();
    return Answer{response.result_int(), std::move(response.body())};
  }

  boost::beast::flat_buffer buffer_;
};

// HTTP/2 with prior knowledge, as the JavaScript and Java SDKs speak it
// over http://: one stream at a time, on a blocking socket.
class H2cClient : public KinesisClient {
 public:
  explicit H2cClient(const Endpoint& endpoint) : KinesisClient(endpoint) {}
  ~H2cClient() override {
    if (session_ != nullptr) nghttp2_session_del(session_);
  }

  absl::Status Start() {
    if (absl::Status opened = Open(); !opened.ok()) return opened;
    nghttp2_session_callbacks* callbacks;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                              &OnData);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnClose);
    nghttp2_session_client_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    // Windows large enough that flow control never waits on a response.
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16 << 20}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          64 << 20);
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<Answer> RoundTrip(absl::string_view operation,
                                   const std::string& body) override {
    const std::string target = Target(operation);
    const std::string length = absl::StrCat(body.size());
    auto field = [](absl::string_view name, absl::string_view value) {
      return nghttp2_nv{
          const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(name.data())),
          const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(value.data())),
          name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
    };
    const nghttp2_nv fields[] = {field(":method", "POST"),
                                 field(":path", "/"),
                                 field(":scheme", "http"),
                                 field(":authority", host_),
                                 field("content-type", content_type()),
                                 field("content-length", length),
                                 field("x-amz-target", target),
                                 field("x-amz-date", kDate),
                                 field("authorization", kAuthorization)};
    body_ = &body;
    body_offset_ = 0;
    answer_ = Answer();
    done_ = false;
    nghttp2_data_provider provider;
    provider.source.ptr = this;
    provider.read_callback = &ReadBody;
    if (nghttp2_submit_request(session_, nullptr, fields, std::size(fields),
                               &provider, nullptr) < 0) {
      return absl::InternalError("cannot submit an HTTP/2 request");
    }
    while (!done_) {
      if (absl::Status pumped = Pump(); !pumped.ok()) {
        return absl::UnavailableError(
            absl::StrCat(operation, " to ", host_, ": ", pumped.message()));
      }
    }
    return std::move(answer_);
  }

  // Writes what the session has to say, then reads once.
  absl::Status Pump() {
    for (;;) {
      const uint8_t* data;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return absl::InternalError(nghttp2_strerror(n));
      if (n == 0) break;
      boost::system::error_code ec;
      boost::asio::write(socket_, boost::asio::buffer(data, n), ec);
      if (ec) return absl::UnavailableError(ec.message());
    }
    if (done_) return absl::OkStatus();
    boost::system::error_code ec;
    const size_t n = socket_.read_some(boost::asio::buffer(read_), ec);
    if (ec) return absl::UnavailableError(ec.message());
    if (nghttp2_session_mem_recv(session_, read_, n) < 0) {
      return absl::InternalError("bad HTTP/2 from the server");
    }
    return absl::OkStatus();
  }

  static H2cClient& Of(void* user_data) {
    return *static_cast<H2cClient*>(user_data);
  }
  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buffer,
                          size_t length, uint32_t* flags, nghttp2_data_source*,
                          void* user_data) {
    H2cClient& self = Of(user_data);
    const size_t n = std::min(length, self.body_->size() - self.body_offset_);
    std::memcpy(buffer, self.body_->data() + self.body_offset_, n);
    self.body_offset_ += n;
    if (self.body_offset_ == self.body_->size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
  }
  static int OnHeader(nghttp2_session*, const nghttp2_frame*,
                      const uint8_t* name, size_t name_length,
                      const uint8_t* value, size_t value_length, uint8_t,
                      void* user_data) {
    if (absl::string_view(reinterpret_cast<const char*>(name), name_length) ==
        ":status") {
      Of(user_data).answer_.status = static_cast<unsigned>(std::atoi(
          std::string(reinterpret_cast<const char*>(value), value_length)
              .c_str()));
    }
    return 0;
  }
  static int OnData(nghttp2_session*, uint8_t, int32_t, const uint8_t* data,
                    size_t length, void* user_data) {
    Of(user_data).answer_.body.append(reinterpret_cast<const char*>(data),
                                      length);
    return 0;
  }
  static int OnClose(nghttp2_session*, int32_t, uint32_t, void* user_data) {
    Of(user_data).done_ = true;
    return 0;
  }

  nghttp2_session* session_ = nullptr;
  uint8_t read_[64 << 10];
  const std::string* body_ = nullptr;
  size_t body_offset_ = 0;
  Answer answer_;
  bool done_ = false;
};

}  // namespace

absl::StatusOr<Endpoint> Endpoint::Parse(absl::string_view text) {
  absl::ConsumePrefix(&text, "http://");
  absl::ConsumeSuffix(&text, "/");
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint '", text, "' is not http://HOST:PORT"));
  }
  Endpoint endpoint;
  endpoint.host = std::string(text.substr(0, colon));
  endpoint.port = std::string(text.substr(colon + 1));
  return endpoint;
}

KinesisClient::KinesisClient(const Endpoint& endpoint)
    : host_(absl::StrCat(endpoint.host, ":", endpoint.port)),
      cbor_(endpoint.cbor),
      endpoint_(endpoint) {}

absl::StatusOr<std::unique_ptr<KinesisClient>> KinesisClient::Connect(
    const Endpoint& endpoint) {
  if (endpoint.protocol == Endpoint::Protocol::kH2c) {
    auto client = std::make_unique<H2cClient>(endpoint);
    if (absl::Status started = client->Start(); !started.ok()) return started;
    return client;
  }
  auto client = std::make_unique<Http1Client>(endpoint);
  if (absl::Status opened = client->Open(); !opened.ok()) return opened;
  return client;
}

absl::Status KinesisClient::Open() {
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  const auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
  if (!ec) boost::asio::connect(socket_, addresses, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("connecting to ", host_, ": ", ec.message()));
  }
  socket_.set_option(tcp::no_delay(true));
  return absl::OkStatus();
}

const char* KinesisClient::content_type() const {
  return cbor_ ? kCborContentType : "application/x-amz-json-1.1";
}

absl::StatusOr<std::string> KinesisClient::Encode(
    absl::string_view operation, absl::string_view json_body) const {
  if (!cbor_) return std::string(json_body);
  return JsonToCbor(InputShapeOf(operation), json_body);
}

absl::StatusOr<std::string> KinesisClient::Call(absl::string_view operation,
                                                absl::string_view body) {
  absl::StatusOr<std::string> wire = Encode(operation, body);
  if (!wire.ok()) return wire.status();
  return CallEncoded(operation, *wire);
}

absl::StatusOr<std::string> KinesisClient::CallEncoded(
    absl::string_view operation, const std::string& wire_body) {
  absl::StatusOr<Answer> answer = RoundTrip(operation, wire_body);
  if (!answer.ok()) return answer.status();
  std::string body = std::move(answer->body);
  // An operation without output answers with no body, in either encoding.
  if (cbor_ && !body.empty()) {
    absl::StatusOr<std::string> json =
        CborToJson(answer->status == 200 ? OutputShapeOf(operation) : "", body);
    if (!json.ok()) return json.status();
    body = *std::move(json);
  }
  if (answer->status != 200) return ErrorOf(answer->status, body);
  return body;
}

}  // namespace brook::bench
