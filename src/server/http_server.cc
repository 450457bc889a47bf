#include "server/http_server.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/json/serialize.hpp"
#include "brook/error.h"
#include "brook/write_state.h"
#include "common/brook_target.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "server/sigv4.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr absl::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr char kJsonContentType[] = "application/x-amz-json-1.1";
// Bytes read from a socket at a time; with the header limit, the most a
// connection's read buffer holds.
constexpr size_t kReadChunk = size_t{64} << 10;
// Events waiting for a SubscribeToShard client; past them the subscription
// pauses until the client reads.
constexpr size_t kMaxQueuedEvents = 4;

SteadyClock::duration ToSteady(absl::Duration duration) {
  return std::chrono::duration_cast<SteadyClock::duration>(
      absl::ToChronoNanoseconds(duration));
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

// Kinesis answers client errors with 400, its own failures with 500, and
// 503 when it is too busy.
http::status StatusFor(const absl::Status& error) {
  switch (ErrorNameOf(error)) {
    case ErrorName::kInternalFailure:
      return http::status::internal_server_error;
    case ErrorName::kServiceUnavailable:
      return http::status::service_unavailable;
    default:
      return http::status::bad_request;
  }
}

// A request id as AWS writes x-amzn-RequestId: a random (version 4) UUID.
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

std::string ErrorBody(const absl::Status& error) {
  boost::json::object body;
  body["__type"] = std::string(ErrorNameToString(ErrorNameOf(error)));
  body["message"] = std::string(error.message());
  return boost::json::serialize(body);
}

absl::string_view View(beast::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// RFC 9112 section 6: a request body is framed by Transfer-Encoding only if
// its last (here: only) coding is chunked, and a server must answer any
// other Transfer-Encoding with 400 and close, since it cannot tell where
// the body ends. Content-Length beside it could be used to smuggle a
// second request past a proxy, so that is refused too.
bool FramedUnambiguously(const http::request_header<>& header) {
  int encodings = 0;
  for (const auto& field : header) {
    if (field.name() != http::field::transfer_encoding) continue;
    ++encodings;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(View(field.value())),
                                "chunked")) {
      return false;
    }
  }
  return encodings == 0 ||
         (encodings == 1 &&
          header.find(http::field::content_length) == header.end());
}

// What a request is for, from its method and target.
enum class Route { kApi, kHealth, kMetrics, kRefused };

Route RouteOf(const http::request_header<>& header) {
  const absl::string_view target = View(header.target());
  if (header.method() == http::verb::post) return Route::kApi;  // As AWS:
  // any path.
  if (header.method() == http::verb::get && target == "/health") {
    return Route::kHealth;
  }
  if (header.method() == http::verb::get && target == "/metrics") {
    return Route::kMetrics;
  }
  return Route::kRefused;
}

SignableRequest SignableOf(const http::request_header<>& header,
                           absl::string_view payload) {
  SignableRequest signable;
  signable.method = std::string(View(header.method_string()));
  const absl::string_view target = View(header.target());
  const size_t query = target.find('?');
  signable.path = std::string(target.substr(0, query));
  if (query != absl::string_view::npos) {
    signable.query = std::string(target.substr(query + 1));
  }
  for (const auto& field : header) {
    signable.headers.emplace_back(std::string(View(field.name_string())),
                                  std::string(View(field.value())));
  }
  signable.payload = payload;
  return signable;
}

}  // namespace

