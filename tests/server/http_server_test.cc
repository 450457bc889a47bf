// brookd's HTTP/1.1 transport, in process on a free port, driven by raw
// sockets: request framing, error shapes, the request memory budget, the
// deadlines, the connection cap, and subscriptions whose readers stall.
//
// The deadlines are real time (they are socket timers); each test keeps
// them short and asserts only what cannot race: that something happened,
// never that it took less than a bound.

#include "server/http_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "boost/json/parse.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/brookd_process.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// Generous bounds for waits on the server; a test that reaches one has
// failed.
constexpr absl::Duration kPatience = absl::Seconds(20);

// A blocking client socket with a receive timeout, speaking bytes.
class RawClient {
 public:
  struct Reply {
    int status = 0;  // 0: no response (closed or timed out).
    std::string headers;
    std::string body;
  };

  explicit RawClient(uint16_t port, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                 sizeof(receive_buffer));
    }
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address),
                         sizeof(address)) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // False if the server has closed the connection.
  bool Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads one response with a Content-Length body.
  Reply ReadResponse(absl::Duration timeout = kPatience) {
    Reply reply;
    const absl::Time deadline = absl::Now() + timeout;
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(deadline)) return reply;
    }
    reply.headers = pending_.substr(0, end + 4);
    pending_.erase(0, end + 4);
    const std::vector<absl::string_view> status_line =
        absl::StrSplit(reply.headers, absl::MaxSplits(' ', 2));
    if (status_line.size() < 2 ||
        !absl::SimpleAtoi(status_line[1], &reply.status)) {
      return reply;
    }
    size_t length = 0;
    for (absl::string_view line : absl::StrSplit(reply.headers, "\r\n")) {
      if (absl::ConsumePrefix(&line, "Content-Length: ")) {
        (void)absl::SimpleAtoi(line, &length);
      }
    }
    while (pending_.size() < length) {
      if (!ReadMore(deadline)) break;
    }
    reply.body = pending_.substr(0, length);
    pending_.erase(0, std::min(length, pending_.size()));
    return reply;
  }

  // Reads until `needle` has arrived; false if it did not within `timeout`.
  bool ReadUntil(absl::string_view needle, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!absl::StrContains(pending_, needle)) {
      if (!ReadMore(deadline)) return false;
    }
    return true;
  }

  // Whether the server closes the connection within `timeout` (reading and
  // dropping whatever it still sends).
  bool ClosedWithin(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (!ReadMore(deadline)) return !timed_out_;
      pending_.clear();
    }
    return false;
  }

 private:
  // False on EOF, error or the deadline.
  bool ReadMore(absl::Time deadline) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out_ = true;
      return false;
    }
    timeval tv = absl::ToTimeval(std::min(left, absl::Milliseconds(200)));
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buffer[64 << 10];
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got > 0) {
      pending_.append(buffer, static_cast<size_t>(got));
      return true;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return ReadMore(deadline);
    }
    timed_out_ = false;
    return false;  // EOF or reset.
  }

  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::string pending_;
};

std::string Post(absl::string_view operation, absl::string_view body,
                 absl::string_view extra_headers = "") {
  return absl::StrCat(
      "POST / HTTP/1.1\r\nHost: brookd\r\n", "X-Amz-Target: Kinesis_20131202.",
      operation, "\r\n", "Content-Type: application/x-amz-json-1.1\r\n",
      extra_headers, "Content-Length: ", body.size(), "\r\n\r\n", body);
}

std::string ErrorTypeOf(const RawClient::Reply& reply) {
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(reply.body, error);
  if (error || !body.is_object() || !body.as_object().contains("__type")) {
    return "";
  }
  return std::string(body.as_object().at("__type").as_string());
}

// The x-amzn-RequestId of a response's headers, or "" if it has none.
std::string RequestIdOf(const RawClient::Reply& reply) {
  for (absl::string_view line : absl::StrSplit(reply.headers, "\r\n")) {
    if (absl::ConsumePrefix(&line, "x-amzn-RequestId: ")) {
      return std::string(line);
    }
  }
  return "";
}

// AWS's request ids are random (version 4) UUIDs.
constexpr char kUuid[] =
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

class HttpServerTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    api_ = std::make_unique<KinesisApi>(&broker());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  void Serve(HttpServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(api_.get(), &broker(), options);
    ASSERT_OK(server_->Start());
  }
  uint16_t port() const { return server_->port(); }

  // Waits until the server holds `bytes` of request bodies.
  bool WaitForBuffered(size_t bytes) {
    const absl::Time deadline = absl::Now() + kPatience;
    while (server_->buffered_request_bytes() != bytes) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  std::unique_ptr<KinesisApi> api_;
  std::unique_ptr<HttpServer> server_;
};

// --- Framing and error shapes
// -------------------------------------------------

TEST_F(HttpServerTest, TransferEncoding_OtherThanChunkedAlone_Is400AndClose) {
  Serve();
  // Framed by Content-Length, the body is a valid ListStreams ("{}") and a
  // second request follows it: a server that framed so would answer 200,
  // and maybe the smuggled request too.
  const std::string smuggled = "GET /health HTTP/1.1\r\nHost: brookd\r\n\r\n";
  for (const char* coding :
       {"xchunked", "gzip", "identity", "chunked, gzip", "chunked"}) {
    SCOPED_TRACE(coding);
    RawClient client(port());
    ASSERT_TRUE(client.Send(
        absl::StrCat("POST / HTTP/1.1\r\nHost: brookd\r\n"
                     "X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                     "Transfer-Encoding: ",
                     coding, "\r\nContent-Length: 2\r\n\r\n{}", smuggled)));
    EXPECT_EQ(client.ReadResponse().status, 400);
    EXPECT_TRUE(client.ClosedWithin(kPatience));
  }
}

TEST_F(HttpServerTest, ChunkedBody_IsRead) {
  Serve();
  RawClient client(port());
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: brookd\r\n"
                  "X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
  EXPECT_EQ(client.ReadResponse().status, 200);
}

// A body that arrives partly with its header, then in pieces, longer than
// one read from the socket, and with the next request right behind it:
// every byte reaches the operation (a byte lost or garbled in the padding
// fails the JSON; in the name, names another stream) and the next request
// is read from where the body ends.
TEST_F(HttpServerTest, BodyInPieces_IsReadWholeAndThePipelinedRequestAfterIt) {
  Serve();
  const std::string body =
      absl::StrCat(R"({"ShardCount":1,)", std::string(200000, ' '),
                   R"("StreamName":"pieces"})");
  const std::string create = Post("CreateStream", body);
  const std::string list = Post("ListStreams", "{}");
  const size_t body_start = create.size() - body.size();
  RawClient client(port());
  ASSERT_TRUE(client.Send(create.substr(0, body_start + 20)));
  // The last few bytes come alone, with the next request.
  const size_t tail = create.size() - 3;
  for (size_t at = body_start + 20; at < tail; at += 70000) {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(
        client.Send(create.substr(at, std::min<size_t>(70000, tail - at))));
  }
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(client.Send(absl::StrCat(create.substr(tail), list)));
  const RawClient::Reply created = client.ReadResponse();
  EXPECT_EQ(created.status, 200) << created.body;
  const RawClient::Reply listed = client.ReadResponse();
  EXPECT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, ::testing::HasSubstr(R"("pieces")"));
  EXPECT_TRUE(WaitForBuffered(0));
}

// The body and its pipelined successor in one send, as a client writing
// without waiting puts them on the wire.
TEST_F(HttpServerTest, PipelinedRequestsInOneSend_AreEachAnswered) {
  Serve();
  RawClient client(port());
  ASSERT_TRUE(client.Send(absl::StrCat(
      Post("CreateStream", R"({"StreamName":"first","ShardCount":1})"),
      Post("CreateStream", R"({"StreamName":"second","ShardCount":1})"),
      Post("ListStreams", "{}"))));
  EXPECT_EQ(client.ReadResponse().status, 200);
  EXPECT_EQ(client.ReadResponse().status, 200);
  const RawClient::Reply listed = client.ReadResponse();
  EXPECT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, ::testing::HasSubstr(R"("first")"));
  EXPECT_THAT(listed.body, ::testing::HasSubstr(R"("second")"));
}

