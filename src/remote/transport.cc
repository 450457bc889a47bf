#include "remote/transport.h"

#include <openssl/ssl.h>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl/host_name_verification.hpp"
#include "boost/asio/write.hpp"
#include "common/errors.h"

namespace brook {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

Transport::Transport(const HttpEndpoint& endpoint, ssl::context* tls,
                     const HttpClientOptions& options)
    : endpoint_(endpoint), options_(options) {
  if (endpoint.tls) {
    tls_.emplace(io_, *tls);
  } else {
    plain_.emplace(io_);
  }
}

beast::tcp_stream& Transport::Lowest() {
  return tls_.has_value() ? beast::get_lowest_layer(*tls_) : *plain_;
}

absl::Status Transport::Open(absl::string_view alpn_protocols) {
  tcp::resolver resolver(io_);
  tcp::resolver::results_type addresses;
  beast::error_code error = Run(options_.connect_timeout, [&](auto done) {
    resolver.async_resolve(
        endpoint_.host, endpoint_.port,
        [&addresses, done](beast::error_code ec,
                           tcp::resolver::results_type results) mutable {
          addresses = std::move(results);
          done(ec);
        });
  });
  if (!error) {
    error = Run(options_.connect_timeout, [&](auto done) {
      Lowest().async_connect(
          addresses, [done](beast::error_code ec,
                            const tcp::endpoint&) mutable { done(ec); });
    });
  }
  if (!error) Lowest().socket().set_option(tcp::no_delay(true), error);
  if (!error && tls_.has_value()) error = Handshake(alpn_protocols);
  if (error) return Failure("connecting to", error);
  return absl::OkStatus();
}

beast::error_code Transport::Handshake(absl::string_view alpn_protocols) {
  SSL* ssl = tls_->native_handle();
  const auto* alpn =
      reinterpret_cast<const unsigned char*>(alpn_protocols.data());
  // SSL_set_alpn_protos returns 0 on success, unlike most of OpenSSL.
  if (!SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str()) ||
      (!alpn_protocols.empty() &&
       SSL_set_alpn_protos(ssl, alpn, alpn_protocols.size()) != 0)) {
    return beast::error_code(static_cast<int>(::ERR_get_error()),
                             asio::error::get_ssl_category());
  }
  if (options_.verify_peer) {
    tls_->set_verify_callback(ssl::host_name_verification(endpoint_.host));
  }
  return Run(options_.connect_timeout, [&](auto done) {
    tls_->async_handshake(ssl::stream_base::client,
                          [done](beast::error_code ec) mutable { done(ec); });
  });
}

std::string Transport::NegotiatedProtocol() const {
  if (!tls_.has_value()) return "";
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(
      const_cast<beast::ssl_stream<beast::tcp_stream>&>(*tls_).native_handle(),
      &protocol, &length);
  return std::string(reinterpret_cast<const char*>(protocol), length);
}

beast::error_code Transport::ReadSome(asio::mutable_buffer buffer,
                                      absl::Duration timeout, size_t* read) {
  *read = 0;
  return Run(timeout, [&](auto done) {
    WithStream([&](auto& stream) {
      stream.async_read_some(
          buffer, [read, done](beast::error_code ec, size_t n) mutable {
            *read = n;
            done(ec);
          });
    });
  });
}

beast::error_code Transport::WriteAll(absl::string_view bytes,
                                      absl::Duration timeout) {
  return Run(timeout, [&](auto done) {
    WithStream([&](auto& stream) {
      asio::async_write(
          stream, asio::buffer(bytes.data(), bytes.size()),
          [done](beast::error_code ec, size_t) mutable { done(ec); });
    });
  });
}

absl::Status Transport::Failure(absl::string_view what,
                                const beast::error_code& error) {
  timed_out_ = error == beast::error::timeout;
  const std::string reason =
      timed_out_ ? std::string("timed out") : error.message();
  return Unreachable(
      absl::StrCat(what, " ", endpoint_.ToString(), " failed: ", reason));
}

void Transport::Cancel() {
  cancelled_.store(true);
  asio::post(io_, [this] {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().cancel();
  });
}

}  // namespace brook
