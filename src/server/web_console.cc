#include "server/web_console.h"

#include <openssl/evp.h>

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/embedded_files.h"

namespace brook {
namespace {

constexpr absl::string_view kPrefix = "/console";

// Only this origin's own files; calls only to this origin's API; no
// plugins, frames, forms or <base>.
constexpr absl::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

struct Served {
  absl::string_view bytes;
  std::string etag;
};

std::string EtagOf(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(),
             nullptr);
  // 128 bits tell versions apart.
  return absl::StrCat(
      "\"",
      absl::BytesToHexString(absl::string_view(
          reinterpret_cast<const char*>(digest), std::min(length, 16u))),
      "\"");
}

// The embedded files by the path they are served at ("/console/app.js");
// the index also at "/console" and "/console/".
const absl::flat_hash_map<std::string, Served>& Files() {
  static const auto* files = [] {
    auto* map = new absl::flat_hash_map<std::string, Served>();
    for (const EmbeddedFile& file : EmbeddedFiles()) {
      Served served{file.bytes, EtagOf(file.bytes)};
      if (file.path == "index.html") {
        (*map)[kPrefix] = served;
        (*map)[absl::StrCat(kPrefix, "/")] = served;
      }
      (*map)[absl::StrCat(kPrefix, "/", file.path)] = std::move(served);
    }
    return map;
  }();
  return *files;
}

absl::string_view PathOf(absl::string_view target) {
  return target.substr(0, target.find('?'));
}

// "localhost", "127.0.0.1:4567", "[::1]:4567"...
bool NamesLoopback(absl::string_view authority) {
  absl::string_view host = authority;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  boost::system::error_code error;
  const boost::asio::ip::address address =
      boost::asio::ip::make_address(std::string(host), error);
  return !error && IsLoopback(address);
}

// With a header set every answer carries.
ApiResponse Answer(int status, absl::string_view content_type,
                   std::string body) {
  ApiResponse response;
  response.status = status;
  response.content_type = std::string(content_type);
  response.body = std::move(body);
  response.headers = {
      {"Cache-Control", "no-cache"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
  };
  return response;
}

bool EtagMatches(const RequestHead& head, absl::string_view etag) {
  const std::string* wanted = head.Find("if-none-match");
  if (wanted == nullptr) return false;
  for (absl::string_view tag : absl::StrSplit(*wanted, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");
    if (tag == etag || tag == "*") return true;
  }
  return false;
}

// HTTP/2's :authority, or the Host header (which an HTTP/2 client may send
// instead).
absl::string_view AuthorityOf(const RequestHead& head) {
  if (!head.authority.empty()) return head.authority;
  const std::string* host = head.Find("host");
  return host == nullptr ? "" : absl::string_view(*host);
}

}  // namespace

bool IsConsoleTarget(absl::string_view target) {
  absl::string_view path = PathOf(target);
  return absl::ConsumePrefix(&path, kPrefix) &&
         (path.empty() || path[0] == '/');
}

bool IsLoopback(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped,
                                            address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

bool IsLoopbackPeer(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code error;
  const boost::asio::ip::tcp::endpoint peer = socket.remote_endpoint(error);
  return !error && IsLoopback(peer.address());
}

absl::string_view ContentTypeOf(absl::string_view path) {
  const absl::string_view extension = path.substr(path.rfind('.') + 1);
  if (extension == "html") return "text/html; charset=utf-8";
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "js") return "text/javascript; charset=utf-8";
  if (extension == "svg") return "image/svg+xml";
  if (extension == "png") return "image/png";
  return "application/octet-stream";
}

ApiResponse ConsoleResponse(const RequestHead& head, bool signs) {
  if (!signs && !(head.from_loopback && NamesLoopback(AuthorityOf(head)))) {
    return Answer(403, "text/plain; charset=utf-8",
                  "brookd has no credentials (--access_key_id), so its "
                  "console is served only over loopback, to a Host that "
                  "names loopback (localhost, 127.0.0.1, [::1])\n");
  }
  const auto& files = Files();
  const std::string path(PathOf(head.target));
  const auto it = files.find(path);
  if (it == files.end()) {
    return Answer(404, "text/plain; charset=utf-8",
                  "no such page in the console\n");
  }
  const Served& file = it->second;
  const absl::string_view type = path == kPrefix || path.back() == '/'
                                     ? ContentTypeOf("index.html")
                                     : ContentTypeOf(path);
  ApiResponse response = EtagMatches(head, file.etag)
                             ? Answer(304, type, "")
                             : Answer(200, type, std::string(file.bytes));
  response.headers.emplace_back("ETag", file.etag);
  return response;
}

}  // namespace brook
