// The remote Broker's transport against a scripted server: the SDKs'
// standard retries and quota, timeouts, refused connections, keep-alive
// connections the server closed, TLS certificate and host name checks, and
// endpoints that do not serve Brook's own operations.

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "brook/broker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/brookd_process.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ::brook::testing::HasErrorName;
using ::testing::HasSubstr;

constexpr char kListStreams[] =
    R"({"StreamNames":["a"],"HasMoreStreams":false,"StreamSummaries":[]})";

struct Scripted {
  int status = 200;
  std::string body = kListStreams;
  absl::Duration delay = absl::ZeroDuration();
  bool close_after = false;  // Close the connection after answering.
};

// Answers each request with the next scripted answer (200 ListStreams when
// none is left), one connection at a time, on 127.0.0.1 or `address`.
class ScriptedServer {
 public:
  explicit ScriptedServer(bool tls, const std::string& address = "127.0.0.1")
      : tls_(tls),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address(address), 0)) {
    if (tls_) {
      ssl_.use_certificate_chain_file(BROOK_REMOTE_FIXTURES "/server.pem");
      ssl_.use_private_key_file(BROOK_REMOTE_FIXTURES "/server.key",
                                asio::ssl::context::pem);
    }
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    beast::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    wake.close(ignored);
    if (current_ != nullptr)
      current_->shutdown(tcp::socket::shutdown_both, ignored);
    thread_.join();
  }

  void Push(Scripted answer) {
    absl::MutexLock lock(&mu_);
    script_.push_back(std::move(answer));
  }
  std::string endpoint(const std::string& host = "127.0.0.1") const {
    return absl::StrCat(tls_ ? "https://" : "http://", host, ":",
                        acceptor_.local_endpoint().port());
  }
  std::vector<std::string> targets() {
    absl::MutexLock lock(&mu_);
    return targets_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      beast::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) return;
      current_ = &socket;
      if (tls_) {
        beast::ssl_stream<tcp::socket&> stream(socket, ssl_);
        stream.handshake(asio::ssl::stream_base::server, error);
        if (!error) Converse(stream);
      } else {
        Converse(socket);
      }
      current_ = nullptr;
    }
  }

  template <typename Stream>
  void Converse(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code error;
      http::read(stream, buffer, request, error);
      if (error) return;
      Scripted answer;
      {
        absl::MutexLock lock(&mu_);
        targets_.emplace_back(request["X-Amz-Target"]);
        if (!script_.empty()) {
          answer = script_.front();
          script_.pop_front();
        }
      }
      absl::SleepFor(answer.delay);
      http::response<http::string_body> response(
          static_cast<http::status>(answer.status), 11);
      response.set(http::field::content_type, "application/x-amz-json-1.1");
      response.body() = answer.body;
      response.keep_alive(true);
      response.prepare_payload();
      http::write(stream, response, error);
      if (error || answer.close_after) return;
    }
  }

  const bool tls_;
  asio::io_context io_;
  asio::ssl::context ssl_{asio::ssl::context::tls_server};
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  tcp::socket* current_ = nullptr;
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<Scripted> script_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> targets_ ABSL_GUARDED_BY(mu_);
};

ConnectOptions Options() {
  ConnectOptions options = testing::TestConnectOptions();
  options.connect_timeout = absl::Seconds(2);
  options.request_timeout = absl::Seconds(2);
  return options;
}

// Options whose pauses are recorded instead of slept.
ConnectOptions Recording(std::vector<absl::Duration>* pauses) {
  ConnectOptions options = Options();
  options.sleep = [pauses](absl::Duration d) { pauses->push_back(d); };
  return options;
}

absl::StatusOr<ListStreamsResult> List(Broker& broker) {
  return broker.ListStreams(ListStreamsRequest());
}

TEST(RemoteTransportTest, ThrottlingAndServerErrorsAreRetried) {
  ScriptedServer server(false);
  server.Push({400, R"({"__type":"ProvisionedThroughputExceededException"})"});
  server.Push({503, ""});
  std::vector<absl::Duration> pauses;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(Recording(&pauses), server.endpoint()));
  ASSERT_OK_AND_ASSIGN(ListStreamsResult result, List(*broker));
  EXPECT_THAT(result.stream_names, ::testing::ElementsAre("a"));
  EXPECT_EQ(server.targets().size(), 3u);
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_LE(pauses[0], absl::Seconds(1));  // Full jitter under 1 s...
  EXPECT_LE(pauses[1], absl::Seconds(2));  // ...then under 2 s.
}

