// TLS for brookd: a server context from a PEM certificate chain and key,
// offering ALPN "h2" and "http/1.1", and a self-signed pair made on demand
// for local use.
//
// Thread safety: pure functions; a context is shared read-only by every
// connection once made.

#ifndef BROOK_SERVER_TLS_H_
#define BROOK_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/ssl/context.hpp"

namespace brook {

struct TlsKeyPair {
  std::string certificate_chain_pem;
  std::string private_key_pem;
};

// A server context for `pair` (TLS 1.2 and 1.3) whose ALPN picks "h2" when
// the client offers it, else "http/1.1", else none (the server then sniffs
// the protocol). Fails with InvalidArgumentException if the PEM texts do
// not parse or the key does not match the certificate.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const TlsKeyPair& pair);

// A new EC P-256 key and a certificate for it, self-signed with SHA-256,
// valid for a year from now, for "localhost", 127.0.0.1 and ::1 (and
// `extra_host` when not empty). Fails with InternalFailure if OpenSSL
// does.
absl::StatusOr<TlsKeyPair> GenerateSelfSignedPair(
    absl::string_view extra_host = "");

}  // namespace brook

#endif  // BROOK_SERVER_TLS_H_
