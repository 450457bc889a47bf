#include "remote/http2_stream.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "remote/transport.h"

namespace brook {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// ALPN's wire form of the one protocol offered.
constexpr absl::string_view kAlpnH2("\x02h2", 3);
constexpr size_t kReadBufferBytes = size_t{16} << 10;

// Header fields that HTTP/2 forbids (RFC 9113 section 8.2.2) or carries as
// pseudo-headers instead (Host is :authority).
bool NotForHttp2(absl::string_view lower_name) {
  return lower_name == "host" || lower_name == "connection" ||
         lower_name == "keep-alive" || lower_name == "proxy-connection" ||
         lower_name == "transfer-encoding" || lower_name == "upgrade";
}

nghttp2_nv Field(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                    name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
}

// The first line of what an HTTP/1.x server answered, for the error.
std::string FirstLine(absl::string_view bytes) {
  return std::string(bytes.substr(0, std::min(bytes.find('\r'), size_t{80})));
}

class Http2Stream final : public HttpStream {
 public:
  Http2Stream(const HttpEndpoint& endpoint, asio::ssl::context* tls,
              const HttpClientOptions& options)
      : transport_(endpoint, tls, options) {}
  ~Http2Stream() override {
    if (session_ != nullptr) nghttp2_session_del(session_);
  }

  // Connects, submits `request` and waits for the response's head.
  absl::Status Start(const HttpRequest& request) {
    const bool tls = transport_.endpoint().tls;
    BROOK_RETURN_IF_ERROR(transport_.Open(tls ? kAlpnH2 : ""));
    if (tls) {
      const std::string chosen = transport_.NegotiatedProtocol();
      if (chosen != "h2") {
        return NotHttp2(absl::StrCat(
            "its TLS handshake chose ",
            chosen.empty() ? "no ALPN protocol" : "'" + chosen + "'",
            " instead of h2"));
      }
    }
    BROOK_RETURN_IF_ERROR(NewSession());
    BROOK_RETURN_IF_ERROR(Submit(request));
    BROOK_RETURN_IF_ERROR(Flush());
    while (!head_done_ && !closed_) BROOK_RETURN_IF_ERROR(Receive());
    if (!head_done_) return StreamError();
    return absl::OkStatus();
  }

  // HttpStream.
  const HttpResponse& head() const override { return head_; }

  absl::StatusOr<std::string> Read() override {
    for (;;) {
      if (transport_.cancelled()) {
        return InternalFailure("the stream was cancelled");
      }
      if (!pending_.empty()) return TakePending();
      if (closed_) {
        if (close_code_ != NGHTTP2_NO_ERROR) return StreamError();
        return std::string();
      }
      BROOK_RETURN_IF_ERROR(Receive());
    }
  }

  void Cancel() override { transport_.Cancel(); }

 private:
  absl::Status NotHttp2(absl::string_view why) const {
    return InvalidArgument(
        absl::StrCat("endpoint ", transport_.endpoint().ToString(),
                     " does not speak HTTP/2 (", why,
                     "); SubscribeToShard needs it there, or set "
                     "ConnectOptions::subscribe_http_version to kHttp1_1"));
  }

  // The stream ended with an HTTP/2 error (RST_STREAM, or GOAWAY refusing
  // it), or before its response's head.
  absl::Status StreamError() const {
    std::string reason =
        close_code_ == NGHTTP2_NO_ERROR
            ? std::string("the stream ended before its response")
            : absl::StrCat("the stream was reset with HTTP/2 error ",
                           nghttp2_http2_strerror(close_code_));
    if (goaway_code_.has_value()) {
      absl::StrAppend(&reason, " after GOAWAY (",
                      nghttp2_http2_strerror(*goaway_code_), ")");
    }
    return Unreachable(absl::StrCat("reading a stream from ",
                                    transport_.endpoint().ToString(),
                                    " failed: ", reason));
  }