TEST(RemoteTransportTest, GivesUpAfterMaxAttempts) {
  ScriptedServer server(false);
  for (int i = 0; i < 3; ++i) {
    server.Push({500, R"({"__type":"InternalFailure","message":"boom"})"});
  }
  std::vector<absl::Duration> pauses;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(Recording(&pauses), server.endpoint()));
  EXPECT_THAT(List(*broker), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(server.targets().size(), 3u);
}

TEST(RemoteTransportTest, ClientErrorsAreNotRetried) {
  ScriptedServer server(false);
  server.Push(
      {400, R"({"__type":"ResourceNotFoundException","message":"no"})"});
  std::vector<absl::Duration> pauses;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(Recording(&pauses), server.endpoint()));
  EXPECT_THAT(broker->DescribeStreamSummary({"s"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_EQ(server.targets().size(), 1u);
  EXPECT_TRUE(pauses.empty());
}

TEST(RemoteTransportTest, TheRetryQuotaStopsRetrying) {
  ScriptedServer server(false);
  for (int i = 0; i < 3; ++i) {
    server.Push({400, R"({"__type":"ThrottlingException"})"});
  }
  std::vector<absl::Duration> pauses;
  ConnectOptions options = Recording(&pauses);
  options.retry_quota = 5;  // One retry's worth.
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint()));
  EXPECT_THAT(List(*broker), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(server.targets().size(), 2u);
}

TEST(RemoteTransportTest, ASilentServerTimesOut) {
  ScriptedServer server(false);
  server.Push({200, kListStreams, absl::Seconds(2)});
  ConnectOptions options = Options();
  options.request_timeout = absl::Milliseconds(200);
  options.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint()));
  const absl::Time start = absl::Now();
  absl::StatusOr<ListStreamsResult> result = List(*broker);
  EXPECT_THAT(result, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("timed out"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(RemoteTransportTest, ARefusedConnectionNamesTheEndpoint) {
  std::string endpoint;
  {
    ScriptedServer gone(false);
    endpoint = gone.endpoint();
  }
  ConnectOptions options = Options();
  options.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Connect(options, endpoint));
  absl::StatusOr<ListStreamsResult> result = List(*broker);
  EXPECT_THAT(result, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(endpoint));
}

TEST(RemoteTransportTest, WriteState_IsTheEndpointsHealth) {
  ScriptedServer server(false);
  server.Push({503, "stopped_no_space: writing the log: no space left\n"});
  server.Push({503, "stopped: syncing the log: EIO\n"});
  // An endpoint without brookd's /health (Kinesis answers 404 or 403).
  server.Push({404, "{}"});
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(Options(), server.endpoint()));

  WriteState state = broker->GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStoppedNoSpace);
  EXPECT_EQ(state.reason.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(state.reason.message(), "writing the log: no space left");
  state = broker->GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStopped);
  EXPECT_EQ(state.reason.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(state.reason, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_EQ(broker->GetWriteState().status, WriteStatus::kAccepting);
}

TEST(RemoteTransportTest, WriteState_OfAnUnreachableEndpointIsStopped) {
  std::string endpoint;
  {
    ScriptedServer gone(false);
    endpoint = gone.endpoint();
  }
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Connect(Options(), endpoint));
  const WriteState state = broker->GetWriteState();
  EXPECT_EQ(state.status, WriteStatus::kStopped);
  EXPECT_EQ(state.reason.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(state.reason.message()), HasSubstr(endpoint));
}

TEST(RemoteTransportTest, AKeepAliveConnectionTheServerClosedIsReplaced) {
  ScriptedServer server(false);
  server.Push({200, kListStreams, absl::ZeroDuration(), /*close_after=*/true});
  ConnectOptions options = Options();
  options.max_attempts = 1;  // The resend is not a retry.
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint()));
  EXPECT_OK(List(*broker));
  EXPECT_OK(List(*broker));
  EXPECT_EQ(server.targets().size(), 2u);
}