// One connection. Its phases, all on its strand:
//
//   header   read the request's headers (header_timeout from the first
//            byte); check framing, route and, with credentials, the
//            signature's headers; refuse with an error and close if any
//            fails
//   waiting  take the body's size from the server's budget (budget_wait,
//            then 503)
//   body     read the body (at min_body_bytes_per_second after a grace,
//            with no silence longer than header_timeout)
//   handling the operation runs on the handler pool
//   writing  write the response (write_timeout per write); then idle, or
//            close
//   idle     wait for the next request's first byte (idle_timeout)
//   streaming a SubscribeToShard event stream, until it ends
class HttpServer::Session : public std::enable_shared_from_this<Session>,
                            public EventSink {
 public:
  enum class Phase {
    kIdle,
    kHeader,
    kWaiting,
    kBody,
    kHandling,
    kWriting,
    kStreaming
  };

  Session(tcp::socket socket, HttpServer* server)
      : stream_(std::move(socket)),
        server_(server),
        budget_timer_(stream_.get_executor()),
        buffer_(server->options_.max_header_bytes + kReadChunk) {
    MarkProgress();
  }
  ~Session() {
    // Only one thread is left with the session. A place in the budget's
    // line is given up (if it was admitted meanwhile, the admission gives
    // the bytes back), and the bytes of a request that never reached its
    // handler go back here.
    if (waiting_) server_->budget_.Cancel(ticket_);
    if (held_bytes_ > 0) server_->ReleaseBody(held_bytes_);
    server_->RemoveSession(this);
  }

  // Reads the first request, from the strand; its header deadline runs
  // from now.
  void PostStart() {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Shedding, from any thread: whether the connection may be closed to
  // make room, and when it last made progress.
  bool Sheddable() const {
    switch (phase_.load()) {
      case Phase::kHandling:
      case Phase::kStreaming:
        return false;  // Progressing inside the server, or a subscription.
      default:
        return !shed_.load();
    }
  }
  int64_t last_progress() const { return progress_nanos_.load(); }
  // Closes the connection from its strand, once.
  bool Shed() {
    if (shed_.exchange(true)) return false;
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->Close(); });
    return true;
  }

  // EventSink, called by the subscription's threads: never waits.
  bool Send(std::string message) override {
    absl::MutexLock lock(&events_mu_);
    if (closing_) return true;  // The subscription is being cancelled.
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

  // Stops the stream from its strand (for the server's shutdown).
  void PostStopStreaming() {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->StopStreaming(); });
  }

 private:
  using Response = http::response<http::string_body>;

  const HttpServerOptions& options() const { return server_->options_; }

  void MarkProgress() { progress_nanos_.store(NowNanos()); }
  void SetPhase(Phase phase) {
    phase_.store(phase);
    MarkProgress();
  }

  // --- Reading a request ---------------------------------------------------

  // Idle: waits for the next request's first byte, unless a pipelined one
  // is read already.
  void WaitForRequest() {
    SetPhase(Phase::kIdle);
    if (buffer_.size() > 0) {
      ReadHeader();
      return;
    }
    stream_.expires_after(ToSteady(options().idle_timeout));
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code error, size_t bytes) {
          if (error) return;  // Closed, idle too long, or shed.
          self->buffer_.commit(bytes);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    SetPhase(Phase::kHeader);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    stream_.expires_after(ToSteady(options().header_timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) {
          self->OnHeader(error);
        });
  }

  void OnHeader(beast::error_code error) {
    if (error == http::error::body_limit) {
      Refuse(Plain(http::status::payload_too_large,
                   "the request body is too large\n"));
      return;
    }
    if (error == http::error::header_limit) {
      Refuse(Plain(http::status::request_header_fields_too_large,
                   "the request headers are too large\n"));
      return;
    }
    if (error.category() ==
        http::make_error_code(http::error::bad_target).category()) {
      // A malformed request (RFC 9112 section 2.2: 400, then close).
      Refuse(Plain(http::status::bad_request, "malformed request\n"));
      return;
    }
    if (error) return;  // Closed, timed out or shed: drop the connection.
    MarkProgress();
    const http::request_header<>& header = parser_->get();
    keep_alive_ = parser_->keep_alive();
    if (!FramedUnambiguously(header)) {
      Refuse(Plain(http::status::bad_request,
                   "Transfer-Encoding must be chunked alone, without "
                   "Content-Length\n"));
      return;
    }
    const bool has_body =
        parser_->chunked() || parser_->content_length().value_or(0) > 0;
    switch (RouteOf(header)) {
      case Route::kHealth:
        Reply(Health(), keep_alive_ && !has_body);
        return;
      case Route::kMetrics:
        ServeMetrics(has_body);
        return;
      case Route::kRefused:
        // AWS refuses what is not a signed POST before looking further.
        Reply(ErrorResponse(NotAnApiCall(), http::status::forbidden),
              keep_alive_ && !has_body);
        return;
      case Route::kApi:
        break;
    }
    if (!server_->options_.credentials.empty()) {
      absl::Status signed_headers = CheckSignatureHeaders(
          SignableOf(header, ""), server_->options_.credentials, absl::Now());
      if (!signed_headers.ok()) {
        Refuse(ErrorResponse(signed_headers));  // Body unread: close.
        return;
      }
    }
    Admit();
  }

  absl::Status NotAnApiCall() const {
    const http::request_header<>& header = parser_->get();
    if (!options().credentials.empty() &&
        header.find(http::field::authorization) == header.end()) {
      return MakeError(ErrorName::kMissingAuthenticationTokenException,
                       "Missing Authentication Token");
    }
    return MakeError(ErrorName::kAccessDeniedException,
                     "Unable to determine service/operation name to be "
                     "authorized");
  }

  // Waiting: takes the body's size from the budget before reading it.
  void Admit() {
    body_bytes_ = parser_->chunked() ? options().max_body_bytes
                                     : parser_->content_length().value_or(0);
    if (body_bytes_ == 0) {
      ReadBody();
      return;
    }
    SetPhase(Phase::kWaiting);
    waiting_ = true;
    // The budget holds the session weakly: a connection that goes away
    // while waiting must not be kept alive by its place in line.
    ticket_ = server_->budget_.Acquire(
        body_bytes_,
        [weak = weak_from_this(), server = server_, bytes = body_bytes_] {
          if (std::shared_ptr<Session> self = weak.lock()) {
            asio::post(self->stream_.get_executor(),
                       [self] { self->OnAdmitted(); });
          } else {
            server->ReleaseBody(bytes);  // Admitted after it was gone.
          }
        });
    if (ticket_ == 0) return;  // Admitted: OnAdmitted() is posted.
    budget_timer_.expires_after(ToSteady(options().budget_wait));
    budget_timer_.async_wait(
        [self = shared_from_this()](beast::error_code error) {
          if (!error) self->OnBudgetTimeout();
        });
  }

  void OnAdmitted() {
    held_bytes_ = body_bytes_;  // Released by the handler, or the destructor.
    if (!waiting_) return;      // Closed meanwhile.
    waiting_ = false;
    budget_timer_.cancel();
    if (shed_.load()) return;
    ContinueIfExpected();
  }

  void OnBudgetTimeout() {
    if (!waiting_ || !server_->budget_.Cancel(ticket_)) return;
    waiting_ = false;
    Refuse(ErrorResponse(MakeError(
        ErrorName::kServiceUnavailable,
        "brookd holds as many request bodies as its memory budget allows; "
        "retry later")));
  }

  // A client that sent "Expect: 100-continue" waits for this before it
  // sends the body: with it, a request that waited for the budget costs
  // nothing in flight.
  void ContinueIfExpected() {
    const http::request_header<>& header = parser_->get();
    const auto expect = header.find(http::field::expect);
    if (expect == header.end() ||
        !absl::EqualsIgnoreCase(View(expect->value()), "100-continue")) {
      ReadBody();
      return;
    }
    static constexpr absl::string_view kContinue =
        "HTTP/1.1 100 Continue\r\n\r\n";
    WriteBuffers(
        asio::buffer(kContinue.data(), kContinue.size()),
        [](const std::shared_ptr<Session>& self) { self->ReadBody(); });
  }

  // Body: reads it at the minimum rate or faster.
  void ReadBody() {
    SetPhase(Phase::kBody);
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    const SteadyClock::time_point now = SteadyClock::now();
    if (body_read_ == 0) body_started_ = now;
    // The rate is over the whole body, so early bytes buy time for later
    // ones; a body that stops altogether is cut after a header_timeout's
    // silence all the same, so that it cannot keep its budget for long.
    const double seconds =
        static_cast<double>(body_read_) /
        static_cast<double>(options().min_body_bytes_per_second);
    const auto rate_deadline = body_started_ +
                               ToSteady(options().header_timeout) +
                               ToSteady(absl::Seconds(seconds));
    stream_.expires_at(
        std::min(rate_deadline, now + ToSteady(options().header_timeout)));
    http::async_read_some(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t bytes) {
          if (error == http::error::body_limit) {
            self->Refuse(Plain(http::status::payload_too_large,
                               "the request body is too large\n"));
            return;
          }
          if (error) return;  // Closed, too slow or shed.
          self->body_read_ += bytes;
          self->ReadBody();
        });
  }

  // --- Running it -----------------------------------------------------------

  void Dispatch() {
    SetPhase(Phase::kHandling);
    stream_.expires_never();
    request_ = parser_->release();
    parser_.reset();
    body_read_ = 0;
    if (Operation() == "SubscribeToShard") {
      asio::post(server_->handlers_,
                 [self = shared_from_this()] { self->Subscribe(); });
      return;
    }
    // The operation may wait for a sync: run it off the I/O threads.
    asio::post(server_->handlers_, [self = shared_from_this()] {
      Response response = self->HandleApiCall();
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable {
                   self->Reply(std::move(response), self->keep_alive_);
                 });
    });
  }

  // On the handler pool.
  Response HandleApiCall() {
    absl::StatusOr<std::string> body = CallOperation();
    DropBody();
    if (!body.ok()) return ErrorResponse(body.status());
    Response response(http::status::ok, request_.version());
    response.set(http::field::content_type, kJsonContentType);
    response.body() = *std::move(body);
    return response;
  }

  absl::StatusOr<std::string> CallOperation() {
    if (absl::Status status = Authenticate(); !status.ok()) return status;
    if (absl::string_view brook_operation = Target();
        absl::ConsumePrefix(&brook_operation, kBrookTargetPrefix)) {
      return server_->brook_api_.Call(brook_operation, request_.body());
    }
    const absl::string_view operation = Operation();
    if (operation.empty()) {
      return MakeError(
          ErrorName::kUnknownOperationException,
          absl::StrCat("X-Amz-Target must be ", kTargetPrefix, "<Operation>"));
    }
    return server_->api_->Call(operation, request_.body());
  }

  // With credentials configured, the request's signature must match its
  // headers (checked already) and its body.
  absl::Status Authenticate() const {
    if (options().credentials.empty()) return absl::OkStatus();
    return VerifySignature(SignableOf(request_, request_.body()),
                           options().credentials, absl::Now());
  }

  // Frees the body once the operation has it, and gives its bytes back to
  // the budget. On the handler pool, while the strand waits for it.
  void DropBody() {
    std::string().swap(request_.body());
    const size_t held = std::exchange(held_bytes_, 0);
    if (held > 0) server_->ReleaseBody(held);
  }

  absl::string_view Target() const {
    const auto header = request_.find("X-Amz-Target");
    return header == request_.end() ? "" : View(header->value());
  }

  // The Kinesis operation X-Amz-Target names, or "" if it names none.
  absl::string_view Operation() const {
    absl::string_view operation = Target();
    return absl::ConsumePrefix(&operation, kTargetPrefix) ? operation : "";
  }

  // GET /metrics: with credentials or a metrics token, only for a caller
  // that shows one.
  void ServeMetrics(bool has_body) {
    if (absl::Status allowed = AuthorizeMetrics(); !allowed.ok()) {
      Reply(ErrorResponse(allowed, http::status::forbidden),
            keep_alive_ && !has_body);
      return;
    }
    SetPhase(Phase::kHandling);
    stream_.expires_never();
    asio::post(server_->handlers_, [self = shared_from_this(), has_body] {
      Response response = self->Plain(
          http::status::ok, PrometheusMetrics(*self->server_->broker_));
      asio::post(self->stream_.get_executor(),
                 [self, has_body, response = std::move(response)]() mutable {
                   self->Reply(std::move(response),
                               self->keep_alive_ && !has_body);
                 });
    });
  }

  absl::Status AuthorizeMetrics() const {
    const http::request_header<>& header = parser_->get();
    const std::string& token = options().metrics_token;
    if (!token.empty()) {
      const auto authorization = header.find(http::field::authorization);
      if (authorization != header.end() &&
          SecretsEqual(View(authorization->value()),
                       absl::StrCat("Bearer ", token))) {
        return absl::OkStatus();
      }
    }
    if (!options().credentials.empty()) {
      return VerifySignature(SignableOf(header, ""), options().credentials,
                             absl::Now());
    }
    if (!token.empty()) {
      return MakeError(ErrorName::kMissingAuthenticationTokenException,
                       "GET /metrics needs 'Authorization: Bearer <token>'");
    }
    return absl::OkStatus();
  }

  // --- SubscribeToShard ------------------------------------------------------

  // On the handler pool. On success the response is an event stream, one
  // chunk per message, until the subscription ends; then the connection
  // closes.
  void Subscribe() {
    const absl::Status authenticated = Authenticate();
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        authenticated.ok()
            ? server_->api_->SubscribeToShard(request_.body(), this)
            : absl::StatusOr<std::unique_ptr<Subscription>>(authenticated);
    DropBody();
    if (!subscription.ok()) {
      Response response = ErrorResponse(subscription.status());
      asio::post(stream_.get_executor(),
                 [self = shared_from_this(),
                  response = std::move(response)]() mutable {
                   self->Reply(std::move(response), self->keep_alive_);
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
    SetPhase(Phase::kStreaming);
    auto header = std::make_shared<std::string>(
        absl::StrCat("HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/vnd.amazon.eventstream\r\n"
                     "x-amzn-RequestId: ",
                     NewRequestId(),
                     "\r\n"
                     "Transfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n"));
    WriteBuffers(
        asio::buffer(*header),
        [header](const std::shared_ptr<Session>& self) {
          {
            absl::MutexLock lock(&self->events_mu_);
            self->streaming_ = true;
          }
          self->PumpEvents();
        },
        /*streaming=*/true);
  }

  void PostPump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->PumpEvents(); });
  }

  // On the strand: writes the next message, or the end of the stream. A
  // message taken makes room: a subscription paused for this client goes
  // on.
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
    auto next = [message, last](const std::shared_ptr<Session>& self) {
      {
        absl::MutexLock lock(&self->events_mu_);
        self->writing_ = false;
      }
      if (last) {
        self->StopStreaming();
        return;
      }
      self->PumpEvents();
    };
    if (last) {
      WriteBuffers(http::make_chunk_last(), std::move(next), true);
    } else {
      WriteBuffers(http::make_chunk(asio::buffer(*message)), std::move(next),
                   true);
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
    subscription.reset();  // Waits only for a Send() under way.
    Close();
    server_->RemoveStream(this);
  }

  // --- Writing ---------------------------------------------------------------

  static Response Plain(http::status status, absl::string_view text) {
    Response response(status, 11);
    response.set(http::field::content_type, "text/plain");
    response.body() = std::string(text);
    return response;
  }

  // 200 "ok" while the broker takes writes; 503 with the state and its
  // reason while it refuses them (see brook/write_state.h).
  Response Health() const {
    const WriteState state = server_->broker_->GetWriteState();
    if (state.status == WriteStatus::kAccepting) {
      return Plain(http::status::ok, "ok\n");
    }
    return Plain(http::status::service_unavailable,
                 absl::StrCat(WriteStatusToString(state.status), ": ",
                              state.reason.message(), "\n"));
  }

  static Response ErrorResponse(const absl::Status& error) {
    return ErrorResponse(error, StatusFor(error));
  }
  static Response ErrorResponse(const absl::Status& error,
                                http::status status) {
    Response response(status, 11);
    response.set(http::field::content_type, kJsonContentType);
    response.body() = ErrorBody(error);
    return response;
  }

  // Answers a request whose body is not read, and closes. The client may
  // still be sending that body: closing at once would reset the connection
  // and lose the answer, so the connection first drains what arrives (into
  // the fixed read buffer) for up to header_timeout.
  void Refuse(Response response) {
    draining_ = true;
    Reply(std::move(response), false);
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code error, size_t) {
          if (error) {
            self->Close();
            return;
          }
          self->Drain();
        });
  }

  // Writes the response, then waits for the next request or closes. Each
  // response carries its own request id, as AWS's do.
  void Reply(Response response, bool keep_alive) {
    SetPhase(Phase::kWriting);
    response.set("x-amzn-RequestId", NewRequestId());
    response.keep_alive(keep_alive);
    response.prepare_payload();
    response_ = std::move(response);
    serializer_.emplace(response_);
    WriteResponse(keep_alive);
  }

  void WriteResponse(bool keep_alive) {
    stream_.expires_after(ToSteady(options().write_timeout));
    http::async_write_some(
        stream_, *serializer_,
        [self = shared_from_this(), keep_alive](beast::error_code error,
                                                size_t) {
          if (error) return;  // Closed, or the client stopped reading.
          self->MarkProgress();
          if (!self->serializer_->is_done()) {
            self->WriteResponse(keep_alive);
            return;
          }
          self->serializer_.reset();
          self->response_ = {};
          if (self->draining_) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send,
                                            ignored);
            self->stream_.expires_after(
                ToSteady(self->options().header_timeout));
            self->Drain();
            return;
          }
          if (!keep_alive) {
            self->Close();
            return;
          }
          self->WaitForRequest();
        });
  }

  // Writes all of `buffers`, each write allowed write_timeout to send
  // something, then runs `next(self)`. A write that fails or times out
  // closes the connection (and, streaming, ends the stream).
  template <typename Buffers, typename Next>
  void WriteBuffers(Buffers buffers, Next next, bool streaming = false) {
    auto rest =
        std::make_shared<beast::buffers_suffix<Buffers>>(std::move(buffers));
    WriteRest(std::move(rest), std::move(next), streaming);
  }

  template <typename Suffix, typename Next>
  void WriteRest(std::shared_ptr<Suffix> rest, Next next, bool streaming) {
    if (beast::buffer_bytes(*rest) == 0) {
      next(shared_from_this());
      return;
    }
    stream_.expires_after(ToSteady(options().write_timeout));
    stream_.async_write_some(
        *rest, [self = shared_from_this(), rest, next = std::move(next),
                streaming](beast::error_code error, size_t bytes) mutable {
          if (error) {
            if (streaming) {
              self->StopStreaming();
            } else {
              self->Close();
            }
            return;
          }
          self->MarkProgress();
          rest->consume(bytes);
          self->WriteRest(std::move(rest), std::move(next), streaming);
        });
  }

  // On the strand: closes the socket (pending operations end) and gives up
  // a wait for the budget.
  void Close() {
    if (waiting_) {
      waiting_ = false;
      server_->budget_.Cancel(ticket_);  // If admitted, OnAdmitted() holds.
    }
    budget_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer* const server_;
  asio::steady_timer budget_timer_;

  // Read by the server's shedding from any thread.
  std::atomic<Phase> phase_{Phase::kHeader};
  std::atomic<int64_t> progress_nanos_{0};
  std::atomic<bool> shed_{false};

  // On the strand, or on the handler pool while phase_ is kHandling.
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  bool keep_alive_ = false;
  bool draining_ = false;  // Refused: discard what arrives, then close.
  size_t body_bytes_ = 0;  // Its share of the budget.
  size_t held_bytes_ = 0;  // Of that, taken from the budget.
  bool waiting_ = false;
  RequestBudget::Ticket ticket_ = 0;
  SteadyClock::time_point body_started_;
  size_t body_read_ = 0;
  Response response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;

  // A SubscribeToShard stream.
  absl::Mutex events_mu_;
  std::unique_ptr<Subscription> subscription_ ABSL_GUARDED_BY(events_mu_);
  std::deque<std::string> events_ ABSL_GUARDED_BY(events_mu_);
  bool streaming_ ABSL_GUARDED_BY(events_mu_) = false;
  bool writing_ ABSL_GUARDED_BY(events_mu_) = false;
  bool ended_ ABSL_GUARDED_BY(events_mu_) = false;
  bool closing_ ABSL_GUARDED_BY(events_mu_) = false;
  // Send() asked the subscription to pause; the next message taken resumes
  // it.
  bool producer_paused_ ABSL_GUARDED_BY(events_mu_) = false;
};

