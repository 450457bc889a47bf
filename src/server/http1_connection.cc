#include "server/http1_connection.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "brook/error.h"
#include "common/errors.h"
#include "server/http_server.h"
#include "server/web_console.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Bytes read from a socket at a time; with the header limit, the most a
// connection's read buffer holds.
constexpr size_t kReadChunk = size_t{64} << 10;
// Events waiting for a SubscribeToShard client; past them the subscription
// pauses until the client reads.
constexpr size_t kMaxQueuedEvents = 4;

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

RequestHead HeadOf(const http::request_header<>& header) {
  RequestHead head;
  head.method = std::string(View(header.method_string()));
  head.target = std::string(View(header.target()));
  head.headers.reserve(16);
  for (const auto& field : header) {
    head.headers.emplace_back(std::string(View(field.name_string())),
                              std::string(View(field.value())));
  }
  if (const std::string* host = head.Find("host")) head.authority = *host;
  return head;
}

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
template <class Stream>
class Http1Connection
    : public Connection,
      public EventSink,
      public std::enable_shared_from_this<Http1Connection<Stream>> {
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

  Http1Connection(Stream stream, absl::string_view received,
                  ConnectionHost* host)
      : stream_(std::move(stream)),
        host_(host),
        budget_timer_(stream_.get_executor()),
        buffer_(options().max_header_bytes + kReadChunk),
        from_loopback_(IsLoopbackPeer(Tcp().socket())) {
    auto room = buffer_.prepare(received.size());
    asio::buffer_copy(room, asio::buffer(received.data(), received.size()));
    buffer_.commit(received.size());
    MarkProgress();
  }
  ~Http1Connection() override {
    // Only one thread is left with the connection. A place in the budget's
    // line is given up (if it was admitted meanwhile, the admission gives
    // the bytes back), and the bytes of a request that never reached its
    // handler go back here.
    if (waiting_) host_->budget().Cancel(ticket_);
    if (held_bytes_ > 0) host_->ReleaseBody(held_bytes_);
    host_->RemoveConnection(this);
  }

  // Reads the first request, from the strand; its header deadline runs
  // from now.
  void PostStart() {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this()] { self->ReadHeader(); });
  }

  bool Sheddable() const override {
    switch (phase_.load()) {
      case Phase::kHandling:
      case Phase::kStreaming:
        return false;  // Progressing inside the server, or a subscription.
      default:
        return !shed_.load();
    }
  }
  int64_t last_progress() const override { return progress_nanos_.load(); }
  bool Shed() override {
    if (shed_.exchange(true)) return false;
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this()] { self->Close(); });
    return true;
  }
  // A response being prepared or written is finished first; a connection
  // waiting for a request (or for room for its body) closes now.
  void PostShutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      switch (self->phase_.load()) {
        case Phase::kHandling:
        case Phase::kWriting:
          return;  // Closes once written.
        default:
          if (!self->EndStreamForShutdown()) self->StopStreaming();
      }
    });
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

 private:
  using Response = http::response<http::string_body>;
  using Self = std::shared_ptr<Http1Connection>;

  const HttpServerOptions& options() const { return host_->options(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

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
    Tcp().expires_after(ToSteady(options().idle_timeout));
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](
                                beast::error_code error, size_t bytes) {
                              if (error)
                                return;  // Closed, idle too long, or shed.
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    SetPhase(Phase::kHeader);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    Tcp().expires_after(ToSteady(options().header_timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code error, size_t) {
          self->OnHeader(error);
        });
  }

  void OnHeader(beast::error_code error) {
    if (error == http::error::body_limit) {
      Refuse(ApiExchange::Plain(413, "the request body is too large\n"));
      return;
    }
    if (error == http::error::header_limit) {
      Refuse(ApiExchange::Plain(431, "the request headers are too large\n"));
      return;
    }
    if (error.category() ==
        http::make_error_code(http::error::bad_target).category()) {
      // A malformed request (RFC 9112 section 2.2: 400, then close).
      Refuse(ApiExchange::Plain(400, "malformed request\n"));
      return;
    }
    if (error) return;  // Closed, timed out or shed: drop the connection.
    MarkProgress();
    const http::request_header<>& header = parser_->get();
    keep_alive_ = parser_->keep_alive();
    if (!FramedUnambiguously(header)) {
      Refuse(
          ApiExchange::Plain(400,
                             "Transfer-Encoding must be chunked alone, without "
                             "Content-Length\n"));
      return;
    }
    head_ = HeadOf(header);
    head_.from_loopback = from_loopback_;
    const bool has_body =
        parser_->chunked() || parser_->content_length().value_or(0) > 0;
    switch (RouteOf(head_)) {
      case Route::kHealth:
        Reply(exchange().Health(), keep_alive_ && !has_body);
        return;
      case Route::kMetrics:
        ServeMetrics(has_body);
        return;
      case Route::kConsole:
        Reply(ConsoleResponse(head_, exchange().signs()),
              keep_alive_ && !has_body);
        return;
      case Route::kRefused:
        Reply(exchange().Refusal(head_), keep_alive_ && !has_body);
        return;
      case Route::kApi:
        break;
    }
    if (absl::Status early = exchange().CheckBeforeBody(head_); !early.ok()) {
      // Body unread: close.
      Refuse(ApiExchange::ErrorResponse(early, EncodingOf(head_)));
      return;
    }
    Admit();
  }

  const ApiExchange& exchange() const { return host_->exchange(); }

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
    // The budget holds the connection weakly: a connection that goes away
    // while waiting must not be kept alive by its place in line.
    ticket_ = host_->budget().Acquire(
        body_bytes_,
        [weak = this->weak_from_this(), host = host_, bytes = body_bytes_] {
          if (Self self = weak.lock()) {
            asio::post(self->stream_.get_executor(),
                       [self] { self->OnAdmitted(); });
          } else {
            host->ReleaseBody(bytes);  // Admitted after it was gone.
          }
        });
    if (ticket_ == 0) return;  // Admitted: OnAdmitted() is posted.
    budget_timer_.expires_after(ToSteady(options().budget_wait));
    budget_timer_.async_wait(
        [self = this->shared_from_this()](beast::error_code error) {
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
    if (!waiting_ || !host_->budget().Cancel(ticket_)) return;
    waiting_ = false;
    Refuse(ApiExchange::ErrorResponse(
        MakeError(ErrorName::kServiceUnavailable,
                  "brookd holds as many request bodies as its memory budget "
                  "allows; retry later"),
        EncodingOf(head_)));
  }

  // A client that sent "Expect: 100-continue" waits for this before it
  // sends the body: with it, a request that waited for the budget costs
  // nothing in flight.
  void ContinueIfExpected() {
    const std::string* expect = head_.Find("expect");
    if (expect == nullptr || !absl::EqualsIgnoreCase(*expect, "100-continue")) {
      ReadBody();
      return;
    }
    static constexpr absl::string_view kContinue =
        "HTTP/1.1 100 Continue\r\n\r\n";
    WriteBuffers(asio::buffer(kContinue.data(), kContinue.size()),
                 [](const Self& self) { self->ReadBody(); });
  }

  // Body: reads it at the minimum rate or faster. A body of a known length
  // goes from the socket straight into memory of its exact size, which the
  // operation reads (not zero-filled first, nor copied out of the read
  // buffer: at 1 KiB records that was several percent of a PutRecords'
  // CPU); a chunked one goes through the parser.
  void ReadBody() {
    body_started_ = SteadyClock::now();
    if (parser_->chunked()) {
      ReadChunkedBody();
      return;
    }
    // Admit() took this size from the budget, and the parser refused one
    // above max_body_bytes with the header. Uninitialized: every byte is
    // read into it before it is used.
    if (body_bytes_ > 0) sized_body_.reset(new char[body_bytes_]);
    body_read_ = asio::buffer_copy(asio::buffer(sized_body_.get(), body_bytes_),
                                   buffer_.data());
    buffer_.consume(body_read_);  // What follows is the next request.
    ReadSizedBody();
  }

  void ReadSizedBody() {
    if (body_read_ == body_bytes_) {
      body_ = absl::string_view(sized_body_.get(), body_bytes_);
      Dispatch();
      return;
    }
    SetPhase(Phase::kBody);
    ExpireBodyRead();
    stream_.async_read_some(
        asio::buffer(sized_body_.get() + body_read_, body_bytes_ - body_read_),
        [self = this->shared_from_this()](beast::error_code error,
                                          size_t bytes) {
          if (error) return;  // Closed, too slow or shed.
          self->body_read_ += bytes;
          self->ReadSizedBody();
        });
  }

  void ReadChunkedBody() {
    SetPhase(Phase::kBody);
    if (parser_->is_done()) {
      chunked_body_ = std::move(parser_->get().body());
      body_ = chunked_body_;
      Dispatch();
      return;
    }
    ExpireBodyRead();
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](
                              beast::error_code error, size_t bytes) {
                            if (error == http::error::body_limit) {
                              self->Refuse(ApiExchange::Plain(
                                  413, "the request body is too large\n"));
                              return;
                            }
                            if (error) return;  // Closed, too slow or shed.
                            self->body_read_ += bytes;
                            self->ReadChunkedBody();
                          });
  }

  // The rate is over the whole body, so early bytes buy time for later
  // ones; a body that stops altogether is cut after a header_timeout's
  // silence all the same, so that it cannot keep its budget for long.
  void ExpireBodyRead() {
    const SteadyClock::time_point now = SteadyClock::now();
    const double seconds =
        static_cast<double>(body_read_) /
        static_cast<double>(options().min_body_bytes_per_second);
    const auto rate_deadline = body_started_ +
                               ToSteady(options().header_timeout) +
                               ToSteady(absl::Seconds(seconds));
    Tcp().expires_at(
        std::min(rate_deadline, now + ToSteady(options().header_timeout)));
  }

  // --- Running it -----------------------------------------------------------

  void Dispatch() {
    SetPhase(Phase::kHandling);
    Tcp().expires_never();
    parser_.reset();
    body_read_ = 0;
    if (ApiExchange::IsSubscribe(head_)) {
      asio::post(host_->handlers(),
                 [self = this->shared_from_this()] { self->Subscribe(); });
      return;
    }
    // The operation may wait for a sync: run it off the I/O threads.
    asio::post(host_->handlers(), [self = this->shared_from_this()] {
      ApiResponse response = self->exchange().Call(self->head_, self->body_);
      self->DropBody();
      self->PostReply(std::move(response), self->keep_alive_);
    });
  }

  void PostReply(ApiResponse response, bool keep_alive) {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this(), keep_alive,
                response = std::move(response)]() mutable {
                 self->Reply(std::move(response), keep_alive);
               });
  }

  // Frees the body once the operation has it, and gives its bytes back to
  // the budget. On the handler pool, while the strand waits for it.
  void DropBody() {
    body_ = {};
    sized_body_.reset();
    std::string().swap(chunked_body_);
    const size_t held = std::exchange(held_bytes_, 0);
    if (held > 0) host_->ReleaseBody(held);
  }

  void ServeMetrics(bool has_body) {
    SetPhase(Phase::kHandling);
    Tcp().expires_never();
    asio::post(host_->handlers(), [self = this->shared_from_this(), has_body] {
      self->PostReply(self->exchange().Metrics(self->head_),
                      self->keep_alive_ && !has_body);
    });
  }

  // --- SubscribeToShard ------------------------------------------------------

  // On the handler pool. On success the response is an event stream, one
  // chunk per message, until the subscription ends; then the connection
  // closes.
  void Subscribe() {
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        exchange().Subscribe(head_, body_, this);
    DropBody();
    if (!subscription.ok()) {
      PostReply(
          ApiExchange::ErrorResponse(subscription.status(), EncodingOf(head_)),
          keep_alive_);
      return;
    }
    {
      absl::MutexLock lock(&events_mu_);
      subscription_ = *std::move(subscription);
    }
    // The server keeps the connection, and so its subscription, until the
    // stream stops.
    host_->AddStreaming(this->shared_from_this());
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->WriteStreamHeader();
    });
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
        [header](const Self& self) {
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
               [self = this->shared_from_this()] { self->PumpEvents(); });
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
    auto next = [message, last](const Self& self) {
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

  // The server stops while an event stream is open: the subscription is
  // cancelled and the stream ends cleanly (the last chunk) after the events
  // already queued, as over HTTP/2, so that the client sees the normal end
  // of a subscription and subscribes again elsewhere. False if no stream
  // is open.
  bool EndStreamForShutdown() {
    std::unique_ptr<Subscription> subscription;
    {
      absl::MutexLock lock(&events_mu_);
      if (!streaming_ || closing_) return false;
      if (ended_) return true;  // Its last chunk is on its way.
      subscription = std::move(subscription_);
    }
    subscription.reset();  // Waits only for a Send() under way.
    absl::MutexLock lock(&events_mu_);
    ended_ = true;
    PostPump();
    return true;
  }

  // Ends the stream, if any: cancels the subscription and closes the
  // connection.
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
    host_->RemoveStreaming(this);
  }

  // --- Writing ---------------------------------------------------------------

  // Answers a request whose body is not read, and closes. The client may
  // still be sending that body: closing at once would reset the connection
  // and lose the answer, so the connection first drains what arrives (into
  // the fixed read buffer) for up to header_timeout.
  void Refuse(ApiResponse response) {
    draining_ = true;
    Reply(std::move(response), false);
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = this->shared_from_this()](beast::error_code error, size_t) {
          if (error) {
            self->Close();
            return;
          }
          self->Drain();
        });
  }

  // Writes the response, then waits for the next request or closes. Each
  // response carries its own request id, as AWS's do.
  void Reply(ApiResponse answer, bool keep_alive) {
    SetPhase(Phase::kWriting);
    Response response(static_cast<http::status>(answer.status), 11);
    response.set(http::field::content_type, answer.content_type);
    response.set("x-amzn-RequestId", NewRequestId());
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.body() = std::move(answer.body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    response_ = std::move(response);
    serializer_.emplace(response_);
    WriteResponse(keep_alive);
  }

  void WriteResponse(bool keep_alive) {
    Tcp().expires_after(ToSteady(options().write_timeout));
    http::async_write_some(
        stream_, *serializer_,
        [self = this->shared_from_this(), keep_alive](beast::error_code error,
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
            self->Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
            self->Tcp().expires_after(ToSteady(self->options().header_timeout));
            self->Drain();
            return;
          }
          if (!keep_alive || self->shutting_down_) {
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
      next(this->shared_from_this());
      return;
    }
    Tcp().expires_after(ToSteady(options().write_timeout));
    stream_.async_write_some(
        *rest, [self = this->shared_from_this(), rest, next = std::move(next),
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
      host_->budget().Cancel(ticket_);  // If admitted, OnAdmitted() holds.
    }
    budget_timer_.cancel();
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  Stream stream_;
  ConnectionHost* const host_;
  asio::steady_timer budget_timer_;

  // Read by the server's shedding from any thread.
  std::atomic<Phase> phase_{Phase::kHeader};
  std::atomic<int64_t> progress_nanos_{0};
  std::atomic<bool> shed_{false};

  // On the strand, or on the handler pool while phase_ is kHandling.
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  RequestHead head_;
  // The body the operation reads: sized_body_ (read straight from the
  // socket when the length is known) or chunked_body_ (the parser's).
  absl::string_view body_;
  std::unique_ptr<char[]> sized_body_;
  std::string chunked_body_;
  bool keep_alive_ = false;
  const bool from_loopback_;
  bool draining_ = false;       // Refused: discard what arrives, then close.
  bool shutting_down_ = false;  // The server stops: close after this reply.
  size_t body_bytes_ = 0;       // Its share of the budget.
  size_t held_bytes_ = 0;       // Of that, taken from the budget.
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

template <class Stream>
void Start(Stream stream, absl::string_view received, ConnectionHost* host) {
  auto connection = std::make_shared<Http1Connection<Stream>>(std::move(stream),
                                                              received, host);
  host->AddConnection(connection);
  connection->PostStart();
}

}  // namespace

void StartHttp1(beast::tcp_stream stream, absl::string_view received,
                ConnectionHost* host) {
  Start(std::move(stream), received, host);
}

void StartHttp1(beast::ssl_stream<beast::tcp_stream> stream,
                absl::string_view received, ConnectionHost* host) {
  Start(std::move(stream), received, host);
}

}  // namespace brook