TEST(RemoteTransportTest, TlsVerifiesTheServerAgainstTheGivenCa) {
  ScriptedServer server(true);
  ConnectOptions options = Options();
  options.ca_file = BROOK_REMOTE_FIXTURES "/ca.pem";
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint("localhost")));
  EXPECT_OK(List(*broker));
}

TEST(RemoteTransportTest, TlsRefusesACertificateOfAnotherCa) {
  ScriptedServer server(true);
  ConnectOptions options = Options();
  options.ca_file = BROOK_REMOTE_FIXTURES "/other_ca.pem";
  options.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint()));
  absl::StatusOr<ListStreamsResult> result = List(*broker);
  EXPECT_THAT(result, HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("certificate"));
  EXPECT_TRUE(server.targets().empty());
  // Switching verification off is explicit.
  options.verify_tls = false;
  ASSERT_OK_AND_ASSIGN(broker, Broker::Connect(options, server.endpoint()));
  EXPECT_OK(List(*broker));
}

TEST(RemoteTransportTest, TlsRefusesAWrongHostName) {
  // The certificate names localhost and 127.0.0.1, not 127.0.0.2.
  ScriptedServer server(true, "127.0.0.2");
  ConnectOptions options = Options();
  options.ca_file = BROOK_REMOTE_FIXTURES "/ca.pem";
  options.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint("127.0.0.2")));
  EXPECT_THAT(List(*broker), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_TRUE(server.targets().empty());
}

TEST(RemoteTransportTest, AnEndpointWithoutBrookOperationsRefusesThemClearly) {
  ScriptedServer server(false);
  server.Push({400, R"({"__type":"UnknownOperationException"})"});
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(Options(), server.endpoint()));
  const absl::Status put = broker->PutCheckpoint(
      {"s", "app", "shardId-000000000000", SequenceNumber(1), 0, false});
  EXPECT_THAT(put, HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(std::string(put.message()), HasSubstr(server.endpoint()));
  // Remembered: the next one is refused without asking again.
  EXPECT_THAT(broker->GetShardMetrics({"s"}),
              HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(broker->GetBrokerMetrics(),
              HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(server.targets(),
              ::testing::ElementsAre("Brook_20261201.PutCheckpoint"));
}

// AWS refuses a target it cannot name with AccessDeniedException (as
// Amazon Kinesis and kinesis-mock answer Brook's targets); CreateStream
// then goes to the Kinesis target.
TEST(RemoteTransportTest, AnAwsRefusalOfTheBrookTargetMeansNoBrookOperations) {
  ScriptedServer server(false);
  server.Push({400, R"({"__type":"AccessDeniedException","message":"Unable to )"
                    R"(determine service/operation name to be authorized"})"});
  server.Push({200, "{}"});
  ConnectOptions options = Options();
  options.wait_timeout = absl::ZeroDuration();
  ASSERT_OK_AND_ASSIGN(auto broker,
                       Broker::Connect(options, server.endpoint()));
  CreateStreamRequest create;
  create.stream_name = "s";
  create.shard_count = 1;
  EXPECT_OK(broker->CreateStream(create));
  EXPECT_THAT(broker->PutCheckpoint({"s", "app", "shardId-000000000000",
                                     SequenceNumber(1), 0, false}),
              HasErrorName(ErrorName::kUnknownOperationException));
  EXPECT_THAT(server.targets(),
              ::testing::ElementsAre("Brook_20261201.CreateStream",
                                     "Kinesis_20131202.CreateStream"));
}

TEST(RemoteTransportTest, ConnectRefusesBadOptionsAndEndpoints) {
  ConnectOptions options = Options();
  options.max_attempts = 0;
  EXPECT_THAT(Broker::Connect(options, "http://127.0.0.1:1"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Broker::Connect(Options(), "http://127.0.0.1:1/path"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Broker::Connect(Options(), "http://host:99999"),
              HasErrorName(ErrorName::kInvalidArgumentException));
  options = Options();
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(Broker::Connect(options, "https://localhost:1"),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook
