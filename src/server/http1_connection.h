// brookd's HTTP/1.1 connections (Boost.Beast), over TCP or TLS: POST with
// X-Amz-Target: Kinesis_20131202.<Operation> goes to the request path
// (ApiExchange); GET /health and GET /metrics serve operators.
//
// Bounded in every dimension a client controls, with the limits of
// HttpServerOptions: header and body sizes, the body budget (taken from a
// request's Content-Length before its body is read), a header deadline, a
// minimum body rate, the idle time between requests, and a write timeout
// on every write, a SubscribeToShard event's included. With credentials,
// a request's signature headers are checked before its body is read.
//
// Threads: each connection works on its own strand; operations run on the
// host's handler pool; the Broker's fan-out threads call a streaming
// connection's EventSink, which queues and posts, never waits.

#ifndef BROOK_SERVER_HTTP1_CONNECTION_H_
#define BROOK_SERVER_HTTP1_CONNECTION_H_

#include "absl/strings/string_view.h"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "server/connection.h"

namespace brook {

// Serves HTTP/1.1 on `stream` until it closes, registered with `host`.
// `received` holds the bytes already read from it (sniffing the protocol).
void StartHttp1(boost::beast::tcp_stream stream, absl::string_view received,
                ConnectionHost* host);
void StartHttp1(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                absl::string_view received, ConnectionHost* host);

}  // namespace brook

#endif  // BROOK_SERVER_HTTP1_CONNECTION_H_
