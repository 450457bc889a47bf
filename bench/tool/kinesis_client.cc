#include "tool/kinesis_client.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/asio/connect.hpp"
#include "boost/beast/http.hpp"
#include "boost/json/parse.hpp"

namespace brook::bench {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

constexpr char kAuthorization[] =
    "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/kinesis/"
    "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature="
    "0000000000000000000000000000000000000000000000000000000000000000";

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
  return Endpoint{std::string(text.substr(0, colon)),
                  std::string(text.substr(colon + 1))};
}

KinesisClient::KinesisClient(std::string host) : host_(std::move(host)) {}

absl::StatusOr<std::unique_ptr<KinesisClient>> KinesisClient::Connect(
    const Endpoint& endpoint) {
  std::unique_ptr<KinesisClient> client(
      new KinesisClient(absl::StrCat(endpoint.host, ":", endpoint.port)));
  boost::system::error_code ec;
  tcp::resolver resolver(client->io_);
  const auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (!ec) boost::asio::connect(client->socket_, addresses, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("connecting to ", client->host_, ": ", ec.message()));
  }
  client->socket_.set_option(tcp::no_delay(true));
  return client;
}

absl::StatusOr<std::string> KinesisClient::Call(absl::string_view operation,
                                                std::string body) {
  http::request<http::string_body> request(http::verb::post, "/", 11);
  request.set(http::field::host, host_);
  request.set(http::field::content_type, "application/x-amz-json-1.1");
  request.set("X-Amz-Target", absl::StrCat("Kinesis_20131202.", operation));
  request.set("X-Amz-Date", "20260101T000000Z");
  request.set(http::field::authorization, kAuthorization);
  request.keep_alive(true);
  request.body() = std::move(body);
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
  if (response.result_int() != 200) {
    return ErrorOf(response.result_int(), response.body());
  }
  return std::move(response.body());
}

}  // namespace brook::bench
