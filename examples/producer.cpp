// A producer: batches records with PutRecords (up to 500 per call), retries
// throttled records with backoff, and prints a progress line with its rate.
// The stream keeps Kinesis' default limits, so a fast producer meets real
// throttling: 1,000 records/s and 1 MiB/s per shard.
//
//   producer [data-dir] [records]      (defaults: ./brook-data, 5000)

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"

namespace {

constexpr char kStream[] = "events";
constexpr int kShards = 4;
constexpr int kBatch = 500;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// One batch of records, numbered from `first`, spread over 100 devices.
brook::PutRecordsRequest Batch(int first, int count) {
  brook::PutRecordsRequest request;
  request.stream = kStream;
  for (int i = first; i < first + count; ++i) {
    request.records.push_back(
        {absl::StrCat("device-", i % 100),
         absl::StrFormat(R"({"reading":%d,"value":%.2f})", i, (i % 97) * 0.5),
         ""});
  }
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  const int total = argc > 2 ? std::atoi(argv[2]) : 5000;
  auto broker = brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());

  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = kShards;
  absl::Status created = (*broker)->CreateStream(create);
  if (!created.ok() && brook::ErrorNameOf(created) !=
                           brook::ErrorName::kResourceInUseException) {
    return Fail(created);
  }

  // Throttled records are sent again after a backoff; give up on a record
  // only after many attempts.
  brook::RetryOptions retry;
  retry.max_attempts = 20;
  const absl::Time start = absl::Now();
  int sent = 0;
  while (sent < total) {
    const int count = std::min(kBatch, total - sent);
    absl::StatusOr<brook::PutRecordsResult> result =
        brook::PutRecordsWithRetry(**broker, Batch(sent, count), retry);
    if (!result.ok()) return Fail(result.status());
    if (result->failed_record_count > 0) {
      for (const brook::PutRecordsResultEntry& entry : result->records) {
        if (!entry.status.ok()) return Fail(entry.status);
      }
    }
    sent += count;
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    std::cout << absl::StrFormat("sent %d records, %.0f records/s\n", sent,
                                 sent / std::max(seconds, 1e-3));
  }

  auto metrics = (*broker)->GetShardMetrics({kStream});
  if (!metrics.ok()) return Fail(metrics.status());
  int64_t throttled = 0;
  for (const brook::ShardMetrics& shard : metrics->shards) {
    throttled += shard.write_provisioned_throughput_exceeded;
  }
  std::cout << "done; the shards' write limits throttled " << throttled
            << " records, each sent again\n";
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