absl::Status HttpServerOptions::Validate() const {
  auto invalid = [](absl::string_view message) {
    return InvalidArgument(message);
  };
  if (io_threads < 1 || handler_threads < 1 || max_connections < 1) {
    return invalid(
        "io_threads, handler_threads and max_connections must be "
        "positive");
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
    : api_(api),
      broker_(broker),
      brook_api_(broker),
      options_(std::move(options)),
      budget_(options_.max_buffered_request_bytes),
      handlers_(static_cast<size_t>(std::max(1, options_.handler_threads))),
      work_(asio::make_work_guard(io_)),
      acceptor_(asio::make_strand(io_)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  BROOK_RETURN_IF_ERROR(options_.Validate());
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
        absl::MutexLock lock(&sessions_mu_);
        open = sessions_.size();
      }
      if (open >= static_cast<size_t>(options_.max_connections) && !ShedOne()) {
        beast::error_code ignored;
        socket.close(ignored);  // Every connection is busy: refuse.
      } else {
        auto session = std::make_shared<Session>(std::move(socket), this);
        AddSession(session);
        session->PostStart();
      }
    }
    Accept();
  });
}

bool HttpServer::ShedOne() {
  std::shared_ptr<Session> victim;
  {
    absl::MutexLock lock(&sessions_mu_);
    int64_t oldest = std::numeric_limits<int64_t>::max();
    for (const auto& [raw, weak] : sessions_) {
      // A session being destroyed waits in RemoveSession() for this lock,
      // so `raw` is alive here.
      if (!raw->Sheddable() || raw->last_progress() >= oldest) continue;
      if (std::shared_ptr<Session> session = weak.lock()) {
        victim = std::move(session);
        oldest = victim->last_progress();
      }
    }
  }
  return victim != nullptr && victim->Shed();
}

