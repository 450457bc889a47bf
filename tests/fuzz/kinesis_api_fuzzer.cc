// Fuzzes brookd's request handling against a real Broker, three ways. The
// first input byte picks the operation and the way (byte / 32 % 3):
//   - a JSON body, through the request path (ApiExchange) as HTTP/1.1 and
//     HTTP/2 hand it over;
//   - a CBOR body, the same way (the CBOR decoder, then the operation);
//   - HTTP/2 frames: the rest of the input follows the connection preface
//     on a connection to an in-process server (nghttp2 and brookd's
//     HTTP/2 connection), whose answer is read until it closes.
// Any crash, leak or sanitizer report is a bug; errors are expected
// answers.

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "brook/broker.h"
#include "server/api_exchange.h"
#include "server/http2_connection.h"
#include "server/http_server.h"
#include "server/kinesis_api.h"

namespace {

constexpr const char* kOperations[] = {"CreateStream",
                                       "DeleteStream",
                                       "DescribeStream",
                                       "DescribeStreamSummary",
                                       "ListStreams",
                                       "ListShards",
                                       "PutRecord",
                                       "PutRecords",
                                       "GetShardIterator",
                                       "GetRecords",
                                       "SplitShard",
                                       "MergeShards",
                                       "UpdateShardCount",
                                       "AddTagsToStream",
                                       "RemoveTagsFromStream",
                                       "ListTagsForStream",
                                       "RegisterStreamConsumer",
                                       "ListStreamConsumers",
                                       "DescribeStreamConsumer",
                                       "IncreaseStreamRetentionPeriod",
                                       "Unknown"};

struct Fixture {
  brook::Broker* broker;
  brook::KinesisApi* api;
  brook::ApiExchange* exchange;
  brook::HttpServer* server;
};

// One Broker and server for the whole run, with a stream for requests to
// find.
Fixture& Get() {
  static Fixture* fixture = [] {
    const std::string dir = (std::filesystem::temp_directory_path() /
                             ("brook-fuzz-" + std::to_string(getpid())))
                                .string();
    brook::BrokerOptions options;
    options.durability = brook::Durability::kNoWal;
    auto broker = brook::Broker::Open(options, dir);
    if (!broker.ok()) std::abort();
    brook::CreateStreamRequest create;
    create.stream_name = "s";
    create.shard_count = 2;
    create.options.limits = brook::StreamLimits::Unlimited();
    if (!(*broker)->CreateStream(create).ok()) std::abort();
    auto* f = new Fixture;
    f->broker = broker->release();
    f->api = new brook::KinesisApi(f->broker);
    f->exchange = new brook::ApiExchange(f->api, f->broker, {});
    brook::HttpServerOptions server_options;
    server_options.port = 0;
    server_options.io_threads = 1;
    server_options.handler_threads = 2;
    server_options.header_timeout = absl::Milliseconds(200);
    server_options.write_timeout = absl::Milliseconds(200);
    f->server = new brook::HttpServer(f->api, f->broker, server_options);
    if (!f->server->Start().ok()) std::abort();
    return f;
  }();
  return *fixture;
}

brook::RequestHead HeadFor(const char* operation, bool cbor) {
  brook::RequestHead head;
  head.method = "POST";
  head.target = "/";
  head.headers = {
      {"x-amz-target", std::string("Kinesis_20131202.") + operation},
      {"content-type",
       cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1"}};
  return head;
}

// Sends the HTTP/2 preface and `frames` on a new connection, and reads
// until the server closes it (it does once the client has finished).
void SendHttp2(uint16_t port, const std::string& frames) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    std::string bytes(brook::kHttp2Preface);
    bytes += frames;
    (void)!write(fd, bytes.data(), bytes.size());
    shutdown(fd, SHUT_WR);
    char buffer[4096];
    while (read(fd, buffer, sizeof(buffer)) > 0) {
    }
  }
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Fixture& fixture = Get();
  const char* operation =
      kOperations[data[0] % (sizeof(kOperations) / sizeof(kOperations[0]))];
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] / 32 % 3) {
    case 0:
    case 1:
      fixture.exchange->Call(HeadFor(operation, data[0] / 32 % 3 == 1), rest);
      break;
    case 2:
      SendHttp2(fixture.server->port(), rest);
      break;
  }
  return 0;
}
