// An edge process for the crash test: a producer puts to a local stream
// while a mirror forwards it to an endpoint and prints how far it got,
// until the process is killed ("run"); or only the mirror, until it has
// caught up ("finish").
//
// Usage: mirror_child DATA_DIR ENDPOINT STREAM run|finish

#include <unistd.h>

#include <iostream>
#include <string>

#include "absl/time/clock.h"
#include "brook/broker.h"
#include "brook/stream_mirror.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: mirror_child DATA_DIR ENDPOINT STREAM run|finish\n";
    return 2;
  }
  const std::string mode = argv[4];
  auto local = brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!local.ok()) {
    std::cerr << local.status() << "\n";
    return 1;
  }
  brook::ConnectOptions connect;
  connect.access_key_id = "AKIDTEST";
  connect.secret_access_key = "secret";
  connect.backoff_base = absl::Milliseconds(10);
  connect.wait_poll_interval = absl::Milliseconds(10);
  auto remote = brook::Broker::Connect(connect, argv[2]);
  if (!remote.ok()) {
    std::cerr << remote.status() << "\n";
    return 1;
  }
  brook::StreamMirrorOptions options;
  options.source_stream = argv[3];
  options.max_batch_records = 100;  // More checkpoints, more places to die.
  options.idle_time_between_reads = absl::Milliseconds(20);
  options.backoff.initial_backoff = absl::Milliseconds(20);
  auto mirror =
      brook::StreamMirror::Start(local->get(), remote->get(), options);
  if (!mirror.ok()) {
    std::cerr << mirror.status() << "\n";
    return 1;
  }
  if (mode == "finish") {
    const bool caught_up = (*mirror)->WaitUntilCaughtUp(absl::Seconds(120));
    std::cout << (caught_up ? "caught-up" : "behind") << std::endl;
    return (*mirror)->Stop().ok() && caught_up ? 0 : 1;
  }
  // Records are named "<key>/<pid>-<n>/" so that each is unique across
  // runs; a put acknowledged here is durable (the default kSync).
  const std::string run = std::to_string(getpid());
  for (int n = 0;;) {
    brook::PutRecordsRequest put;
    put.stream = argv[3];
    for (int i = 0; i < 100; ++i, ++n) {
      const std::string key = "device-" + std::to_string(n % 50);
      put.records.push_back(
          {key, key + "/" + run + "-" + std::to_string(n) + "/", ""});
    }
    if (!(*local)->PutRecords(put).ok()) return 1;
    std::cout << "forwarded " << (*mirror)->metrics().records_forwarded
              << std::endl;
    absl::SleepFor(absl::Milliseconds(10));
  }
}
