// Disk use under a steady produce load once the retention window is full:
// writes for a simulated week on a manual clock with the shortest window
// (24 h), running a retention pass every simulated hour, and prints bytes
// written and bytes on disk per simulated day as a Markdown table.
//
//   retention_bench [MiB per simulated hour, default 8]

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/broker_impl.h"
#include "brook/broker.h"
#include "tool/disk_usage.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int mib_per_hour = argc > 1 ? std::atoi(argv[1]) : 8;
  const std::string dir = (std::filesystem::temp_directory_path() /
                           absl::StrCat("brook-retention-bench-", getpid()))
                              .string();
  brook::ManualClock clock;
  brook::BrokerOptions options;
  options.clock = &clock;
  options.durability = brook::Durability::kNoSync;
  auto broker = brook::Broker::Open(options, dir);
  if (!broker.ok()) return Fail(broker.status());
  brook::CreateStreamRequest create;
  create.stream_name = "steady";
  create.shard_count = 4;
  create.options.limits = brook::StreamLimits::Unlimited();
  if (absl::Status s = (*broker)->CreateStream(create); !s.ok()) return Fail(s);
  auto& impl = static_cast<brook::BrokerImpl&>(**broker);

  brook::PutRecordsRequest batch;
  batch.stream = "steady";
  for (int i = 0; i < 500; ++i) {
    batch.records.push_back(
        {absl::StrCat("key-", i), std::string(1024, static_cast<char>(i)), ""});
  }
  const int64_t batch_bytes = 500 * 1024;
  const int batches_per_hour = mib_per_hour * (1 << 20) / batch_bytes;

  std::printf("| Simulated day | Written (MiB) | On disk (MiB) |\n");
  std::printf("| --- | --- | --- |\n");
  int64_t written = 0;
  for (int hour = 1; hour <= 7 * 24; ++hour) {
    for (int b = 0; b < batches_per_hour; ++b) {
      auto result = (*broker)->PutRecords(batch);
      if (!result.ok()) return Fail(result.status());
      written += batch_bytes;
    }
    clock.Advance(absl::Hours(1));
    if (absl::Status s = impl.TEST_TrimNow().status(); !s.ok()) return Fail(s);
    if (hour % 24 == 0) {
      std::printf("| %d | %lld | %lld |\n", hour / 24,
                  static_cast<long long>(written >> 20),
                  static_cast<long long>(brook::bench::BytesUnder(dir) >> 20));
      std::fflush(stdout);
    }
  }
  if (absl::Status s = (*broker)->Close(); !s.ok()) return Fail(s);
  std::filesystem::remove_all(dir);
  return 0;
}
