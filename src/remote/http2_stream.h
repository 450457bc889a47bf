// A response read as it arrives over HTTP/2 (libnghttp2 over a Transport):
// SubscribeToShard's event stream, which Amazon Kinesis serves only over
// HTTP/2. Over https the TLS handshake offers ALPN "h2" and the server
// must choose it; over http the connection is h2c with prior knowledge
// (RFC 9113 section 3.3), which brookd and the AWS SDKs speak.
//
// One connection per stream, as over HTTP/1.1: a subscription's thread is
// the only one that reads its connection, and a slow handler holds up only
// its own subscription.
//
// Memory is bounded by flow control: the stream's and the connection's
// windows are `HttpClientOptions::stream_window_bytes`, and bytes are
// acknowledged (WINDOW_UPDATE) only when Read() hands them to the caller,
// which asks for more only once it has delivered the events it had. So the
// endpoint can send at most one window ahead of the handler.
//
// Errors, all with the endpoint in the message:
//   - a server that does not speak HTTP/2 (TLS without ALPN "h2", an
//     HTTP/1.x answer to the preface, or a connection closed before any
//     HTTP/2 frame): InvalidArgumentException (kFailedPrecondition is not
//     a Kinesis name; retrying would not help);
//   - a connection that breaks or times out: InternalFailure with
//     kUnavailable, "reading a stream from <endpoint> failed: <reason>",
//     the same words as over HTTP/1.1;
//   - RST_STREAM from the server, or a GOAWAY that refuses the stream:
//     InternalFailure with kUnavailable naming the HTTP/2 error code.
// The stream's normal end (END_STREAM: Kinesis ends a subscription after
// 5 minutes) is Read() returning "".
//
// Thread safety: as HttpStream: Read() from one thread, Cancel() from any.
// Lifetime: the endpoint, ssl::context and options must outlive the
// stream (they are its HttpClient's).

#ifndef BROOK_REMOTE_HTTP2_STREAM_H_
#define BROOK_REMOTE_HTTP2_STREAM_H_

#include <memory>

#include "absl/status/statusor.h"
#include "boost/asio/ssl/context.hpp"
#include "remote/http_client.h"

namespace brook {

// OpenHttp2Stream()
//
// Connects, sends `request` as a POST on stream 1 and returns once the
// response's head (":status" and content-type) has arrived.
absl::StatusOr<std::unique_ptr<HttpStream>> OpenHttp2Stream(
    const HttpEndpoint& endpoint, boost::asio::ssl::context* tls,
    const HttpClientOptions& options, const HttpRequest& request);

}  // namespace brook

#endif  // BROOK_REMOTE_HTTP2_STREAM_H_
