#include "server/api_exchange.h"

#include <utility>

#include "absl/algorithm/container.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "boost/json/monotonic_resource.hpp"
#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "brook/error.h"
#include "brook/write_state.h"
#include "common/brook_target.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "schema/kinesis_shapes.h"
#include "server/cbor_codec.h"
#include "server/prometheus_metrics.h"
#include "server/web_console.h"

namespace brook {
namespace {

constexpr absl::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr char kJsonContentType[] = "application/x-amz-json-1.1";

// Kinesis answers client errors with 400, its own failures with 500, and
// 503 when it is too busy.
int StatusFor(const absl::Status& error) {
  switch (ErrorNameOf(error)) {
    case ErrorName::kInternalFailure:
      return 500;
    case ErrorName::kServiceUnavailable:
      return 503;
    default:
      return 400;
  }
}

std::string ErrorBody(const absl::Status& error, BodyEncoding encoding) {
  boost::json::object body;
  body["__type"] = std::string(ErrorNameToString(ErrorNameOf(error)));
  body["message"] = std::string(error.message());
  if (encoding == BodyEncoding::kCbor) {
    absl::StatusOr<std::string> cbor = WriteCbor("", body);
    if (cbor.ok()) return *std::move(cbor);
  }
  return boost::json::serialize(body);
}

const char* ContentTypeOf(BodyEncoding encoding) {
  return encoding == BodyEncoding::kCbor ? kCborContentType : kJsonContentType;
}

// Event payloads for a CBOR client.
PayloadWriter CborPayloads() { return {kCborContentType, &WriteCbor}; }

// The whole X-Amz-Target, or "" if there is none.
absl::string_view TargetOf(const RequestHead& head) {
  const std::string* target = head.Find("x-amz-target");
  return target == nullptr ? "" : absl::string_view(*target);
}

// The Kinesis operation X-Amz-Target names, or "" if it names none.
absl::string_view OperationOf(const RequestHead& head) {
  absl::string_view operation = TargetOf(head);
  return absl::ConsumePrefix(&operation, kTargetPrefix) ? operation : "";
}

// The operation a request is counted under: one of the Kinesis model, one
// of Brook's own (as "Brook.<Operation>"), or "unknown"; never a name the
// client made up, so that the set of series stays bounded.
std::string OperationLabel(const RequestHead& head) {
  absl::string_view target = TargetOf(head);
  if (absl::ConsumePrefix(&target, kBrookTargetPrefix)) {
    return BrookApi::Serves(target) ? absl::StrCat("Brook.", target)
                                    : "unknown";
  }
  const absl::string_view operation = OperationOf(head);
  return schema::FindOperation(operation) != nullptr ? std::string(operation)
                                                     : "unknown";
}

}  // namespace

const std::string* RequestHead::Find(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

BodyEncoding EncodingOf(const RequestHead& head) {
  const std::string* type = head.Find("content-type");
  return type != nullptr &&
                 absl::StrContains(absl::AsciiStrToLower(*type), "cbor")
             ? BodyEncoding::kCbor
             : BodyEncoding::kJson;
}

Route RouteOf(const RequestHead& head) {
  if (head.method == "POST") return Route::kApi;  // As AWS: any path.
  if (head.method == "GET" && head.target == "/health") return Route::kHealth;
  if (head.method == "GET" && head.target == "/metrics") {
    return Route::kMetrics;
  }
  if (head.method == "GET" && IsConsoleTarget(head.target)) {
    return Route::kConsole;
  }
  return Route::kRefused;
}

SignableRequest SignableOf(const RequestHead& head, absl::string_view payload) {
  SignableRequest signable;
  signable.method = head.method;
  const absl::string_view target = head.target;
  const size_t query = target.find('?');
  signable.path = std::string(target.substr(0, query));
  if (query != absl::string_view::npos) {
    signable.query = std::string(target.substr(query + 1));
  }
  signable.headers = head.headers;
  if (head.Find("host") == nullptr && !head.authority.empty()) {
    signable.headers.emplace_back("host", head.authority);
  }
  signable.payload = payload;
  return signable;
}

ApiExchange::ApiExchange(KinesisApi* api, Broker* broker,
                         ApiExchangeOptions options)
    : api_(api),
      broker_(broker),
      brook_api_(broker),
      options_(std::move(options)) {}

absl::Status ApiExchange::CheckBeforeBody(const RequestHead& head) const {
  if (!signs()) return absl::OkStatus();
  return CheckSignatureHeaders(SignableOf(head, ""), options_.credentials,
                               absl::Now());
}

bool ApiExchange::IsSubscribe(const RequestHead& head) {
  return OperationOf(head) == "SubscribeToShard";
}

ApiResponse ApiExchange::Call(const RequestHead& head,
                              absl::string_view body) const {
  const absl::Time start = options_.clock->Now();
  const BodyEncoding encoding = EncodingOf(head);
  absl::StatusOr<std::string> result = RunOperation(head, body, encoding);
  Record(head, result.status(), start);
  if (!result.ok()) return ErrorResponse(result.status(), encoding);
  ApiResponse response;
  response.content_type = ContentTypeOf(encoding);
  response.body = *std::move(result);
  return response;
}

absl::StatusOr<std::string> ApiExchange::RunOperation(
    const RequestHead& head, absl::string_view body,
    BodyEncoding encoding) const {
  BROOK_RETURN_IF_ERROR(Authenticate(head, body));
  if (absl::string_view brook_operation = TargetOf(head);
      absl::ConsumePrefix(&brook_operation, kBrookTargetPrefix)) {
    return brook_api_.Call(brook_operation, body);
  }
  const absl::string_view operation = OperationOf(head);
  if (operation.empty()) {
    return MakeError(
        ErrorName::kUnknownOperationException,
        absl::StrCat("X-Amz-Target must be ", kTargetPrefix, "<Operation>"));
  }
  if (encoding == BodyEncoding::kJson) return api_->Call(operation, body);
  // As KinesisApi::Call() with JSON: the request's tree lives in one arena.
  boost::json::monotonic_resource arena;
  BROOK_ASSIGN_OR_RETURN(
      boost::json::value request,
      ReadCbor(InputShapeOf(operation), body, BlobForm::kBytes, &arena));
  BROOK_ASSIGN_OR_RETURN(boost::json::value answer,
                         api_->Run(operation, request, BlobForm::kBytes));
  // An operation without output answers with an empty body, in either
  // encoding.
  if (answer.is_null()) return std::string();
  return WriteCbor(OutputShapeOf(operation), answer);
}

absl::StatusOr<std::unique_ptr<Subscription>> ApiExchange::Subscribe(
    const RequestHead& head, absl::string_view body, EventSink* sink) const {
  const absl::Time start = options_.clock->Now();
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      StartSubscription(head, body, sink);
  // Timed to the start of the event stream, not to its end.
  Record(head, subscription.status(), start);
  return subscription;
}

void ApiExchange::Record(const RequestHead& head, const absl::Status& status,
                         absl::Time start) const {
  if (options_.metrics == nullptr) return;
  options_.metrics->RecordRequest(OperationLabel(head), status,
                                  options_.clock->Now() - start);
}

absl::StatusOr<std::unique_ptr<Subscription>> ApiExchange::StartSubscription(
    const RequestHead& head, absl::string_view body, EventSink* sink) const {
  BROOK_RETURN_IF_ERROR(Authenticate(head, body));
  if (EncodingOf(head) == BodyEncoding::kJson) {
    return api_->SubscribeToShard(body, sink);
  }
  BROOK_ASSIGN_OR_RETURN(
      boost::json::value request,
      ReadCbor(InputShapeOf("SubscribeToShard"), body, BlobForm::kBytes));
  return api_->SubscribeToShard(request, BlobForm::kBytes, CborPayloads(),
                                sink);
}

// With credentials configured, the request's signature must match its
// headers (checked already) and its body.
absl::Status ApiExchange::Authenticate(const RequestHead& head,
                                       absl::string_view body) const {
  if (!signs()) return absl::OkStatus();
  return VerifySignature(SignableOf(head, body), options_.credentials,
                         absl::Now());
}

ApiResponse ApiExchange::Refusal(const RequestHead& head) const {
  // AWS refuses what is not a signed POST before looking further.
  const absl::Status error =
      signs() && head.Find("authorization") == nullptr
          ? MakeError(ErrorName::kMissingAuthenticationTokenException,
                      "Missing Authentication Token")
          : MakeError(ErrorName::kAccessDeniedException,
                      "Unable to determine service/operation name to be "
                      "authorized");
  return ErrorResponse(error, BodyEncoding::kJson, 403);
}

ApiResponse ApiExchange::Metrics(const RequestHead& head) const {
  if (absl::Status allowed = AuthorizeMetrics(head); !allowed.ok()) {
    return ErrorResponse(allowed, BodyEncoding::kJson, 403);
  }
  ApiResponse response =
      Plain(200, PrometheusMetrics(*broker_, options_.metrics));
  // Prometheus' text exposition format names its version in the type.
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return response;
}

ApiResponse ApiExchange::Health() const {
  const WriteState state = broker_->GetWriteState();
  if (state.status == WriteStatus::kAccepting) return Plain(200, "ok\n");
  return Plain(503, absl::StrCat(WriteStatusToString(state.status), ": ",
                                 state.reason.message(), "\n"));
}

// GET /metrics: with credentials or a metrics token, only for a caller that
// shows one.
absl::Status ApiExchange::AuthorizeMetrics(const RequestHead& head) const {
  const std::string& token = options_.metrics_token;
  if (!token.empty()) {
    const std::string* authorization = head.Find("authorization");
    if (authorization != nullptr &&
        SecretsEqual(*authorization, absl::StrCat("Bearer ", token))) {
      return absl::OkStatus();
    }
  }
  if (signs()) {
    return VerifySignature(SignableOf(head, ""), options_.credentials,
                           absl::Now());
  }
  if (!token.empty()) {
    return MakeError(ErrorName::kMissingAuthenticationTokenException,
                     "GET /metrics needs 'Authorization: Bearer <token>'");
  }
  return absl::OkStatus();
}

ApiResponse ApiExchange::ErrorResponse(const absl::Status& error,
                                       BodyEncoding encoding, int status) {
  ApiResponse response;
  response.status = status != 0 ? status : StatusFor(error);
  response.content_type = ContentTypeOf(encoding);
  response.body = ErrorBody(error, encoding);
  return response;
}

ApiResponse ApiExchange::Plain(int status, absl::string_view text) {
  ApiResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::string(text);
  return response;
}

std::string NewRequestId() {
  thread_local absl::BitGen bits;
  const uint64_t high = absl::Uniform<uint64_t>(bits);
  const uint64_t low = absl::Uniform<uint64_t>(bits);
  const uint64_t version = (high & ~uint64_t{0xf000}) | 0x4000;
  const uint64_t variant = (low & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", version >> 32,
                         (version >> 16) & 0xffff, version & 0xffff,
                         variant >> 48, variant & 0xffffffffffff);
}

}  // namespace brook
