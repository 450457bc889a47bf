#include "server/http2_connection.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "brook/error.h"
#include "common/errors.h"
#include "server/http_server.h"
#include "server/web_console.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Bytes read from the socket at a time.
constexpr size_t kReadChunk = size_t{16} << 10;
// Bytes of frames gathered into one socket write.
constexpr size_t kWriteChunk = size_t{64} << 10;
// Events waiting for a SubscribeToShard stream; past them the subscription
// pauses until the client's flow control lets them out.
constexpr size_t kMaxQueuedEvents = 4;

// The most a request stream's header block (HEADERS and CONTINUATION) may
// count as HTTP/2 counts a header list (RFC 9113 section 6.5.2: name,
// value and 32 bytes each).
size_t HeaderListBytes(size_t name, size_t value) { return name + value + 32; }

// How often a connection checks its deadlines: often enough for the
// shortest of them.
SteadyClock::duration TickOf(const HttpServerOptions& options) {
  absl::Duration shortest =
      std::min({options.header_timeout, options.write_timeout,
                options.idle_timeout, options.budget_wait});
  return ToSteady(
      std::clamp(shortest / 4, absl::Milliseconds(10), absl::Seconds(1)));
}

// A SubscribeToShard stream's messages, queued by the subscription's
// threads and taken by the connection's strand as the client's flow
// control lets them out.
class StreamEventSink : public EventSink {
 public:
  // `wake` posts to the connection's strand that data is ready; it is
  // called with the sink's lock held and must not wait.
  explicit StreamEventSink(absl::AnyInvocable<void()> wake)
      : wake_(std::move(wake)) {}

  bool Send(std::string message) override {
    absl::MutexLock lock(&mu_);
    if (stopped_) return true;  // The subscription is being cancelled.
    messages_.push_back(std::move(message));
    wake_();
    if (messages_.size() < kMaxQueuedEvents) return true;
    paused_ = true;
    return false;
  }
  void End() override {
    absl::MutexLock lock(&mu_);
    ended_ = true;
    wake_();
  }

  void Attach(std::unique_ptr<Subscription> subscription) {
    absl::MutexLock lock(&mu_);
    subscription_ = std::move(subscription);
  }

  // On the strand: copies up to `length` bytes of what is queued into
  // `out`. Returns the bytes copied; nullopt if nothing is queued (the
  // stream waits for Send()); sets `*eof` once everything is out and the
  // stream has ended. A message taken whole makes room: a paused
  // subscription goes on.
  std::optional<size_t> Read(uint8_t* out, size_t length, bool* eof) {
    absl::MutexLock lock(&mu_);
    if (messages_.empty()) {
      if (!ended_) return std::nullopt;
      *eof = true;
      return 0;
    }
    const std::string& front = messages_.front();
    const size_t n = std::min(length, front.size() - offset_);
    std::memcpy(out, front.data() + offset_, n);
    offset_ += n;
    if (offset_ == front.size()) {
      messages_.pop_front();
      offset_ = 0;
      if (paused_ && subscription_ != nullptr) {
        paused_ = false;
        subscription_->Resume();  // Posts; never waits.
      }
    }
    *eof = messages_.empty() && ended_;
    return n;
  }

  bool HasPending() const {
    absl::MutexLock lock(&mu_);
    return !messages_.empty() || ended_;
  }

  // Cancels the subscription (waits only for a Send() under way); what is
  // queued is dropped and the stream ends.
  void Stop() {
    std::unique_ptr<Subscription> subscription;
    {
      absl::MutexLock lock(&mu_);
      stopped_ = true;
      ended_ = true;
      messages_.clear();
      offset_ = 0;
      subscription = std::move(subscription_);
    }
    subscription.reset();
  }

 private:
  mutable absl::Mutex mu_;
  absl::AnyInvocable<void()> wake_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Subscription> subscription_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> messages_ ABSL_GUARDED_BY(mu_);
  size_t offset_ ABSL_GUARDED_BY(mu_) = 0;  // Into messages_.front().
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
};

// One request stream, on the connection's strand. Its phases:
//
//   headers   its header block is arriving (header_timeout)
//   waiting   its body's size is being taken from the budget (budget_wait,
//             then 503); data that arrives meanwhile is held but not
//             acknowledged, so it is at most one connection window
//   body      its body arrives (min_body_bytes_per_second), acknowledged
//             as it does
//   handling  the operation runs on the handler pool
//   answering its response or event stream is being sent (write_timeout
//             without progress resets it)
//   refused   answered before its body was read; what still arrives is
//             dropped, and the stream is reset once the answer is out
struct H2Stream {
  enum class Phase {
    kHeaders,
    kWaiting,
    kBody,
    kHandling,
    kAnswering,
    kRefused
  };

  explicit H2Stream(int32_t stream_id) : id(stream_id) {}

  const int32_t id;
  Phase phase = Phase::kHeaders;
  SteadyClock::time_point phase_started = SteadyClock::now();
  SteadyClock::time_point last_progress = phase_started;

  RequestHead head;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  std::optional<size_t> content_length;
  bool request_ended = false;  // END_STREAM received.

  std::string body;
  size_t budget_bytes = 0;    // Its share of the budget, once admitted.
  size_t unacknowledged = 0;  // Received before admission.
  RequestBudget::Ticket ticket = 0;

  // The answer: a body sent from `response_offset`, or an event stream.
  std::string response_body;
  size_t response_offset = 0;
  std::shared_ptr<StreamEventSink> events;
};

