// Clickstream analytics, the use case Kinesis is known for: a producer
// simulates visitors clicking through a site for three minutes; a consumer
// (brook::Worker) counts clicks per page over one-minute tumbling windows,
// by the time each click happened, and prints the top pages of each window.
//
//   clickstream_analytics [data-dir]      (default: ./brook-data)

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/worker.h"

namespace {

constexpr char kStream[] = "clickstream";
constexpr int kClicks = 3000;
constexpr absl::Duration kWindow = absl::Minutes(1);
constexpr int kTopPages = 3;
const char* const kPages[] = {
    "/",          "/search", "/product/17", "/cart",       "/checkout",
    "/product/4", "/help",   "/account",    "/product/99", "/pricing"};

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// Three minutes of clicks from 50 visitors, popular pages more often. Each
// record is "<page> <click time in Unix ms>", keyed by visitor so that one
// visitor's clicks stay in order.
absl::Status ProduceClicks(brook::Broker& broker, absl::Time start) {
  std::mt19937 random(7);
  std::discrete_distribution<int> page({30, 20, 12, 10, 8, 6, 5, 4, 3, 2});
  brook::PutRecordsRequest batch;
  batch.stream = kStream;
  for (int i = 0; i < kClicks; ++i) {
    const absl::Time at = start + absl::Minutes(3) * i / kClicks;
    batch.records.push_back(
        {absl::StrCat("visitor-", random() % 50),
         absl::StrCat(kPages[page(random)], " ", absl::ToUnixMillis(at)), ""});
    if (batch.records.size() == 500 || i + 1 == kClicks) {
      auto put = brook::PutRecordsWithRetry(broker, batch);
      if (!put.ok()) return put.status();
      batch.records.clear();
    }
  }
  return absl::OkStatus();
}

// Click counts per window start, per page; shared by the shards'
// processors.
class WindowedCounts {
 public:
  void Add(absl::Time clicked, const std::string& page) {
    const absl::Time window =
        absl::UnixEpoch() + absl::Floor(clicked - absl::UnixEpoch(), kWindow);
    absl::MutexLock lock(&mu_);
    ++counts_[window][page];
    ++total_;
  }
  int total() {
    absl::MutexLock lock(&mu_);
    return total_;
  }
  void PrintTopPages() {
    absl::MutexLock lock(&mu_);
    for (const auto& [window, pages] : counts_) {
      std::vector<std::pair<int, std::string>> ranked;
      for (const auto& [page, count] : pages) ranked.push_back({count, page});
      std::sort(ranked.rbegin(), ranked.rend());
      std::cout << "window "
                << absl::FormatTime("%H:%M", window, absl::UTCTimeZone())
                << ":";
      for (int i = 0; i < kTopPages && i < static_cast<int>(ranked.size());
           ++i) {
        std::cout << "  " << ranked[i].second << " (" << ranked[i].first << ")";
      }
      std::cout << "\n";
    }
  }

 private:
  absl::Mutex mu_;
  std::map<absl::Time, std::map<std::string, int>> counts_ ABSL_GUARDED_BY(mu_);
  int total_ ABSL_GUARDED_BY(mu_) = 0;
};

class ClickCounter : public brook::RecordProcessor {
 public:
  explicit ClickCounter(WindowedCounts* counts) : counts_(counts) {}

  void ProcessRecords(const brook::ProcessRecordsInput& input,
                      brook::Checkpointer& checkpointer) override {
    for (const brook::Record& record : input.records) {
      std::vector<std::string> fields = absl::StrSplit(record.data, ' ');
      int64_t clicked_ms = 0;
      if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &clicked_ms)) {
        continue;  // Not a click: skip it.
      }
      counts_->Add(absl::FromUnixMillis(clicked_ms), fields[0]);
    }
    checkpointer.Checkpoint().IgnoreError();  // Retried with the next batch.
  }
  void ShardEnded(brook::Checkpointer& checkpointer) override {
    checkpointer.Checkpoint().IgnoreError();
  }

 private:
  WindowedCounts* const counts_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  auto broker = brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());

  // A fresh stream each run, so that the windows are this run's.
  brook::DeleteStreamRequest old;
  old.stream = kStream;
  if (absl::Status deleted = (*broker)->DeleteStream(old);
      !deleted.ok() && brook::ErrorNameOf(deleted) !=
                           brook::ErrorName::kResourceNotFoundException) {
    return Fail(deleted);
  }
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 3;
  if (absl::Status s = (*broker)->CreateStream(create); !s.ok()) return Fail(s);
  const absl::Time start = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  if (absl::Status s = ProduceClicks(**broker, start); !s.ok()) return Fail(s);

  WindowedCounts counts;
  brook::WorkerOptions options;
  options.stream = kStream;
  options.application_name = "top-pages";
  auto worker = brook::Worker::Start(broker->get(), options, [&counts] {
    return std::make_unique<ClickCounter>(&counts);
  });
  if (!worker.ok()) return Fail(worker.status());
  while (counts.total() < kClicks &&
         !(*worker)->WaitUntilStopped(absl::Milliseconds(50))) {
  }
  if (absl::Status s = (*worker)->Stop(); !s.ok()) return Fail(s);

  std::cout << counts.total() << " clicks, top " << kTopPages
            << " pages per minute:\n";
  counts.PrintTopPages();
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
