// Two applications consume one stream at once through brook::Worker with
// enhanced fan-out: each registers as a consumer of the stream (the Worker
// does it), gets every record pushed with its own 2 MiB/s per shard, and
// keeps its own checkpoints. Neither slows the other, unlike classic
// consumers, which share each shard's 5 reads and 2 MiB per second.
//
//   fanout_consumer [data-dir]      (default: ./brook-data)

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/worker.h"

namespace {

constexpr char kStream[] = "payments";
constexpr int kPayments = 400;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// Counts what one application saw; one processor per shard shares it.
class Counter : public brook::RecordProcessor {
 public:
  explicit Counter(std::atomic<int>* seen) : seen_(seen) {}

  void ProcessRecords(const brook::ProcessRecordsInput& input,
                      brook::Checkpointer& checkpointer) override {
    *seen_ += static_cast<int>(input.records.size());
    checkpointer.Checkpoint().IgnoreError();  // Retried with the next batch.
  }
  void ShardEnded(brook::Checkpointer& checkpointer) override {
    checkpointer.Checkpoint().IgnoreError();
  }

 private:
  std::atomic<int>* const seen_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  auto broker = brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 2;
  absl::Status created = (*broker)->CreateStream(create);
  if (!created.ok() && brook::ErrorNameOf(created) !=
                           brook::ErrorName::kResourceInUseException) {
    return Fail(created);
  }

  const std::vector<std::string> applications = {"fraud-check", "ledger"};
  std::atomic<int> seen[2] = {0, 0};
  std::vector<std::unique_ptr<brook::Worker>> workers;
  for (size_t app = 0; app < applications.size(); ++app) {
    brook::WorkerOptions options;
    options.stream = kStream;
    options.application_name = applications[app];
    options.consumer_type = brook::ConsumerType::kFanOut;
    // A first run starts at the oldest record (the default); later runs
    // resume after their checkpoints.
    auto worker = brook::Worker::Start(broker->get(), options, [&seen, app] {
      return std::make_unique<Counter>(&seen[app]);
    });
    if (!worker.ok()) return Fail(worker.status());
    workers.push_back(*std::move(worker));
  }

  // Payments arrive while both applications are subscribed.
  for (int i = 0; i < kPayments; ++i) {
    brook::PutRecordRequest put;
    put.stream = kStream;
    put.partition_key = absl::StrCat("account-", i % 13);
    put.data = absl::StrCat("payment ", i);
    auto result = brook::PutRecordWithRetry(**broker, put);
    if (!result.ok()) return Fail(result.status());
  }

  for (size_t app = 0; app < workers.size(); ++app) {
    while (seen[app] < kPayments &&
           !workers[app]->WaitUntilStopped(absl::Milliseconds(50))) {
    }
    if (absl::Status stopped = workers[app]->Stop(); !stopped.ok()) {
      return Fail(stopped);
    }
    std::cout << applications[app] << " received " << seen[app]
              << " payments\n";
  }
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
