// The web console's routes and rules (server/web_console.h), as pure
// functions: which targets are the console's, who may load it, what each
// file is served as, and the headers every answer carries. The same routes
// over real HTTP/1.1 and HTTP/2 are tests/server/console_routes_test.sh.

#include "server/web_console.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/embedded_files.h"

namespace brook {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

RequestHead Get(std::string target, std::string authority = "127.0.0.1:4567",
                bool from_loopback = true) {
  RequestHead head;
  head.method = "GET";
  head.target = std::move(target);
  head.authority = std::move(authority);
  head.from_loopback = from_loopback;
  return head;
}

const std::string* Header(const ApiResponse& response, absl::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

TEST(WebConsoleTest, KnowsItsTargets) {
  for (const char* target : {"/console", "/console/", "/console/console.js",
                             "/console?x=1", "/console/?x=1"}) {
    EXPECT_TRUE(IsConsoleTarget(target)) << target;
  }
  for (const char* target :
       {"/", "/consoles", "/console.js", "/xconsole", "/metrics", ""}) {
    EXPECT_FALSE(IsConsoleTarget(target)) << target;
  }
}

TEST(WebConsoleTest, RoutesOnlyGetsToTheConsole) {
  EXPECT_EQ(RouteOf(Get("/console/")), Route::kConsole);
  RequestHead post = Get("/console/");
  post.method = "POST";
  EXPECT_EQ(RouteOf(post), Route::kApi);  // The API answers POSTs anywhere.
  RequestHead put = Get("/console/");
  put.method = "PUT";
  EXPECT_EQ(RouteOf(put), Route::kRefused);
  EXPECT_EQ(RouteOf(Get("/consolex")), Route::kRefused);
}

TEST(WebConsoleTest, ServesEachFileAsItsType) {
  struct Case {
    const char* target;
    const char* type;
  };
  for (const Case& c :
       {Case{"/console", "text/html; charset=utf-8"},
        {"/console/", "text/html; charset=utf-8"},
        {"/console/?from=link", "text/html; charset=utf-8"},
        {"/console/index.html", "text/html; charset=utf-8"},
        {"/console/console.js", "text/javascript; charset=utf-8"},
        {"/console/sigv4.js", "text/javascript; charset=utf-8"},
        {"/console/console.css", "text/css; charset=utf-8"}}) {
    const ApiResponse response = ConsoleResponse(Get(c.target), false);
    EXPECT_EQ(response.status, 200) << c.target;
    EXPECT_EQ(response.content_type, c.type) << c.target;
    EXPECT_FALSE(response.body.empty()) << c.target;
  }
  EXPECT_THAT(ConsoleResponse(Get("/console/"), false).body,
              StartsWith("<!doctype html>"));
}

TEST(WebConsoleTest, AnswersUnknownPathsWith404) {
  for (const char* target :
       {"/console/nope.js", "/console/index.htm", "/console//index.html",
        "/console/../console/index.html", "/console/console.js/",
        "/console/%2e%2e/etc/passwd"}) {
    const ApiResponse response = ConsoleResponse(Get(target), false);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.content_type, "text/plain; charset=utf-8") << target;
  }
}

TEST(WebConsoleTest, WithoutCredentialsServesOnlyLoopbackToLoopbackNames) {
  for (const char* authority :
       {"127.0.0.1:4567", "127.0.0.1", "127.1.2.3:80", "localhost:4567",
        "LOCALHOST", "[::1]:4567", "[::1]"}) {
    EXPECT_EQ(ConsoleResponse(Get("/console/", authority), false).status, 200)
        << authority;
  }
  // DNS rebinding: another site's name pointed at 127.0.0.1.
  for (const char* authority :
       {"evil.example", "evil.example:4567", "127.0.0.1.evil.example",
        "localhost.evil.example", "10.0.0.1:4567", "[::2]:4567", ""}) {
    const ApiResponse response =
        ConsoleResponse(Get("/console/", authority), false);
    EXPECT_EQ(response.status, 403) << authority;
    EXPECT_THAT(response.body, HasSubstr("loopback")) << authority;
  }
  // An HTTP/2 client may send Host instead of :authority.
  RequestHead host_header = Get("/console/", "");
  host_header.headers.emplace_back("Host", "localhost:4567");
  EXPECT_EQ(ConsoleResponse(host_header, false).status, 200);
  host_header.headers.back().second = "evil.example";
  EXPECT_EQ(ConsoleResponse(host_header, false).status, 403);
  // A client from elsewhere, whatever Host it claims.
  EXPECT_EQ(
      ConsoleResponse(Get("/console/", "127.0.0.1:4567", false), false).status,
      403);
}

TEST(WebConsoleTest, WithCredentialsServesAnyone) {
  // The files are public; every call they make must be signed.
  EXPECT_EQ(ConsoleResponse(Get("/console/", "brook.example:4567", false), true)
                .status,
            200);
  EXPECT_EQ(ConsoleResponse(Get("/console/nope", "brook.example", false), true)
                .status,
            404);
}

TEST(WebConsoleTest, EveryAnswerCarriesTheSafetyHeaders) {
  for (const ApiResponse& response :
       {ConsoleResponse(Get("/console/"), false),
        ConsoleResponse(Get("/console/nope"), false),
        ConsoleResponse(Get("/console/", "evil.example"), false)}) {
    EXPECT_THAT(response.headers,
                Contains(Pair("X-Content-Type-Options", "nosniff")));
    EXPECT_THAT(response.headers, Contains(Pair("Cache-Control", "no-cache")));
    EXPECT_THAT(response.headers, Contains(Pair("X-Frame-Options", "DENY")));
    const std::string* policy = Header(response, "Content-Security-Policy");
    ASSERT_NE(policy, nullptr);
    EXPECT_THAT(*policy, HasSubstr("script-src 'self'"));
    EXPECT_THAT(*policy, HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(*policy, Not(HasSubstr("unsafe-inline")));
  }
}

TEST(WebConsoleTest, RevalidatesWithItsEtag) {
  const ApiResponse first = ConsoleResponse(Get("/console/console.js"), false);
  const std::string* etag = Header(first, "ETag");
  ASSERT_NE(etag, nullptr);
  EXPECT_THAT(*etag, StartsWith("\""));
  RequestHead again = Get("/console/console.js");
  again.headers.emplace_back("If-None-Match", *etag);
  const ApiResponse unchanged = ConsoleResponse(again, false);
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_TRUE(unchanged.body.empty());
  RequestHead other = Get("/console/console.js");
  other.headers.emplace_back("If-None-Match", "\"something-else\"");
  EXPECT_EQ(ConsoleResponse(other, false).status, 200);
  // Another file has another tag.
  EXPECT_NE(
      *Header(ConsoleResponse(Get("/console/console.css"), false), "ETag"),
      *etag);
}

TEST(WebConsoleTest, EveryEmbeddedFileHasAKnownTypeAndIsLinked) {
  const std::string index = ConsoleResponse(Get("/console/"), false).body;
  ASSERT_FALSE(EmbeddedFiles().empty());
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    EXPECT_NE(ContentTypeOf(file.path), "application/octet-stream")
        << file.path;
    EXPECT_LE(file.bytes.size(), size_t{256} << 10) << file.path;
    if (file.path == "index.html" || file.path == "sigv4.js") continue;
    EXPECT_THAT(index, HasSubstr(absl::StrCat("/console/", file.path)))
        << file.path;
  }
}

TEST(WebConsoleTest, KnowsLoopbackAddresses) {
  namespace ip = boost::asio::ip;
  for (const char* address :
       {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopback(ip::make_address(address))) << address;
  }
  for (const char* address :
       {"10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "192.0.2.1"}) {
    EXPECT_FALSE(IsLoopback(ip::make_address(address))) << address;
  }
}

}  // namespace
}  // namespace brook