// A Content-Length above max_body_bytes is refused before any of the body
// is taken: 413, then the connection closes, and the budget is untouched.
TEST_F(HttpServerTest, BodyAboveTheLimit_Is413AndClose) {
  HttpServerOptions options;
  options.max_body_bytes = 4096;
  options.max_buffered_request_bytes = 4096;
  Serve(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("ListStreams", std::string(4097, ' '))));
  EXPECT_EQ(client.ReadResponse().status, 413);
  EXPECT_TRUE(client.ClosedWithin(kPatience));
  EXPECT_EQ(server_->buffered_request_bytes(), 0);

  RawClient at_limit(port());
  ASSERT_TRUE(at_limit.Send(Post("ListStreams", std::string(4096, ' '))));
  EXPECT_NE(at_limit.ReadResponse().status, 413);
}

TEST_F(HttpServerTest, NotAnApiCall_GetsAwsShapedJsonError) {
  Serve();
  for (const char* request : {"GET /nowhere HTTP/1.1\r\nHost: brookd\r\n\r\n",
                              "DELETE / HTTP/1.1\r\nHost: brookd\r\n\r\n",
                              "PUT / HTTP/1.1\r\nHost: brookd\r\n\r\n"}) {
    SCOPED_TRACE(request);
    RawClient client(port());
    ASSERT_TRUE(client.Send(request));
    const RawClient::Reply reply = client.ReadResponse();
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(ErrorTypeOf(reply), "AccessDeniedException");
  }
}

TEST_F(HttpServerTest,
       NotAnApiCall_WithCredentialsAndNoSignature_IsMissingToken) {
  HttpServerOptions options;
  options.credentials["AKID"] = "secret";
  Serve(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: brookd\r\n\r\n"));
  const RawClient::Reply reply = client.ReadResponse();
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(ErrorTypeOf(reply), "MissingAuthenticationTokenException");
}

TEST_F(HttpServerTest, EveryResponse_CarriesItsOwnRequestId) {
  Serve();
  RawClient client(port());
  std::vector<RawClient::Reply> replies;
  for (const std::string& request :
       {Post("ListStreams", "{}"), Post("ListStreams", "{}"),
        Post("NoSuchOperation", "{}"),
        std::string("GET /nowhere HTTP/1.1\r\nHost: brookd\r\n\r\n"),
        std::string("GET /health HTTP/1.1\r\nHost: brookd\r\n\r\n")}) {
    ASSERT_TRUE(client.Send(request));
    replies.push_back(client.ReadResponse());
  }
  EXPECT_EQ(replies[0].status, 200);
  EXPECT_EQ(replies[2].status, 400);
  EXPECT_EQ(replies[3].status, 403);
  for (const RawClient::Reply& reply : replies) {
    EXPECT_THAT(RequestIdOf(reply), ::testing::MatchesRegex(kUuid))
        << reply.headers;
  }
  EXPECT_NE(RequestIdOf(replies[0]), RequestIdOf(replies[1]));
}

// --- Authentication before the body
// ----------------------------------------------

TEST_F(HttpServerTest, Credentials_UnsignedHeadersAreRefusedBeforeTheBody) {
  HttpServerOptions options;
  options.credentials["AKID"] = "secret";
  Serve(options);
  RawClient client(port());
  // Announces a large body and sends none of it: the answer cannot wait
  // for the body, nor take budget for it.
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: brookd\r\n"
                  "X-Amz-Target: Kinesis_20131202.PutRecords\r\n"
                  "Content-Length: 8000000\r\n\r\n"));
  const RawClient::Reply reply = client.ReadResponse();
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(ErrorTypeOf(reply), "MissingAuthenticationTokenException");
  EXPECT_EQ(server_->buffered_request_bytes(), 0u);
}

// AWS reads any Authorization header's parameters before its algorithm: a
// header that is not SigV4's is incomplete, not a wrong signature.
TEST_F(HttpServerTest, Credentials_NotSigV4_IsIncompleteSignature) {
  HttpServerOptions options;
  options.credentials["AKID"] = "secret";
  Serve(options);
  for (const char* authorization :
       {"garbage", "Bearer x",
        "AWS4-HMAC-SHA512 Credential=AKID/20260101/us-east-1/kinesis/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"}) {
    RawClient client(port());
    ASSERT_TRUE(client.Send(
        absl::StrCat("POST / HTTP/1.1\r\nHost: brookd\r\n"
                     "X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                     "X-Amz-Date: 20260101T000000Z\r\n"
                     "Authorization: ",
                     authorization, "\r\nContent-Length: 2\r\n\r\n{}")));
    const RawClient::Reply reply = client.ReadResponse();
    EXPECT_EQ(reply.status, 400) << authorization;
    EXPECT_EQ(ErrorTypeOf(reply), "IncompleteSignatureException")
        << authorization;
  }
}