void HttpServer::AddSession(const std::shared_ptr<Session>& session) {
  absl::MutexLock lock(&sessions_mu_);
  sessions_.emplace(session.get(), session);
}

void HttpServer::RemoveSession(Session* session) {
  absl::MutexLock lock(&sessions_mu_);
  sessions_.erase(session);
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
      "shard-level metrics: those each stream enabled with "
      "EnableEnhancedMonitoring.\n";
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
        struct Metric {
          const char* kinesis_name;
          const char* name;
          int64_t value;
        };
        for (const Metric& metric :
             {Metric{"IncomingBytes", "incoming_bytes", shard.incoming_bytes},
              {"IncomingRecords", "incoming_records", shard.incoming_records},
              {"OutgoingBytes", "outgoing_bytes", shard.outgoing_bytes},
              {"OutgoingRecords", "outgoing_records", shard.outgoing_records},
              {"WriteProvisionedThroughputExceeded",
               "write_provisioned_throughput_exceeded",
               shard.write_provisioned_throughput_exceeded},
              {"ReadProvisionedThroughputExceeded",
               "read_provisioned_throughput_exceeded",
               shard.read_provisioned_throughput_exceeded},
              {"IteratorAgeMilliseconds", "iterator_age_milliseconds",
               shard.iterator_age_milliseconds}}) {
          // Only the metrics the stream enabled, as Kinesis publishes them.
          if (!absl::c_linear_search(metrics->shard_level_metrics,
                                     metric.kinesis_name)) {
            continue;
          }
          absl::StrAppend(&out, "brook_shard_", metric.name, labels, " ",
                          metric.value, "\n");
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
