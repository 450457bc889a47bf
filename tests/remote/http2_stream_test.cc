// SubscribeToShard over HTTP/2 (remote/http2_stream.h) through the remote
// Broker: against servers that do not speak HTTP/2, against a scripted
// HTTP/2 server (libnghttp2) that ends its stream in each way HTTP/2 can
// (END_STREAM, RST_STREAM, GOAWAY, a dropped connection) and counts what
// flow control let it send, and against brookd over h2c and TLS (its
// lifetime end, its shutdown, a kill), compared with HTTP/1.1.

#include <nghttp2/nghttp2.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "aws/event_stream.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/write.hpp"
#include "brook/broker.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/brookd_process.h"
#include "testing/status_matchers.h"
#include "testing/subscription_recorder.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ::brook::testing::HasErrorName;
using ::brook::testing::SubscriptionRecorder;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr absl::Duration kWait = absl::Seconds(20);

// Accepts one connection on 127.0.0.1 and hands it to `serve` on a thread
// of its own.
class OneConnectionServer {
 public:
  explicit OneConnectionServer(std::function<void(tcp::socket&)> serve)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        serve_(std::move(serve)) {
    thread_ = std::thread([this] {
      boost::system::error_code error;
      acceptor_.accept(socket_, error);
      if (!error) serve_(socket_);
    });
  }
  ~OneConnectionServer() {
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket socket_{io_};
  std::function<void(tcp::socket&)> serve_;
  std::thread thread_;
};

SubscribeToShardRequest Subscribe() {
  SubscribeToShardRequest request;
  request.consumer_arn =
      "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1";
  request.shard_id = "shardId-000000000000";
  request.starting_position.type = ShardIteratorType::kTrimHorizon;
  return request;
}

ConnectOptions Options() {
  ConnectOptions options = testing::TestConnectOptions();
  options.connect_timeout = absl::Seconds(5);
  options.request_timeout = absl::Seconds(5);
  return options;
}

// --- Servers that do not speak HTTP/2 ------------------------------------

TEST(Http2StreamTest, AnHttp1ServerIsNamedAsNotSpeakingHttp2) {
  OneConnectionServer server([](tcp::socket& socket) {
    char buffer[1024];
    boost::system::error_code error;
    socket.read_some(asio::buffer(buffer), error);
    asio::write(socket,
                asio::buffer(absl::string_view(
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n")),
                error);
  });
  const std::string endpoint = absl::StrCat("http://127.0.0.1:", server.port());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                       Broker::Connect(Options(), endpoint));
  SubscriptionRecorder recorder;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      broker->SubscribeToShard(Subscribe(), &recorder);
  EXPECT_THAT(subscription, HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(subscription.status().message(),
              HasSubstr(absl::StrCat("endpoint ", endpoint,
                                     " does not speak HTTP/2 (it answered "
                                     "'HTTP/1.1 400 Bad Request')")));
}

TEST(Http2StreamTest, AServerThatClosesAtThePrefaceIsNamedAsNotSpeakingHttp2) {
  OneConnectionServer server([](tcp::socket& socket) {
    char buffer[1024];
    boost::system::error_code error;
    socket.read_some(asio::buffer(buffer), error);
    socket.close(error);
  });
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Broker> broker,
      Broker::Connect(Options(),
                      absl::StrCat("http://127.0.0.1:", server.port())));
  SubscriptionRecorder recorder;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      broker->SubscribeToShard(Subscribe(), &recorder);
  EXPECT_THAT(subscription, HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(subscription.status().message(),
              HasSubstr("does not speak HTTP/2"));
}

TEST(Http2StreamTest, ATlsServerWithoutAlpnH2IsNamedAsNotSpeakingHttp2) {
  OneConnectionServer server([](tcp::socket& socket) {
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.use_certificate_chain_file(BROOK_REMOTE_FIXTURES "/server.pem");
    tls.use_private_key_file(BROOK_REMOTE_FIXTURES "/server.key",
                             asio::ssl::context::pem);
    asio::ssl::stream<tcp::socket&> stream(socket, tls);
    boost::system::error_code error;
    stream.handshake(asio::ssl::stream_base::server, error);
    char buffer[1024];
    stream.read_some(asio::buffer(buffer), error);
  });
  ConnectOptions options = Options();
  options.ca_file = BROOK_REMOTE_FIXTURES "/ca.pem";
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Broker> broker,
      Broker::Connect(options,
                      absl::StrCat("https://localhost:", server.port())));
  SubscriptionRecorder recorder;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      broker->SubscribeToShard(Subscribe(), &recorder);
  EXPECT_THAT(subscription, HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(subscription.status().message(),
              HasSubstr("does not speak HTTP/2 (its TLS handshake chose no "
                        "ALPN protocol instead of h2)"));
}

// --- A scripted HTTP/2 server --------------------------------------------

// How the scripted server ends the event stream after its events.
enum class Ending { kEndStream, kReset, kGoAwayBeforeAnswering, kDrop };

// Serves one HTTP/2 connection with libnghttp2: answers the first request
// with `events` SubscribeToShard events of `record_bytes` each, then ends
// as `ending` says. Counts the DATA bytes it sent and the window the
// client gave back.
class ScriptedHttp2Server {
 public:
  ScriptedHttp2Server(int events, size_t record_bytes, Ending ending)
      : ending_(ending),
        server_([this](tcp::socket& socket) { Serve(socket); }) {
    for (int i = 0; i < events; ++i) {
      const std::string json = absl::StrCat(
          R"({"Records":[{"SequenceNumber":")", i + 1,
          R"(","ApproximateArrivalTimestamp":1.7E9,"Data":")",
          absl::Base64Escape(std::string(record_bytes, 'x')),
          R"(","PartitionKey":"k"}],"ContinuationSequenceNumber":")", i + 1,
          R"(","MillisBehindLatest":0})");
      body_ += EventMessage("SubscribeToShardEvent", json);
    }
  }

  std::string endpoint() const {
    return absl::StrCat("http://127.0.0.1:", server_.port());
  }

  // Waits until the client's flow control stops the server with data left
  // to send (false after kWait), and returns the DATA bytes sent by then.
  bool WaitUntilBlocked(size_t* sent) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&blocked_), kWait);
    *sent = sent_;
    return blocked_;
  }
  size_t body_bytes() const { return body_.size(); }

 private:
  void Serve(tcp::socket& socket) {
    nghttp2_session_callbacks* callbacks;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                         &OnFrameRecv);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks,
                                                         &OnFrameSend);
    nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
    boost::system::error_code error;
    for (;;) {
      const uint8_t* data;
      ssize_t n;
      while ((n = nghttp2_session_mem_send(session_, &data)) > 0) {
        asio::write(socket, asio::buffer(data, n), error);
      }
      if (drop_ || error ||
          (!nghttp2_session_want_read(session_) &&
           !nghttp2_session_want_write(session_))) {
        break;
      }
      NoteBlocked();
      uint8_t buffer[16384];
      const size_t read = socket.read_some(asio::buffer(buffer), error);
      if (error || nghttp2_session_mem_recv(session_, buffer, read) < 0) {
        break;
      }
    }
    if (ending_ == Ending::kGoAwayBeforeAnswering || ending_ == Ending::kDrop) {
      // Closing with the client's frames unread would reset the connection,
      // and the client could lose what was sent before (the GOAWAY, the
      // events): end the sending side, then read until the client closes.
      socket.shutdown(tcp::socket::shutdown_send, error);
      uint8_t ignored[4096];
      while (!error) socket.read_some(asio::buffer(ignored), error);
    }
    socket.close(error);
    nghttp2_session_del(session_);
  }

  void NoteBlocked() {
    if (stream_id_ == 0 || offset_ >= body_.size()) return;
    if (nghttp2_session_get_stream_remote_window_size(session_, stream_id_) >
        0) {
      return;
    }
    absl::MutexLock lock(&mu_);
    blocked_ = true;
  }

  void Answer(int32_t stream_id) {
    if (ending_ == Ending::kGoAwayBeforeAnswering) {
      nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR,
                            nullptr, 0);
      return;
    }
    stream_id_ = stream_id;
    const std::string status = "200";
    const std::string type = "application/vnd.amazon.eventstream";
    const nghttp2_nv fields[] = {
        {(uint8_t*)":status", (uint8_t*)status.data(), 7, status.size(), 0},
        {(uint8_t*)"content-type", (uint8_t*)type.data(), 12, type.size(), 0},
    };
    nghttp2_data_provider provider;
    provider.source.ptr = this;
    provider.read_callback = &ReadBody;
    nghttp2_submit_response(session_, stream_id, fields, 2, &provider);
  }

  static ssize_t ReadBody(nghttp2_session* session, int32_t stream_id,
                          uint8_t* buffer, size_t length, uint32_t* flags,
                          nghttp2_data_source*, void* user_data) {
    auto* self = static_cast<ScriptedHttp2Server*>(user_data);
    const size_t n = std::min(length, self->body_.size() - self->offset_);
    std::memcpy(buffer, self->body_.data() + self->offset_, n);
    self->offset_ += n;
    if (self->offset_ < self->body_.size() || n > 0) return n;
    switch (self->ending_) {
      case Ending::kEndStream:
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
      case Ending::kReset:
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id,
                                  NGHTTP2_INTERNAL_ERROR);
        return NGHTTP2_ERR_DEFERRED;
      default:
        self->drop_ = true;
        return NGHTTP2_ERR_DEFERRED;
    }
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame,
                         void* user_data) {
    auto* self = static_cast<ScriptedHttp2Server*>(user_data);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && self->stream_id_ == 0) {
      self->Answer(frame->hd.stream_id);
    }
    return 0;
  }

  static int OnFrameSend(nghttp2_session*, const nghttp2_frame* frame,
                         void* user_data) {
    auto* self = static_cast<ScriptedHttp2Server*>(user_data);
    if (frame->hd.type == NGHTTP2_DATA) {
      absl::MutexLock lock(&self->mu_);
      self->sent_ += frame->hd.length;
    }
    return 0;
  }

  const Ending ending_;
  std::string body_;
  size_t offset_ = 0;
  int32_t stream_id_ = 0;
  bool drop_ = false;
  nghttp2_session* session_ = nullptr;
  absl::Mutex mu_;
  size_t sent_ ABSL_GUARDED_BY(mu_) = 0;
  bool blocked_ ABSL_GUARDED_BY(mu_) = false;
  OneConnectionServer server_;  // Last: its thread uses the members above.
};