TEST_F(HttpServerTest, Metrics_WithCredentials_NeedsASignatureOrTheToken) {
  HttpServerOptions options;
  options.credentials["AKID"] = "secret";
  options.metrics_token = "scrape-me";
  Serve(options);
  auto get_metrics = [&](absl::string_view authorization) {
    RawClient client(port());
    client.Send(absl::StrCat("GET /metrics HTTP/1.1\r\nHost: brookd\r\n",
                             authorization, "\r\n"));
    return client.ReadResponse();
  };
  RawClient::Reply reply = get_metrics("");
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(ErrorTypeOf(reply), "MissingAuthenticationTokenException");
  EXPECT_EQ(get_metrics("Authorization: Bearer wrong\r\n").status, 403);
  reply = get_metrics("Authorization: Bearer scrape-me\r\n");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body,
              ::testing::HasSubstr("# TYPE brook_api_requests_total counter"));
  // /health tells nothing and stays open.
  RawClient health(port());
  health.Send("GET /health HTTP/1.1\r\nHost: brookd\r\n\r\n");
  EXPECT_EQ(health.ReadResponse().status, 200);
}

// Requests are counted under their operation, or "unknown" for a target no
// operation has (a client cannot add series); open connections are a
// gauge, this one included.
TEST_F(HttpServerTest, Metrics_CountRequestsByOperationAndOpenConnections) {
  Serve();
  RawClient client(port());
  client.Send(Post("ListStreams", "{}"));
  EXPECT_EQ(client.ReadResponse().status, 200);
  client.Send(Post("DescribeStreamSummary", R"({"StreamName":"none"})"));
  EXPECT_EQ(client.ReadResponse().status, 400);
  client.Send(Post("MadeUpOperation123", "{}"));
  EXPECT_EQ(client.ReadResponse().status, 400);
  client.Send("GET /metrics HTTP/1.1\r\nHost: brookd\r\n\r\n");
  const RawClient::Reply metrics = client.ReadResponse();
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers,
              ::testing::HasSubstr("Content-Type: text/plain; version=0.0.4; "
                                   "charset=utf-8\r\n"));
  EXPECT_THAT(metrics.body,
              ::testing::HasSubstr("\nbrook_api_requests_total{operation=\""
                                   "ListStreams\"} 1\n"));
  EXPECT_THAT(metrics.body,
              ::testing::HasSubstr(
                  "\nbrook_api_errors_total{operation=\"DescribeStream"
                  "Summary\",error=\"ResourceNotFoundException\"} 1\n"));
  EXPECT_THAT(metrics.body,
              ::testing::HasSubstr(
                  "\nbrook_api_requests_total{operation=\"unknown\"} 1\n"));
  EXPECT_THAT(metrics.body,
              ::testing::Not(::testing::HasSubstr("MadeUpOperation123")));
  EXPECT_THAT(metrics.body,
              ::testing::HasSubstr("\nbrook_open_connections 1\n"));
  EXPECT_EQ(server_->metrics().open_connections(), 1);
}

// --- The request memory budget
// ----------------------------------------------------

TEST_F(HttpServerTest, Budget_ARequestThatDoesNotFitWaitsThenGets503) {
  HttpServerOptions options;
  options.max_body_bytes = 1 << 20;
  options.max_buffered_request_bytes = (1 << 20) + (1 << 19);
  options.budget_wait = absl::Milliseconds(300);
  Serve(options);
  const std::string large_body =
      absl::StrCat(R"({"Padding":")", std::string((1 << 20) - 20, 'x'), "\"}");
  const std::string large = Post("ListStreams", large_body);
  const size_t body_start = large.size() - large_body.size();

  // A holds 1 MiB of the budget while its body trickles in.
  RawClient holder(port());
  ASSERT_TRUE(holder.Send(large.substr(0, body_start + 10)));
  ASSERT_TRUE(WaitForBuffered(large_body.size()));

  // B does not fit: after budget_wait, 503 ServiceUnavailable, which the
  // SDKs retry.
  RawClient refused(port());
  ASSERT_TRUE(refused.Send(large.substr(0, body_start)));
  const RawClient::Reply reply = refused.ReadResponse();
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(ErrorTypeOf(reply), "ServiceUnavailable");
  EXPECT_EQ(server_->buffered_request_bytes(), large_body.size());

  // A small request fits beside A and is not held up.
  RawClient small(port());
  ASSERT_TRUE(small.Send(Post("ListStreams", "{}")));
  EXPECT_EQ(small.ReadResponse().status, 200);

  // A finishes; its bytes go back.
  ASSERT_TRUE(holder.Send(large.substr(body_start + 10)));
  EXPECT_EQ(holder.ReadResponse().status, 200);
  EXPECT_TRUE(WaitForBuffered(0));
}

