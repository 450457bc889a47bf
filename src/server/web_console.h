// brookd's web console, served under /console: the HTML, CSS and
// JavaScript in src/server/console/, built into the binary
// (embedded_files.h). The files hold no data: the page's script calls
// brookd's own API from the browser (same origin, JSON 1.1 with
// X-Amz-Target), so the console can do nothing that a client of the API
// cannot, and is authenticated as the API is.
//
// Who may load it:
//   - with credentials configured, anyone: the files are the same for
//     everyone, and every call the page makes must be signed with a key
//     pair the user enters (the page signs with SigV4 through WebCrypto);
//   - without, only a client on loopback whose Host (or :authority) names
//     loopback: "localhost", an address in 127.0.0.0/8 or [::1]. The API
//     then answers whoever reaches it; the Host rule keeps a page of
//     another site from reaching the console through DNS rebinding (a name
//     of its own pointed at 127.0.0.1).
//
// Answers: 200 with the file's Content-Type, "Cache-Control: no-cache" and
// an ETag of its bytes, so that a browser revalidates on every load (304
// while unchanged) and never runs an old brookd's script against a new one;
// 404 for a path under /console that names no file; 403 for a caller the
// rule above refuses. Every answer says "nosniff", may not be framed, and
// carries a Content-Security-Policy that lets only this origin's own
// scripts and styles run: even a record that escaped the page's escaping
// could not run script.
//
// Thread safety: pure functions over immutable data.

#ifndef BROOK_SERVER_WEB_CONSOLE_H_
#define BROOK_SERVER_WEB_CONSOLE_H_

#include "absl/strings/string_view.h"
#include "boost/asio/ip/address.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "server/api_exchange.h"

namespace brook {

// Whether a request target ("/console", "/console/app.js?v=1") is the
// console's.
bool IsConsoleTarget(absl::string_view target);

// The answer to a GET of a console target (see above). `signs`: whether
// brookd has credentials configured.
ApiResponse ConsoleResponse(const RequestHead& head, bool signs);

// Whether an address is a loopback one (IPv4-mapped IPv6 included).
bool IsLoopback(const boost::asio::ip::address& address);
// Whether a connected socket's peer is this machine over loopback; false
// if it has no peer any more.
bool IsLoopbackPeer(const boost::asio::ip::tcp::socket& socket);

// The Content-Type of a file served by its name's extension;
// "application/octet-stream" for one it does not know.
absl::string_view ContentTypeOf(absl::string_view path);

}  // namespace brook

#endif  // BROOK_SERVER_WEB_CONSOLE_H_
