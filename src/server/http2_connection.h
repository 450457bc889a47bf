// brookd's HTTP/2 connections (libnghttp2), over TCP (h2c with prior
// knowledge, as the AWS SDKs for JavaScript v3 and Java v2 speak it over
// http://) or TLS (with ALPN "h2", or without ALPN as the Java SDK's Netty
// client starts it). Every request stream goes through the same request
// path (ApiExchange) as HTTP/1.1; SubscribeToShard answers with an event
// stream on its own HTTP/2 stream.
//
// Bounded as HTTP/1.1 is, per stream and per connection:
//   - memory: SETTINGS_MAX_CONCURRENT_STREAMS (max_streams_per_connection)
//     and SETTINGS_MAX_HEADER_LIST_SIZE (max_header_bytes); request bodies
//     share the server's budget, taken from a stream's content-length (or
//     max_body_bytes) before its body is let in. Flow control does the
//     rest: a stream's data is acknowledged (WINDOW_UPDATE) only once its
//     body is admitted to the budget, so what a connection can send ahead
//     of admission is one connection window (64 KiB);
//   - time: a header block must complete within header_timeout; a body
//     arrives at min_body_bytes_per_second or its stream is reset; a
//     response or event stream that the client's flow control holds still
//     for write_timeout is reset (only that stream: a client that stops
//     reading one stream holds up only that stream); a socket write that
//     sends nothing for write_timeout closes the connection; a connection
//     with no stream open closes after idle_timeout;
//   - shutdown: GOAWAY, the streams in flight answered, subscriptions
//     ended.
//
// Threads: each connection works on its own strand; nghttp2 is only called
// there. Operations run on the host's handler pool; a subscription's
// fan-out threads queue its messages and post, never wait.

#ifndef BROOK_SERVER_HTTP2_CONNECTION_H_
#define BROOK_SERVER_HTTP2_CONNECTION_H_

#include "absl/strings/string_view.h"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "server/connection.h"

namespace brook {

// The client connection preface (RFC 9113 section 3.4) that opens every
// HTTP/2 connection whose client knows the server speaks HTTP/2.
inline constexpr absl::string_view kHttp2Preface =
    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Serves HTTP/2 on `stream` until it closes, registered with `host`.
// `received` holds the bytes already read from it (the start of the
// preface, at least).
void StartHttp2(boost::beast::tcp_stream stream, absl::string_view received,
                ConnectionHost* host);
void StartHttp2(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                absl::string_view received, ConnectionHost* host);

}  // namespace brook

#endif  // BROOK_SERVER_HTTP2_CONNECTION_H_