absl::StatusOr<std::unique_ptr<Broker>> ConnectTo(
    const ScriptedHttp2Server& server, ConnectOptions options = Options()) {
  return Broker::Connect(options, server.endpoint());
}

// Subscribes through a remote Broker to `server` and returns how the
// subscription ended; `*events` is how many events it delivered.
absl::Status EndOfSubscription(const ScriptedHttp2Server& server, int* events) {
  absl::StatusOr<std::unique_ptr<Broker>> broker = ConnectTo(server);
  if (!broker.ok()) return broker.status();
  SubscriptionRecorder recorder;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      (*broker)->SubscribeToShard(Subscribe(), &recorder);
  if (!subscription.ok()) return subscription.status();
  const absl::Status end = recorder.WaitForEnd();
  *events = recorder.events();
  return end;
}

TEST(Http2StreamTest, EndStreamEndsTheSubscriptionWithOk) {
  ScriptedHttp2Server server(3, 100, Ending::kEndStream);
  int events = 0;
  EXPECT_OK(EndOfSubscription(server, &events));
  EXPECT_EQ(events, 3);
}

TEST(Http2StreamTest, RstStreamEndsTheSubscriptionWithItsErrorCode) {
  ScriptedHttp2Server server(2, 100, Ending::kReset);
  int events = 0;
  const absl::Status end = EndOfSubscription(server, &events);
  EXPECT_THAT(end, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(end.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(end.message(), HasSubstr(absl::StrCat(
                                 "reading a stream from ", server.endpoint(),
                                 " failed: the stream was reset with "
                                 "HTTP/2 error INTERNAL_ERROR")));
  EXPECT_EQ(events, 2);
}

TEST(Http2StreamTest, AGoAwayThatRefusesTheStreamFailsTheSubscribe) {
  ScriptedHttp2Server server(1, 100, Ending::kGoAwayBeforeAnswering);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, ConnectTo(server));
  SubscriptionRecorder recorder;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      broker->SubscribeToShard(Subscribe(), &recorder);
  EXPECT_THAT(subscription, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(subscription.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(subscription.status().message(),
              HasSubstr("REFUSED_STREAM after GOAWAY (NO_ERROR)"));
}

TEST(Http2StreamTest, ADroppedConnectionFailsAsOverHttp1) {
  ScriptedHttp2Server server(2, 100, Ending::kDrop);
  int events = 0;
  const absl::Status end = EndOfSubscription(server, &events);
  EXPECT_THAT(end, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(end.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(end.message(),
              HasSubstr(absl::StrCat("reading a stream from ",
                                     server.endpoint(), " failed: ")));
  EXPECT_EQ(events, 2);
}

// The window is given back only as the handler takes events: a paused
// handler lets the server send one window and no more.
TEST(Http2StreamTest, APausedHandlerHoldsTheServerToOneWindow) {
  constexpr int kWindow = 65535;
  ScriptedHttp2Server server(200, 4000, Ending::kEndStream);
  ASSERT_GT(server.body_bytes(), size_t{8} * kWindow);
  ConnectOptions options = Options();
  options.subscribe_window_bytes = kWindow;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                       ConnectTo(server, options));
  SubscriptionRecorder recorder(/*pause_after=*/1);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker->SubscribeToShard(Subscribe(), &recorder));
  ASSERT_THAT(recorder.WaitForRecords(1), SizeIs(1));
  size_t sent = 0;
  ASSERT_TRUE(server.WaitUntilBlocked(&sent));
  // One window, plus what the reader took before the handler paused (one
  // read of at most 16 KiB).
  EXPECT_LE(sent, size_t{kWindow} + (size_t{16} << 10));
  EXPECT_EQ(recorder.events(), 1);

  subscription->Resume();
  EXPECT_OK(recorder.WaitForEnd());
  EXPECT_EQ(recorder.events(), 200);
}

// --- brookd over h2c and TLS ----------------------------------------------

enum class Wire { kHttp1, kH2c, kTls };

std::string WireName(const ::testing::TestParamInfo<Wire>& info) {
  switch (info.param) {
    case Wire::kHttp1:
      return "Http1";
    case Wire::kH2c:
      return "H2c";
    case Wire::kTls:
      return "Tls";
  }
  return "";
}

class BrookdSubscriptionTest : public ::testing::TestWithParam<Wire> {
 protected:
  void SetUp() override {
    std::vector<std::string> flags = {
        "--durability=nosync", "--access_key_id=AKIDTEST",
        "--secret_access_key=secret", "--subscription_lifetime_s=2"};
    if (GetParam() == Wire::kTls) {
      flags.push_back("--tls_cert=" BROOK_REMOTE_FIXTURES "/server.pem");
      flags.push_back("--tls_key=" BROOK_REMOTE_FIXTURES "/server.key");
    }
    brookd_ = std::make_unique<testing::BrookdProcess>(
        BROOK_BROOKD, dir_.Sub("brookd"), flags);
    ASSERT_OK(brookd_->Start());
    ConnectOptions options = Options();
    std::string endpoint = brookd_->endpoint();
    if (GetParam() == Wire::kHttp1) {
      options.subscribe_http_version = SubscribeHttpVersion::kHttp1_1;
    }
    if (GetParam() == Wire::kTls) {
      options.ca_file = BROOK_REMOTE_FIXTURES "/ca.pem";
      endpoint = absl::StrCat("https://localhost:", brookd_->port());
    }
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Connect(options, endpoint));
    CreateStreamRequest create;
    create.stream_name = "s";
    create.shard_count = 1;
    ASSERT_OK(broker_->CreateStream(create));
    ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                         broker_->DescribeStreamSummary({"s"}));
    ASSERT_OK_AND_ASSIGN(Consumer consumer, broker_->RegisterStreamConsumer(
                                                {summary.stream_arn, "c"}));
    subscribe_.consumer_arn = consumer.consumer_arn;
    subscribe_.shard_id = "shardId-000000000000";
    subscribe_.starting_position.type = ShardIteratorType::kTrimHorizon;
    PutRecordRequest put;
    put.stream = "s";
    put.partition_key = "k";
    put.data = "first";
    ASSERT_OK(broker_->PutRecord(put).status());
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::BrookdProcess> brookd_;
  std::unique_ptr<Broker> broker_;
  SubscribeToShardRequest subscribe_;
};

TEST_P(BrookdSubscriptionTest, EndsWithOkWhenItsLifetimeIsOver) {
  SubscriptionRecorder recorder;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker_->SubscribeToShard(subscribe_, &recorder));
  EXPECT_OK(recorder.WaitForEnd());
  EXPECT_GE(recorder.events(), 1);
}

TEST_P(BrookdSubscriptionTest, AKilledServerEndsItWithUnavailable) {
  SubscriptionRecorder recorder;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker_->SubscribeToShard(subscribe_, &recorder));
  ASSERT_THAT(recorder.WaitForRecords(1), SizeIs(1));
  brookd_->Kill();
  const absl::Status end = recorder.WaitForEnd();
  EXPECT_THAT(end, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(end.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(end.message(), HasSubstr("reading a stream from "));
}

TEST_P(BrookdSubscriptionTest, AServerShutdownEndsItWithOk) {
  SubscriptionRecorder recorder;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker_->SubscribeToShard(subscribe_, &recorder));
  ASSERT_THAT(recorder.WaitForRecords(1), SizeIs(1));
  brookd_->Stop();
  EXPECT_OK(recorder.WaitForEnd());
}

TEST_P(BrookdSubscriptionTest, CloseEndsLiveSubscriptions) {
  SubscriptionRecorder recorder;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Subscription> subscription,
                       broker_->SubscribeToShard(subscribe_, &recorder));
  ASSERT_THAT(recorder.WaitForRecords(1), SizeIs(1));
  ASSERT_OK(broker_->Close());
  EXPECT_TRUE(recorder.ended());  // Before Close() returned.
  EXPECT_THAT(recorder.WaitForEnd(), HasErrorName(ErrorName::kInternalFailure));
  SubscriptionRecorder late;
  EXPECT_THAT(broker_->SubscribeToShard(subscribe_, &late),
              HasErrorName(ErrorName::kInternalFailure));
}

INSTANTIATE_TEST_SUITE_P(Wires, BrookdSubscriptionTest,
                         ::testing::Values(Wire::kHttp1, Wire::kH2c,
                                           Wire::kTls),
                         WireName);

}  // namespace
}  // namespace brook