template <class Socket>
class Http2Connection
    : public Connection,
      public std::enable_shared_from_this<Http2Connection<Socket>> {
 public:
  using Self = std::shared_ptr<Http2Connection>;

  Http2Connection(Socket socket, ConnectionHost* host)
      : socket_(std::move(socket)),
        host_(host),
        ticker_(socket_.get_executor()),
        read_buffer_(kReadChunk),
        from_loopback_(IsLoopbackPeer(Tcp().socket())) {
    MarkProgress();
  }

  ~Http2Connection() override {
    ForgetStreams();
    if (session_ != nullptr) nghttp2_session_del(session_);
    host_->RemoveConnection(this);
  }

  // Sets up the session and takes in what was read already, on the strand.
  void PostStart(std::string received) {
    asio::post(socket_.get_executor(),
               [self = this->shared_from_this(),
                received = std::move(received)] { self->Begin(received); });
  }

  bool Sheddable() const override {
    return busy_streams_.load() == 0 && !shed_.load();
  }
  int64_t last_progress() const override { return progress_nanos_.load(); }
  bool Shed() override {
    if (shed_.exchange(true)) return false;
    asio::post(socket_.get_executor(),
               [self = this->shared_from_this()] { self->Close(); });
    return true;
  }
  void PostShutdown() override {
    asio::post(socket_.get_executor(),
               [self = this->shared_from_this()] { self->Shutdown(); });
  }

 private:
  const HttpServerOptions& options() const { return host_->options(); }
  const ApiExchange& exchange() const { return host_->exchange(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(socket_); }
  void MarkProgress() { progress_nanos_.store(NowNanos()); }

  // --- The session -----------------------------------------------------------

  void Begin(const std::string& received) {
    nghttp2_session_callbacks* callbacks;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                            &OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                         &OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                              &OnDataChunk);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks,
                                                         &OnFrameSend);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                           &OnStreamClose);
    nghttp2_option* option;
    nghttp2_option_new(&option);
    // Data is acknowledged only once its body has room in the budget.
    nghttp2_option_set_no_auto_window_update(option, 1);
    const int created =
        nghttp2_session_server_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (created != 0) {
      session_ = nullptr;
      Close();
      return;
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
         static_cast<uint32_t>(options().max_streams_per_connection)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<uint32_t>(options().max_header_bytes)},
    };
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings,
                            std::size(settings));
    Tick();
    Receive(reinterpret_cast<const uint8_t*>(received.data()), received.size());
  }

  // Feeds bytes read to nghttp2, sends what it has to say, and reads on.
  void Receive(const uint8_t* data, size_t size) {
    if (closed_) return;
    const ssize_t taken = nghttp2_session_mem_recv(session_, data, size);
    if (taken < 0) {
      // Not HTTP/2, a flood, or a callback failure: nothing more to say.
      Close();
      return;
    }
    Flush();
    if (!closed_ && !reading_ && nghttp2_session_want_read(session_)) Read();
  }

  void Read() {
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buffer_), [self = this->shared_from_this()](
                                        beast::error_code error, size_t bytes) {
          self->reading_ = false;
          if (error) {
            self->Close();  // Closed by the client, shed, or shut down.
            return;
          }
          self->MarkProgress();
          self->last_activity_ = SteadyClock::now();
          self->Receive(self->read_buffer_.data(), bytes);
        });
  }

  // Writes what nghttp2 has queued, a chunk at a time; closes once the
  // session has nothing more to read or write.
  void Flush() {
    if (closed_ || writing_) return;
    out_.clear();
    out_offset_ = 0;
    while (out_.size() < kWriteChunk) {
      const uint8_t* data;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        Close();
        return;
      }
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (out_.empty()) {
      if (!nghttp2_session_want_read(session_) &&
          !nghttp2_session_want_write(session_)) {
        Close();
      }
      return;
    }
    writing_ = true;
    WriteOut();
  }

  void WriteOut() {
    last_write_progress_ = SteadyClock::now();
    socket_.async_write_some(
        asio::buffer(out_.data() + out_offset_, out_.size() - out_offset_),
        [self = this->shared_from_this()](beast::error_code error,
                                          size_t bytes) {
          if (error) {
            self->Close();
            return;
          }
          self->MarkProgress();
          self->out_offset_ += bytes;
          if (self->out_offset_ < self->out_.size()) {
            self->WriteOut();
            return;
          }
          self->writing_ = false;
          self->Flush();
        });
  }

  // --- nghttp2's callbacks (on the strand, inside mem_recv / mem_send) -------

  static Http2Connection& Of(void* user_data) {
    return *static_cast<Http2Connection*>(user_data);
  }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame,
                            void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS ||
        frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
      return 0;
    }
    Http2Connection& self = Of(user_data);
    auto stream = std::make_unique<H2Stream>(frame->hd.stream_id);
    stream->head.from_loopback = self.from_loopback_;
    self.streams_.emplace(frame->hd.stream_id, std::move(stream));
    return 0;
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame,
                      const uint8_t* name, size_t name_length,
                      const uint8_t* value, size_t value_length, uint8_t,
                      void* user_data) {
    Http2Connection& self = Of(user_data);
    H2Stream* stream = self.Find(frame->hd.stream_id);
    if (stream == nullptr || stream->phase != H2Stream::Phase::kHeaders) {
      return 0;  // Trailers, which brookd has no use for.
    }
    stream->header_bytes += HeaderListBytes(name_length, value_length);
    if (stream->header_bytes > self.options().max_header_bytes) {
      stream->headers_too_large = true;
      return 0;
    }
    const absl::string_view key(reinterpret_cast<const char*>(name),
                                name_length);
    std::string text(reinterpret_cast<const char*>(value), value_length);
    if (key == ":method") {
      stream->head.method = std::move(text);
    } else if (key == ":path") {
      stream->head.target = std::move(text);
    } else if (key == ":authority") {
      stream->head.authority = std::move(text);
    } else if (!key.empty() && key[0] == ':') {
      // :scheme: nghttp2 checked it is there.
    } else {
      if (key == "content-length") {
        size_t length;
        if (absl::SimpleAtoi(text, &length)) stream->content_length = length;
      }
      stream->head.headers.emplace_back(std::string(key), std::move(text));
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame,
                         void* user_data) {
    Http2Connection& self = Of(user_data);
    H2Stream* stream = self.Find(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_HEADERS &&
        stream->phase == H2Stream::Phase::kHeaders) {
      stream->request_ended = ends;
      self.OnRequestHeaders(*stream);
      return 0;
    }
    if (ends && (frame->hd.type == NGHTTP2_DATA ||
                 frame->hd.type == NGHTTP2_HEADERS)) {  // Or trailers.
      stream->request_ended = true;
      if (stream->phase == H2Stream::Phase::kBody) self.Dispatch(*stream);
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                         const uint8_t* data, size_t length, void* user_data) {
    Http2Connection& self = Of(user_data);
    H2Stream* stream = self.Find(stream_id);
    if (stream == nullptr || stream->phase == H2Stream::Phase::kRefused ||
        stream->phase == H2Stream::Phase::kHandling ||
        stream->phase == H2Stream::Phase::kAnswering) {
      nghttp2_session_consume(session, stream_id, length);
      return 0;
    }
    if (stream->body.size() + length > self.BodyLimit(*stream)) {
      nghttp2_session_consume(session, stream_id, length);
      self.Refuse(*stream,
                  ApiExchange::Plain(413, "the request body is too large\n"));
      return 0;
    }
    stream->body.append(reinterpret_cast<const char*>(data), length);
    stream->last_progress = SteadyClock::now();
    if (stream->phase == H2Stream::Phase::kWaiting) {
      stream->unacknowledged += length;  // Acknowledged once admitted.
    } else {
      nghttp2_session_consume(session, stream_id, length);
    }
    return 0;
  }

  static int OnFrameSend(nghttp2_session* session, const nghttp2_frame* frame,
                         void* user_data) {
    Http2Connection& self = Of(user_data);
    H2Stream* stream = self.Find(frame->hd.stream_id);
    if (stream == nullptr || frame->hd.type != NGHTTP2_DATA ||
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
      return 0;
    }
    // Answered before the request ended (refused, say): the client need
    // not send the rest (RFC 9113 section 8.1).
    if (!stream->request_ended) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream->id,
                                NGHTTP2_NO_ERROR);
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session* session, int32_t stream_id,
                           uint32_t, void* user_data) {
    Http2Connection& self = Of(user_data);
    auto it = self.streams_.find(stream_id);
    if (it == self.streams_.end()) return 0;
    std::unique_ptr<H2Stream> stream = std::move(it->second);
    self.streams_.erase(it);
    if (stream->unacknowledged > 0) {
      nghttp2_session_consume_connection(session, stream->unacknowledged);
    }
    self.Forget(*stream);
    return 0;
  }

  static ssize_t ReadResponse(nghttp2_session*, int32_t stream_id,
                              uint8_t* buffer, size_t length, uint32_t* flags,
                              nghttp2_data_source*, void* user_data) {
    Http2Connection& self = Of(user_data);
    H2Stream* stream = self.Find(stream_id);
    if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    stream->last_progress = SteadyClock::now();
    if (stream->events != nullptr) {
      bool eof = false;
      std::optional<size_t> n = stream->events->Read(buffer, length, &eof);
      if (!n.has_value()) return NGHTTP2_ERR_DEFERRED;
      if (eof) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(*n);
    }
    const size_t n = std::min(
        length, stream->response_body.size() - stream->response_offset);
    std::memcpy(buffer, stream->response_body.data() + stream->response_offset,
                n);
    stream->response_offset += n;
    if (stream->response_offset == stream->response_body.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
  }

  // --- A request -------------------------------------------------------------

  H2Stream* Find(int32_t stream_id) {
    auto it = streams_.find(stream_id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  size_t BodyLimit(const H2Stream& stream) const {
    return stream.content_length.value_or(options().max_body_bytes);
  }

  void SetPhase(H2Stream& stream, H2Stream::Phase phase) {
    const bool was_busy = Busy(stream.phase);
    stream.phase = phase;
    stream.phase_started = stream.last_progress = SteadyClock::now();
    if (Busy(phase) != was_busy) busy_streams_ += Busy(phase) ? 1 : -1;
  }
  static bool Busy(H2Stream::Phase phase) {
    return phase == H2Stream::Phase::kHandling ||
           phase == H2Stream::Phase::kAnswering;
  }

  void OnRequestHeaders(H2Stream& stream) {
    if (stream.headers_too_large) {
      Refuse(stream,
             ApiExchange::Plain(431, "the request headers are too large\n"));
      return;
    }
    switch (RouteOf(stream.head)) {
      case Route::kHealth:
        Answer(stream, exchange().Health());
        return;
      case Route::kMetrics:
        RunOnHandlers(stream,
                      [](const ApiExchange& exchange, const RequestHead& head,
                         absl::string_view) { return exchange.Metrics(head); });
        return;
      case Route::kConsole:
        Answer(stream, ConsoleResponse(stream.head, exchange().signs()));
        return;
      case Route::kRefused:
        Refuse(stream, exchange().Refusal(stream.head));
        return;
      case Route::kApi:
        break;
    }
    if (stream.content_length.value_or(0) > options().max_body_bytes) {
      Refuse(stream,
             ApiExchange::Plain(413, "the request body is too large\n"));
      return;
    }
    if (absl::Status early = exchange().CheckBeforeBody(stream.head);
        !early.ok()) {
      Refuse(stream,
             ApiExchange::ErrorResponse(early, EncodingOf(stream.head)));
      return;
    }
    Admit(stream);
  }

  // Takes the body's size from the budget; the body is let in once it
  // fits.
  void Admit(H2Stream& stream) {
    const size_t bytes = stream.request_ended ? 0 : BodyLimit(stream);
    if (bytes == 0) {
      SetPhase(stream, H2Stream::Phase::kBody);
      Dispatch(stream);
      return;
    }
    SetPhase(stream, H2Stream::Phase::kWaiting);
    // The budget holds the connection weakly: a connection that goes away
    // while waiting must not be kept alive by its place in line.
    stream.ticket = host_->budget().Acquire(
        bytes,
        [weak = this->weak_from_this(), host = host_, id = stream.id, bytes] {
          if (Self self = weak.lock()) {
            asio::post(self->socket_.get_executor(),
                       [self, id, bytes] { self->OnAdmitted(id, bytes); });
          } else {
            host->ReleaseBody(bytes);  // Admitted after it was gone.
          }
        });
    if (stream.ticket == 0) return;  // Admitted: OnAdmitted() is posted.
  }

  void OnAdmitted(int32_t stream_id, size_t bytes) {
    H2Stream* stream = Find(stream_id);
    if (closed_ || stream == nullptr ||
        stream->phase != H2Stream::Phase::kWaiting) {
      host_->ReleaseBody(bytes);  // Reset or refused meanwhile.
      return;
    }
    stream->ticket = 0;
    stream->budget_bytes = bytes;
    SetPhase(*stream, H2Stream::Phase::kBody);
    stream->body.reserve(bytes);
    if (stream->unacknowledged > 0) {
      nghttp2_session_consume(session_, stream->id, stream->unacknowledged);
      stream->unacknowledged = 0;
    }
    if (stream->request_ended) {
      Dispatch(*stream);
    }
    Flush();
  }

  void Dispatch(H2Stream& stream) {
    if (ApiExchange::IsSubscribe(stream.head)) {
      Subscribe(stream);
      return;
    }
    RunOnHandlers(stream, [](const ApiExchange& exchange,
                             const RequestHead& head, absl::string_view body) {
      return exchange.Call(head, body);
    });
  }

  // Runs `work` on the handler pool with the request, and answers the
  // stream with its result (if the stream is still open then). The body
  // and its budget are given back as soon as `work` is done with them.
  template <typename Work>
  void RunOnHandlers(H2Stream& stream, Work work) {
    SetPhase(stream, H2Stream::Phase::kHandling);
    asio::post(host_->handlers(),
               [self = this->shared_from_this(), id = stream.id,
                head = std::move(stream.head), body = std::move(stream.body),
                held = std::exchange(stream.budget_bytes, 0), work]() mutable {
                 ApiResponse response = work(self->exchange(), head, body);
                 std::string().swap(body);
                 if (held > 0) self->host_->ReleaseBody(held);
                 asio::post(
                     self->socket_.get_executor(),
                     [self, id, response = std::move(response)]() mutable {
                       self->OnResult(id, std::move(response));
                     });
               });
  }

  void OnResult(int32_t stream_id, ApiResponse response) {
    H2Stream* stream = Find(stream_id);
    if (closed_ || stream == nullptr) return;  // Reset meanwhile.
    Answer(*stream, std::move(response));
    Flush();
  }

  // Starts the subscription on the handler pool; its events flow once the
  // strand has answered the stream's headers.
  void Subscribe(H2Stream& stream) {
    SetPhase(stream, H2Stream::Phase::kHandling);
    const int32_t id = stream.id;
    auto sink =
        std::make_shared<StreamEventSink>([weak = this->weak_from_this(), id] {
          if (Self self = weak.lock()) {
            asio::post(self->socket_.get_executor(),
                       [self, id] { self->OnEventsReady(id); });
          }
        });
    asio::post(host_->handlers(),
               [self = this->shared_from_this(), id, sink,
                head = std::move(stream.head), body = std::move(stream.body),
                held = std::exchange(stream.budget_bytes, 0)]() mutable {
                 absl::StatusOr<std::unique_ptr<Subscription>> subscription =
                     self->exchange().Subscribe(head, body, sink.get());
                 std::string().swap(body);
                 if (held > 0) self->host_->ReleaseBody(held);
                 if (!subscription.ok()) {
                   asio::post(self->socket_.get_executor(),
                              [self, id,
                               response = ApiExchange::ErrorResponse(
                                   subscription.status(),
                                   EncodingOf(head))]() mutable {
                                self->OnResult(id, std::move(response));
                              });
                   return;
                 }
                 sink->Attach(*std::move(subscription));
                 asio::post(self->socket_.get_executor(),
                            [self, id, sink] { self->OnSubscribed(id, sink); });
               });
  }

  void OnSubscribed(int32_t stream_id,
                    const std::shared_ptr<StreamEventSink>& sink) {
    H2Stream* stream = Find(stream_id);
    if (closed_ || shutting_down_ || stream == nullptr) {
      sink->Stop();  // Reset or shut down meanwhile.
      return;
    }
    if (!streaming_) {
      streaming_ = true;
      host_->AddStreaming(this->shared_from_this());
    }
    stream->events = sink;
    SetPhase(*stream, H2Stream::Phase::kAnswering);
    Submit(*stream, 200, "application/vnd.amazon.eventstream",
           /*content_length=*/std::nullopt);
    Flush();
  }

  void OnEventsReady(int32_t stream_id) {
    H2Stream* stream = Find(stream_id);
    if (closed_ || stream == nullptr || stream->events == nullptr) return;
    nghttp2_session_resume_data(session_, stream_id);
    Flush();
  }

  // --- Answers
  // -----------------------------------------------------------------

  void Answer(H2Stream& stream, ApiResponse response) {
    if (stream.phase != H2Stream::Phase::kRefused) {
      SetPhase(stream, H2Stream::Phase::kAnswering);
    }
    stream.response_body = std::move(response.body);
    stream.response_offset = 0;
    Submit(stream, response.status, response.content_type,
           stream.response_body.size(), response.headers);
  }

  // Answers a stream whose body is not (all) read; what still arrives is
  // dropped, and the stream is reset once the answer is out.
  void Refuse(H2Stream& stream, ApiResponse response) {
    if (stream.phase == H2Stream::Phase::kWaiting) {
      CancelWait(stream);
    }
    if (stream.budget_bytes > 0) {
      host_->ReleaseBody(std::exchange(stream.budget_bytes, 0));
    }
    std::string().swap(stream.body);
    if (stream.unacknowledged > 0) {
      nghttp2_session_consume(session_, stream.id, stream.unacknowledged);
      stream.unacknowledged = 0;
    }
    SetPhase(stream, H2Stream::Phase::kRefused);
    Answer(stream, std::move(response));
  }

  void Submit(
      H2Stream& stream, int status, absl::string_view content_type,
      std::optional<size_t> content_length,
      const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    const std::string status_text = absl::StrCat(status);
    const std::string length_text =
        content_length.has_value() ? absl::StrCat(*content_length) : "";
    const std::string request_id = NewRequestId();
    auto field = [](absl::string_view name, absl::string_view value) {
      return nghttp2_nv{
          const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(name.data())),
          const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(value.data())),
          name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
    };
    // Each response carries its own request id, as AWS's do.
    std::vector<nghttp2_nv> fields = {field(":status", status_text),
                                      field("content-type", content_type),
                                      field("x-amzn-requestid", request_id)};
    if (content_length.has_value()) {
      fields.push_back(field("content-length", length_text));
    }
    // HTTP/2 field names are lower case (RFC 9113 section 8.2.1).
    std::vector<std::string> names;
    names.reserve(extra.size());
    for (const auto& [name, value] : extra) {
      names.push_back(absl::AsciiStrToLower(name));
      fields.push_back(field(names.back(), value));
    }
    nghttp2_data_provider provider;
    provider.source.ptr = nullptr;
    provider.read_callback = &ReadResponse;
    if (nghttp2_submit_response(session_, stream.id, fields.data(),
                                fields.size(), &provider) != 0) {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id,
                                NGHTTP2_INTERNAL_ERROR);
    }
  }

  // --- Deadlines
  // ---------------------------------------------------------------

  void Tick() {
    ticker_.expires_after(TickOf(options()));
    ticker_.async_wait(
        [self = this->shared_from_this()](beast::error_code error) {
          if (error || self->closed_) return;
          self->CheckDeadlines(SteadyClock::now());
          self->Flush();
          if (!self->closed_) self->Tick();
        });
  }

  void CheckDeadlines(SteadyClock::time_point now) {
    if (writing_ &&
        now - last_write_progress_ > ToSteady(options().write_timeout)) {
      Close();  // The client stopped reading the connection.
      return;
    }
    if (streams_.empty() &&
        now - last_activity_ > ToSteady(options().idle_timeout)) {
      GoAway(NGHTTP2_NO_ERROR);
      return;
    }
    std::vector<int32_t> reset;
    for (auto& [id, stream] : streams_) {
      switch (Overdue(*stream, now)) {
        case Verdict::kOk:
          break;
        case Verdict::kCloseConnection:
          // A header block cannot be cut short without losing the
          // connection's header compression state.
          GoAway(NGHTTP2_ENHANCE_YOUR_CALM);
          return;
        case Verdict::kBusy:
          Refuse(*stream, ApiExchange::ErrorResponse(
                              MakeError(ErrorName::kServiceUnavailable,
                                        "brookd holds as many request bodies "
                                        "as its memory budget allows; retry "
                                        "later"),
                              EncodingOf(stream->head)));
          break;
        case Verdict::kReset:
          reset.push_back(id);
          break;
      }
    }
    for (int32_t id : reset) {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id,
                                NGHTTP2_CANCEL);
    }
  }

  enum class Verdict { kOk, kCloseConnection, kBusy, kReset };

  Verdict Overdue(H2Stream& stream, SteadyClock::time_point now) {
    const auto header_timeout = ToSteady(options().header_timeout);
    switch (stream.phase) {
      case H2Stream::Phase::kHeaders:
        return now - stream.phase_started > header_timeout
                   ? Verdict::kCloseConnection
                   : Verdict::kOk;
      case H2Stream::Phase::kWaiting:
        return now - stream.phase_started > ToSteady(options().budget_wait)
                   ? Verdict::kBusy
                   : Verdict::kOk;
      case H2Stream::Phase::kBody: {
        // As HTTP/1.1: the rate is over the whole body, after a grace of
        // header_timeout, and the body may not go silent for longer.
        const double seconds =
            static_cast<double>(stream.body.size()) /
            static_cast<double>(options().min_body_bytes_per_second);
        const auto rate_deadline = stream.phase_started + header_timeout +
                                   ToSteady(absl::Seconds(seconds));
        return now > rate_deadline ||
                       now - stream.last_progress > header_timeout
                   ? Verdict::kReset
                   : Verdict::kOk;
      }
      case H2Stream::Phase::kAnswering:
      case H2Stream::Phase::kRefused: {
        // Held still by the client's flow control with something to send.
        const bool pending =
            stream.events != nullptr
                ? stream.events->HasPending()
                : stream.response_offset < stream.response_body.size();
        return pending && now - stream.last_progress >
                              ToSteady(options().write_timeout)
                   ? Verdict::kReset
                   : Verdict::kOk;
      }
      case H2Stream::Phase::kHandling:
        return Verdict::kOk;
    }
    return Verdict::kOk;
  }

  // --- Ending
  // ------------------------------------------------------------------

  // Gives up a stream's place in the budget's line. If it was admitted
  // already, OnAdmitted() finds the stream no longer waiting and gives the
  // bytes back.
  void CancelWait(H2Stream& stream) {
    if (stream.ticket != 0) host_->budget().Cancel(stream.ticket);
    stream.ticket = 0;
  }

  // What a stream holds, given back when it closes.
  void Forget(H2Stream& stream) {
    if (stream.phase == H2Stream::Phase::kWaiting) CancelWait(stream);
    if (Busy(stream.phase)) --busy_streams_;
    if (stream.budget_bytes > 0) host_->ReleaseBody(stream.budget_bytes);
    stream.budget_bytes = 0;
    if (stream.events != nullptr) stream.events->Stop();
  }

  void ForgetStreams() {
    for (auto& [id, stream] : streams_) Forget(*stream);
    streams_.clear();
  }

  // Tells the client no new stream will be served; the session ends once
  // the streams in flight are answered and everything is written.
  void GoAway(uint32_t error_code) {
    if (session_ == nullptr) return;
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_),
                          error_code, nullptr, 0);
    if (error_code != NGHTTP2_NO_ERROR) {
      nghttp2_session_terminate_session(session_, error_code);
    }
    Flush();
  }

  // The server stops: GOAWAY, every subscription ends (its stream ends
  // cleanly), and the connection closes once the rest is answered.
  void Shutdown() {
    if (closed_) return;
    shutting_down_ = true;
    for (auto& [id, stream] : streams_) {
      if (stream->events == nullptr) continue;
      stream->events->Stop();
      nghttp2_session_resume_data(session_, id);
    }
    if (streaming_) {
      streaming_ = false;
      host_->RemoveStreaming(this);
    }
    GoAway(NGHTTP2_NO_ERROR);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    ticker_.cancel();
    ForgetStreams();
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
    if (streaming_) {
      streaming_ = false;
      host_->RemoveStreaming(this);
    }
  }

  Socket socket_;
  ConnectionHost* const host_;
  asio::steady_timer ticker_;
  nghttp2_session* session_ = nullptr;

  // Read by the server's shedding from any thread.
  std::atomic<int> busy_streams_{0};
  std::atomic<int64_t> progress_nanos_{0};
  std::atomic<bool> shed_{false};

  // On the strand.
  absl::flat_hash_map<int32_t, std::unique_ptr<H2Stream>> streams_;
  std::vector<uint8_t> read_buffer_;
  const bool from_loopback_;
  bool reading_ = false;
  std::string out_;
  size_t out_offset_ = 0;
  bool writing_ = false;
  SteadyClock::time_point last_write_progress_;
  SteadyClock::time_point last_activity_ = SteadyClock::now();
  bool streaming_ = false;  // Registered with the host as streaming.
  bool shutting_down_ = false;
  bool closed_ = false;
};

template <class Socket>
void Start(Socket socket, absl::string_view received, ConnectionHost* host) {
  beast::get_lowest_layer(socket).expires_never();  // Deadlines are ticked.
  auto connection =
      std::make_shared<Http2Connection<Socket>>(std::move(socket), host);
  host->AddConnection(connection);
  connection->PostStart(std::string(received));
}

}  // namespace

void StartHttp2(beast::tcp_stream stream, absl::string_view received,
                ConnectionHost* host) {
  Start(std::move(stream), received, host);
}

void StartHttp2(beast::ssl_stream<beast::tcp_stream> stream,
                absl::string_view received, ConnectionHost* host) {
  Start(std::move(stream), received, host);
}

}  // namespace brook