TEST_F(HttpServerTest, Budget_IsGivenBackWhenAClientLeavesMidBody) {
  HttpServerOptions options;
  options.max_body_bytes = 1 << 20;
  options.max_buffered_request_bytes = 1 << 20;
  Serve(options);
  {
    RawClient leaver(port());
    ASSERT_TRUE(leaver.Send(
        Post("ListStreams", std::string(1 << 20, ' ')).substr(0, 200)));
    ASSERT_TRUE(WaitForBuffered(1 << 20));
  }
  EXPECT_TRUE(WaitForBuffered(0));
}

TEST_F(HttpServerTest, Options_BudgetBelowOneBody_IsRefused) {
  HttpServerOptions options;
  options.max_buffered_request_bytes = options.max_body_bytes - 1;
  HttpServer server(api_.get(), &broker(), options);
  EXPECT_THAT(server.Start(),
              testing::HasErrorName(ErrorName::kInvalidArgumentException));
}

// --- Deadlines
// ----------------------------------------------------------------------

TEST_F(HttpServerTest, SteadyUpload_OutlastsTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  options.header_timeout = absl::Milliseconds(200);
  options.min_body_bytes_per_second = 1024;
  Serve(options);
  // 3,000 bytes at 2 KB/s: 1.5 s, well past the idle timeout, and faster
  // than the minimum rate.
  const std::string body =
      absl::StrCat(R"({"Padding":")", std::string(2980, 'x'), "\"}");
  const std::string request = Post("ListStreams", body);
  RawClient client(port());
  const size_t head = request.size() - body.size();
  ASSERT_TRUE(client.Send(request.substr(0, head)));
  for (size_t at = head; at < request.size(); at += 100) {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(client.Send(request.substr(at, 100)));
  }
  EXPECT_EQ(client.ReadResponse().status, 200);
}

TEST_F(HttpServerTest, BodyBelowTheMinimumRate_IsCut) {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(200);
  options.min_body_bytes_per_second = 1024;
  Serve(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send(
      Post("ListStreams", std::string(100000, ' ')).substr(0, 150)));
  // 10 bytes every 50 ms (200 B/s) until the server gives up on it.
  bool open = true;
  const absl::Time deadline = absl::Now() + kPatience;
  while (open && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    open = client.Send(std::string(10, ' '));
  }
  EXPECT_TRUE(!open || client.ClosedWithin(absl::Seconds(1)));
}

TEST_F(HttpServerTest, BodyThatStops_IsCutAfterAHeaderTimeoutOfSilence) {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(300);
  options.min_body_bytes_per_second = 1;  // The rate alone would wait days.
  Serve(options);
  RawClient client(port());
  const std::string request = Post("ListStreams", std::string(200000, ' '));
  ASSERT_TRUE(client.Send(request.substr(0, 100000)));
  EXPECT_TRUE(client.ClosedWithin(kPatience));
  EXPECT_TRUE(WaitForBuffered(0));
}

TEST_F(HttpServerTest, SlowHeaders_AreCutAtTheHeaderDeadline) {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(300);
  options.idle_timeout = absl::Seconds(60);
  Serve(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\n"));
  EXPECT_TRUE(client.ClosedWithin(kPatience));
}

TEST_F(HttpServerTest, IdleKeptAliveConnection_ClosesAfterTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(300);
  Serve(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("ListStreams", "{}")));
  EXPECT_EQ(client.ReadResponse().status, 200);
  ASSERT_TRUE(client.Send(Post("ListStreams", "{}")));  // Still open.
  EXPECT_EQ(client.ReadResponse().status, 200);
  EXPECT_TRUE(client.ClosedWithin(kPatience));
}