  // Hands the bytes received to the caller and only now lets the endpoint
  // send as many again.
  std::string TakePending() {
    std::string chunk = std::move(pending_);
    pending_.clear();
    if (!closed_) {
      nghttp2_session_consume(session_, stream_id_, chunk.size());
      // A write that fails here breaks the connection, which the next
      // Receive() reports; these bytes are good.
      deferred_ = Flush();
    }
    return chunk;
  }

  absl::Status NewSession() {
    nghttp2_session_callbacks* callbacks;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                         &OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                              &OnDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                           &OnStreamClose);
    nghttp2_option* option;
    nghttp2_option_new(&option);
    // Flow control is ours: bytes are acknowledged as the caller takes them.
    nghttp2_option_set_no_auto_window_update(option, 1);
    const int created =
        nghttp2_session_client_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (created != 0) return InternalFailure(nghttp2_strerror(created));
    const int32_t window = transport_.options().stream_window_bytes;
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(window)},
    };
    int rv = nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings,
                                     std::size(settings));
    if (rv == 0) {
      rv = nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                                 window);
    }
    if (rv != 0) return InternalFailure(nghttp2_strerror(rv));
    return absl::OkStatus();
  }

  absl::Status Submit(const HttpRequest& request) {
    const HttpEndpoint& endpoint = transport_.endpoint();
    std::vector<std::pair<std::string, std::string>> fields = {
        {":method", "POST"},
        {":scheme", endpoint.tls ? "https" : "http"},
        {":authority", endpoint.HostHeader()},
        {":path", request.target},
        {"content-length", absl::StrCat(request.body.size())},
    };
    for (const auto& [name, value] : request.headers) {
      std::string lower = absl::AsciiStrToLower(name);
      if (lower == "content-length") continue;
      if (lower == "host") {
        fields[2].second = value;
        continue;
      }
      if (NotForHttp2(lower)) continue;
      fields.emplace_back(std::move(lower), value);
    }
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (const auto& [name, value] : fields) nva.push_back(Field(name, value));
    body_ = std::string(request.body);
    nghttp2_data_provider provider;
    provider.source.ptr = this;
    provider.read_callback = &ReadBody;
    stream_id_ = nghttp2_submit_request(session_, nullptr, nva.data(),
                                        nva.size(), &provider, this);
    if (stream_id_ < 0) return InternalFailure(nghttp2_strerror(stream_id_));
    return absl::OkStatus();
  }

  // Writes whatever nghttp2 has to send: the preface and SETTINGS, the
  // request, acknowledgements, WINDOW_UPDATEs.
  absl::Status Flush() {
    std::string out;
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return InternalFailure(nghttp2_strerror(static_cast<int>(n)));
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (out.empty()) return absl::OkStatus();
    const beast::error_code error =
        transport_.WriteAll(out, transport_.options().request_timeout);
    if (error) return transport_.Failure(What(), error);
    return absl::OkStatus();
  }

  // Reads once from the connection (waiting at most request_timeout) and
  // feeds nghttp2, which calls back with headers, data and closes.
  absl::Status Receive() {
    if (!deferred_.ok()) return std::exchange(deferred_, absl::OkStatus());
    char buffer[kReadBufferBytes];
    size_t read = 0;
    const beast::error_code error = transport_.ReadSome(
        asio::buffer(buffer), transport_.options().request_timeout, &read);
    if (transport_.cancelled()) {
      return InternalFailure("the stream was cancelled");
    }
    if (error) {
      if (!got_frame_ && error == asio::error::eof) {
        return NotHttp2("it closed the connection without an HTTP/2 frame");
      }
      return transport_.Failure(What(), error);
    }
    const absl::string_view bytes(buffer, read);
    if (!got_frame_ && absl::StartsWith(bytes, "HTTP/")) {
      return NotHttp2(absl::StrCat("it answered '", FirstLine(bytes), "'"));
    }
    const ssize_t taken = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const uint8_t*>(bytes.data()), read);
    if (taken < 0 || (!got_frame_ && !nghttp2_session_want_read(session_))) {
      const std::string why =
          taken < 0 ? nghttp2_strerror(static_cast<int>(taken))
                    : std::string("its first bytes are not an HTTP/2 frame");
      if (!got_frame_) return NotHttp2(why);
      return Unreachable(absl::StrCat(
          What(), " ", transport_.endpoint().ToString(), " failed: ", why));
    }
    BROOK_RETURN_IF_ERROR(Flush());
    if (!closed_ && !nghttp2_session_want_read(session_)) {
      // The session ended (a GOAWAY or a protocol error) without closing
      // the stream through its callback.
      closed_ = true;
      close_code_ = goaway_code_.value_or(NGHTTP2_PROTOCOL_ERROR);
      if (close_code_ == NGHTTP2_NO_ERROR) close_code_ = NGHTTP2_REFUSED_STREAM;
    }
    return absl::OkStatus();
  }

  // The step a transport failure is reported as: the same words as over
  // HTTP/1.1.
  const char* What() const {
    return head_done_ ? "reading a stream from" : "a request to";
  }

  static Http2Stream* Self(void* user_data) {
    return static_cast<Http2Stream*>(user_data);
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buffer,
                          size_t length, uint32_t* flags, nghttp2_data_source*,
                          void* user_data) {
    Http2Stream* self = Self(user_data);
    const size_t n = std::min(length, self->body_.size() - self->body_sent_);
    std::memcpy(buffer, self->body_.data() + self->body_sent_, n);
    self->body_sent_ += n;
    if (self->body_sent_ == self->body_.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame,
                      const uint8_t* name, size_t name_length,
                      const uint8_t* value, size_t value_length, uint8_t,
                      void* user_data) {
    Http2Stream* self = Self(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS ||
        frame->hd.stream_id != self->stream_id_ || self->head_done_) {
      return 0;
    }
    const absl::string_view field(reinterpret_cast<const char*>(name),
                                  name_length);
    const absl::string_view text(reinterpret_cast<const char*>(value),
                                 value_length);
    if (field == ":status") {
      if (!absl::SimpleAtoi(text, &self->head_.status)) self->head_.status = 0;
    } else if (field == "content-type") {
      self->head_.content_type = std::string(text);
    }
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame,
                         void* user_data) {
    Http2Stream* self = Self(user_data);
    self->got_frame_ = true;
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      self->goaway_code_ = frame->goaway.error_code;
    } else if (frame->hd.type == NGHTTP2_HEADERS &&
               frame->hd.stream_id == self->stream_id_ &&
               self->head_.status >= 200) {
      self->head_done_ = true;  // Not an informational (1xx) head.
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                         const uint8_t* data, size_t length, void* user_data) {
    Http2Stream* self = Self(user_data);
    if (stream_id != self->stream_id_) {
      nghttp2_session_consume_connection(session, length);
      return 0;
    }
    self->pending_.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t stream_id,
                           uint32_t error_code, void* user_data) {
    Http2Stream* self = Self(user_data);
    if (stream_id == self->stream_id_) {
      self->closed_ = true;
      self->close_code_ = error_code;
    }
    return 0;
  }

  Transport transport_;
  nghttp2_session* session_ = nullptr;
  int32_t stream_id_ = -1;
  std::string body_;
  size_t body_sent_ = 0;
  HttpResponse head_;
  bool head_done_ = false;
  // Whether any HTTP/2 frame came from the server: before one, a failure
  // means it does not speak HTTP/2.
  bool got_frame_ = false;
  bool closed_ = false;
  uint32_t close_code_ = NGHTTP2_NO_ERROR;
  std::optional<uint32_t> goaway_code_;
  // Body bytes received and not yet handed out: at most one window.
  std::string pending_;
  // A failed write of acknowledgements, reported by the next Receive().
  absl::Status deferred_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpStream>> OpenHttp2Stream(
    const HttpEndpoint& endpoint, asio::ssl::context* tls,
    const HttpClientOptions& options, const HttpRequest& request) {
  auto stream = std::make_unique<Http2Stream>(endpoint, tls, options);
  BROOK_RETURN_IF_ERROR(stream->Start(request));
  return std::unique_ptr<HttpStream>(std::move(stream));
}

}  // namespace brook
