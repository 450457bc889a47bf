// A blocking Kinesis client over one connection, HTTP/1.1 kept alive or
// HTTP/2 (h2c with prior knowledge, one stream at a time), with JSON 1.1 or
// CBOR bodies: enough to drive a Kinesis-compatible endpoint (brookd, or an
// emulator) with load the way each SDK would. It sends a well-formed but
// unverifiable Authorization header, which servers that do not check
// signatures accept.
//
// Thread safety: one thread at a time per client; use a client per thread.

#ifndef BROOK_BENCH_TOOL_KINESIS_CLIENT_H_
#define BROOK_BENCH_TOOL_KINESIS_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"

namespace brook::bench {

// Where a server listens ("http://HOST:PORT" or "HOST:PORT"), and how to
// speak to it.
struct Endpoint {
  enum class Protocol { kHttp1, kH2c };

  std::string host;
  std::string port;
  Protocol protocol = Protocol::kHttp1;
  bool cbor = false;  // CBOR bodies (as the Java SDK), else JSON 1.1.

  static absl::StatusOr<Endpoint> Parse(absl::string_view text);
};

class KinesisClient {
 public:
  static absl::StatusOr<std::unique_ptr<KinesisClient>> Connect(
      const Endpoint& endpoint);

  virtual ~KinesisClient() = default;

  // Sends the JSON `body` to `operation` ("PutRecords", ...) and returns the
  // response body of a 200, as JSON. Any other answer fails with the
  // error's __type and message; a broken connection fails with
  // UnavailableError.
  absl::StatusOr<std::string> Call(absl::string_view operation,
                                   absl::string_view body);

  // Call() in two steps, so that a request sent many times is encoded
  // once: the body as it goes on the wire, then the call with it.
  absl::StatusOr<std::string> Encode(absl::string_view operation,
                                     absl::string_view json_body) const;
  absl::StatusOr<std::string> CallEncoded(absl::string_view operation,
                                          const std::string& wire_body);

 protected:
  struct Answer {
    unsigned status = 0;
    std::string body;
  };

  explicit KinesisClient(const Endpoint& endpoint);
  absl::Status Open();
  // One request on the connection: POST / with these headers and `body`.
  virtual absl::StatusOr<Answer> RoundTrip(absl::string_view operation,
                                           const std::string& body) = 0;
  const char* content_type() const;

  const std::string host_;
  const bool cbor_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};

 private:
  const Endpoint endpoint_;
};

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_KINESIS_CLIENT_H_
