// One client connection to an endpoint, over plain TCP or TLS, with an
// io_context of its own: each step starts an asynchronous operation with a
// deadline and runs the context until it completes, so that a blocking
// call still times out. HTTP/1.1 (remote/http_client.cc) and HTTP/2
// (remote/http2_stream.cc) both speak over it.
//
// TLS sends the host name (SNI), offers the ALPN protocols asked for, and
// verifies the server's certificate chain and host name unless
// HttpClientOptions::verify_peer is off (the chain against the trust
// store that the shared ssl::context was given).
//
// Failures are returned as InternalFailure with code kUnavailable (the
// Kinesis name for an outcome the caller cannot know) and a message that
// names the endpoint: "<what> http://host:port failed: <reason>".
//
// Thread safety: not thread-safe, except Cancel(), which may be called
// from any thread. Lifetime: the endpoint, the ssl::context and the
// options given must outlive the transport.

#ifndef BROOK_REMOTE_TRANSPORT_H_
#define BROOK_REMOTE_TRANSPORT_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "remote/http_client.h"

namespace brook {

class Transport {
 public:
  Transport(const HttpEndpoint& endpoint, boost::asio::ssl::context* tls,
            const HttpClientOptions& options);

  // Transport::Open()
  //
  // Resolves, connects and (over https) shakes hands, offering
  // `alpn_protocols` in ALPN's wire form ("\x02h2"; "" offers none), all
  // within HttpClientOptions::connect_timeout.
  absl::Status Open(absl::string_view alpn_protocols = "");

  // The ALPN protocol the TLS server chose, "" if none (and over TCP).
  std::string NegotiatedProtocol() const;

  // Transport::Run()
  //
  // Starts one asynchronous step through `start(done)`, where `done` takes
  // the step's error code, and runs the context until `done` is called or
  // `timeout` closes the socket (beast::error::timeout).
  template <typename Start>
  boost::beast::error_code Run(absl::Duration timeout, Start start) {
    boost::beast::error_code result;
    Lowest().expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
    start([&result](boost::beast::error_code ec) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  // Calls `f` with the stream to read and write: the TLS stream over https,
  // the TCP stream otherwise.
  template <typename F>
  void WithStream(F&& f) {
    if (tls_.has_value()) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  // Transport::ReadSome()
  //
  // Reads at least one byte into `buffer` within `timeout`; `*read` is
  // how many.
  boost::beast::error_code ReadSome(boost::asio::mutable_buffer buffer,
                                    absl::Duration timeout, size_t* read);

  // Transport::WriteAll()
  //
  // Writes all of `bytes` within `timeout`.
  boost::beast::error_code WriteAll(absl::string_view bytes,
                                    absl::Duration timeout);

  // Transport::Failure()
  //
  // Unreachable("<what> <endpoint> failed: <reason>"); remembers whether
  // `error` was a timeout.
  absl::Status Failure(absl::string_view what,
                       const boost::beast::error_code& error);

  // Whether the last Failure() was a timeout.
  bool timed_out() const { return timed_out_; }

  // Transport::Cancel()
  //
  // Shuts the socket down so that the step running (or the next) fails at
  // once. Idempotent; any thread.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

  const HttpEndpoint& endpoint() const { return endpoint_; }
  const HttpClientOptions& options() const { return options_; }

 private:
  boost::beast::tcp_stream& Lowest();
  boost::beast::error_code Handshake(absl::string_view alpn_protocols);

  const HttpEndpoint& endpoint_;
  const HttpClientOptions& options_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  std::atomic<bool> cancelled_{false};
  bool timed_out_ = false;
};

}  // namespace brook

#endif  // BROOK_REMOTE_TRANSPORT_H_