// --- The write state
// --------------------------------------------------------

class HttpServerWriteStateTest : public HttpServerTest {
 protected:
  void SetUp() override {
    fs_ = UseFaultFileSystem(/*min_free_disk_bytes=*/uint64_t{8} << 20);
    HttpServerTest::SetUp();
    CreateStream("s", 1);
    Serve();
  }

  RawClient::Reply Health() {
    RawClient client(port());
    EXPECT_TRUE(client.Send("GET /health HTTP/1.1\r\nHost: brookd\r\n\r\n"));
    return client.ReadResponse();
  }

  std::unique_ptr<Broker> Remote() {
    absl::StatusOr<std::unique_ptr<Broker>> remote = Broker::Connect(
        testing::TestConnectOptions(), absl::StrCat("127.0.0.1:", port()));
    EXPECT_OK(remote.status());
    return remote.ok() ? *std::move(remote) : nullptr;
  }

  std::shared_ptr<testing::FaultFileSystem> fs_;
};

TEST_F(HttpServerWriteStateTest, Health_Is503WithTheReasonWhileLowOnSpace) {
  EXPECT_EQ(Health().status, 200);
  std::unique_ptr<Broker> remote = Remote();
  ASSERT_NE(remote, nullptr);
  EXPECT_EQ(remote->GetWriteState().status, WriteStatus::kAccepting);

  // Another process takes the disk down to below the floor.
  constexpr uint64_t kDiskBytes = uint64_t{1} << 40;
  fs_->SetQuota(dir(), kDiskBytes);
  fs_->SetSpaceTakenElsewhere(kDiskBytes - fs_->used_bytes() -
                              (uint64_t{4} << 20));
  ASSERT_OK(impl().TEST_CheckDiskNow());
  const RawClient::Reply low = Health();
  EXPECT_EQ(low.status, 503);
  EXPECT_THAT(low.body, ::testing::StartsWith("low_space: "));
  const WriteState state = remote->GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kLowSpace);
  EXPECT_THAT(state.reason,
              testing::HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(state.reason.message(), broker().GetWriteState().reason.message());

  // Space comes back: so do writes, without a restart.
  fs_->SetSpaceTakenElsewhere(0);
  ASSERT_OK(impl().TEST_CheckDiskNow());
  EXPECT_EQ(Health().status, 200);
  EXPECT_EQ(remote->GetWriteState().status, WriteStatus::kAccepting);
}

TEST_F(HttpServerWriteStateTest, Health_Is503WhileAFailedSyncStopsWrites) {
  fs_->Inject(testing::Fault{testing::FaultOp::kSync,
                             testing::FaultError::kIoError, ".log"});
  PutRecordRequest request;
  request.stream = "s";
  request.partition_key = "k";
  request.data = "a";
  EXPECT_THAT(broker().PutRecord(request),
              testing::HasErrorName(ErrorName::kInternalFailure));
  fs_->ClearFaults();

  const RawClient::Reply stopped = Health();
  EXPECT_EQ(stopped.status, 503);
  EXPECT_THAT(stopped.body, ::testing::StartsWith("stopped: "));
  EXPECT_THAT(stopped.body, ::testing::HasSubstr("injected EIO"));
  std::unique_ptr<Broker> remote = Remote();
  ASSERT_NE(remote, nullptr);
  const WriteState state = remote->GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStopped);
  EXPECT_THAT(state.reason, testing::HasCode(absl::StatusCode::kInternal));
  // Reads are still served over the wire.
  EXPECT_OK(remote->ListStreams({}).status());
}

// --- The connection cap
// ------------------------------------------------------------

TEST_F(HttpServerTest, AtTheCap_ANewConnectionShedsTheStalest) {
  HttpServerOptions options;
  options.max_connections = 2;
  Serve(options);
  // Two connections that send nothing hold both places...
  RawClient stalest(port());
  absl::SleepFor(absl::Milliseconds(50));
  RawClient stale(port());
  absl::SleepFor(absl::Milliseconds(50));
  // ...yet a client that makes progress is served,
  RawClient fresh(port());
  ASSERT_TRUE(fresh.Send(Post("ListStreams", "{}")));
  EXPECT_EQ(fresh.ReadResponse().status, 200);
  // in the place of the one idle the longest.
  EXPECT_TRUE(stalest.ClosedWithin(kPatience));
  ASSERT_TRUE(stale.Send(Post("ListStreams", "{}")));
  EXPECT_EQ(stale.ReadResponse().status, 200);
}

