// A blocking Kinesis JSON 1.1 client over one keep-alive HTTP/1.1
// connection: enough to drive a Kinesis-compatible endpoint (brookd, or an
// emulator) with load. It sends a well-formed but unverifiable
// Authorization header, which servers that do not check signatures accept.
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
#include "boost/beast/core/flat_buffer.hpp"

namespace brook::bench {

// Where a server listens: "http://HOST:PORT" or "HOST:PORT".
struct Endpoint {
  std::string host;
  std::string port;

  static absl::StatusOr<Endpoint> Parse(absl::string_view text);
};

class KinesisClient {
 public:
  static absl::StatusOr<std::unique_ptr<KinesisClient>> Connect(
      const Endpoint& endpoint);

  // Sends `body` to `operation` ("PutRecords", ...) and returns the response
  // body of a 200. Any other answer fails with the error's __type and
  // message; a broken connection fails with UnavailableError.
  absl::StatusOr<std::string> Call(absl::string_view operation,
                                   std::string body);

 private:
  explicit KinesisClient(std::string host);

  const std::string host_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_KINESIS_CLIENT_H_
