// Helper for crash_recovery_test: opens the data directory given as argv[1]
// with the default (synced) durability, and puts records to stream "crash"
// from four threads until it is killed. After each acknowledgement it writes
// "<shard_id> <sequence_number> <data>\n" to stdout in one write(2), so the
// parent knows exactly which puts were acknowledged.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/broker.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  absl::StatusOr<std::unique_ptr<brook::Broker>> broker =
      brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!broker.ok()) {
    std::fprintf(stderr, "%s\n", broker.status().ToString().c_str());
    return 1;
  }
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        brook::PutRecordRequest request;
        request.stream = "crash";
        request.partition_key = absl::StrCat("key-", i % 16);
        request.data = absl::StrCat("t", t, "-", i);
        absl::StatusOr<brook::PutRecordResult> result =
            (*broker)->PutRecord(request);
        if (!result.ok()) _exit(1);
        const std::string line = absl::StrCat(
            result->shard_id, " ", result->sequence_number.ToString(), " ",
            request.data, "\n");
        if (write(STDOUT_FILENO, line.data(), line.size()) !=
            static_cast<ssize_t>(line.size())) {
          _exit(1);
        }
      }
    });
  }
  for (std::thread& producer : producers) producer.join();
  return 0;
}