// --- SubscribeToShard readers that stall
// ----------------------------------------------

class StalledSubscriberTest : public HttpServerTest {
 protected:
  static constexpr int kShards = 4;

  void SetUp() override {
    HttpServerTest::SetUp();
    CreateStream("s", kShards);
    RegisterStreamConsumerRequest request;
    request.stream = "s";
    request.consumer_name = "c";
    ASSERT_OK_AND_ASSIGN(Consumer consumer,
                         broker().RegisterStreamConsumer(request));
    consumer_arn_ = consumer.consumer_arn;
    ListShardsRequest list;
    list.stream = "s";
    ASSERT_OK_AND_ASSIGN(ListShardsResult shards, broker().ListShards(list));
    for (const Shard& shard : shards.shards) {
      std::ostringstream key;
      key << shard.hash_key_range.starting_hash_key;
      hash_keys_.push_back(key.str());
    }
  }

  std::unique_ptr<RawClient> Subscribe(int shard, int receive_buffer = 0) {
    auto client = std::make_unique<RawClient>(port(), receive_buffer);
    client->Send(
        Post("SubscribeToShard",
             absl::StrCat(R"({"ConsumerARN":")", consumer_arn_,
                          R"(","ShardId":"shardId-00000000000)", shard,
                          R"(","StartingPosition":{"Type":"TRIM_HORIZON"}})")));
    return client;
  }

  void PutToShard(int shard, const std::string& data) {
    PutRecordRequest put;
    put.stream = "s";
    put.partition_key = "k";
    put.explicit_hash_key = hash_keys_[shard];
    put.data = data;
    ASSERT_OK(broker().PutRecord(put));
  }

  // More stalled readers than the Broker's fan-out threads (2), each with
  // far more records waiting than the socket buffers hold.
  void StallReaders(std::vector<std::unique_ptr<RawClient>>* stalled) {
    for (int shard = 0; shard < kShards - 1; ++shard) {
      stalled->push_back(Subscribe(shard, /*receive_buffer=*/4096));
    }
    const std::string megabyte(1000 << 10, 'z');
    for (int i = 0; i < 16; ++i) {
      for (int shard = 0; shard < kShards - 1; ++shard) {
        PutToShard(shard, megabyte);
      }
    }
    absl::SleepFor(absl::Milliseconds(500));  // Deliveries back up.
  }

  std::string consumer_arn_;
  std::vector<std::string> hash_keys_;
};

TEST_F(StalledSubscriberTest, StalledReaders_DoNotHoldUpOtherSubscriptions) {
  HttpServerOptions options;
  options.write_timeout = absl::Seconds(60);  // Longer than the test waits.
  Serve(options);
  std::unique_ptr<RawClient> healthy = Subscribe(kShards - 1);
  ASSERT_TRUE(healthy->ReadUntil("initial-response", kPatience));
  std::vector<std::unique_ptr<RawClient>> stalled;
  StallReaders(&stalled);
  PutToShard(kShards - 1, "ping-after-the-stall");
  EXPECT_TRUE(healthy->ReadUntil(absl::Base64Escape("ping-after-the-stall"),
                                 absl::Seconds(10)));
}

TEST_F(StalledSubscriberTest, EventStream_CarriesARequestId) {
  Serve();
  std::unique_ptr<RawClient> client = Subscribe(0);
  const RawClient::Reply reply = client->ReadResponse();
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(RequestIdOf(reply), ::testing::MatchesRegex(kUuid))
      << reply.headers;
}

TEST_F(StalledSubscriberTest, WriteTimeout_EndsAStalledSubscription) {
  HttpServerOptions options;
  options.write_timeout = absl::Milliseconds(500);
  Serve(options);
  std::vector<std::unique_ptr<RawClient>> stalled;
  StallReaders(&stalled);
  absl::SleepFor(absl::Seconds(1));  // Still not reading.
  for (auto& client : stalled) EXPECT_TRUE(client->ClosedWithin(kPatience));
}

}  // namespace
}  // namespace brook
