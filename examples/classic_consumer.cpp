// A classic (polling) consumer built on brook::Worker: it totals orders per
// customer. The Worker hands each shard to a processor (parents before
// children), polls it with GetRecords, and resumes after the checkpoints
// the processors write, so running this again processes only new orders.
//
//   classic_consumer [data-dir]      (default: ./brook-data)

#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/worker.h"

namespace {

constexpr char kStream[] = "orders";
constexpr int kOrders = 600;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// Totals shared by the processors, which run on the Worker's threads.
struct Totals {
  absl::Mutex mu;
  std::map<std::string, int64_t> cents_by_customer ABSL_GUARDED_BY(mu);
  int orders ABSL_GUARDED_BY(mu) = 0;
};

// One per shard. Adds up the shard's orders and checkpoints after each
// batch: a restart processes again at most the batch it was in.
class OrderTotaler : public brook::RecordProcessor {
 public:
  explicit OrderTotaler(Totals* totals) : totals_(totals) {}

  void ProcessRecords(const brook::ProcessRecordsInput& input,
                      brook::Checkpointer& checkpointer) override {
    {
      absl::MutexLock lock(&totals_->mu);
      for (const brook::Record& record : input.records) {
        int64_t cents = 0;
        if (absl::SimpleAtoi(record.data, &cents)) {
          totals_->cents_by_customer[record.partition_key] += cents;
        }
        ++totals_->orders;
      }
    }
    if (absl::Status s = checkpointer.Checkpoint(); !s.ok()) {
      std::cerr << "checkpoint failed (retried next batch): " << s << "\n";
    }
  }

  void ShardEnded(brook::Checkpointer& checkpointer) override {
    // Lets the shard's children start after a restart.
    checkpointer.Checkpoint().IgnoreError();
  }

 private:
  Totals* const totals_;
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

  // New orders for this run: amounts in cents, keyed by customer.
  brook::PutRecordsRequest orders;
  orders.stream = kStream;
  for (int i = 0; i < kOrders; ++i) {
    orders.records.push_back(
        {absl::StrCat("customer-", i % 7), absl::StrCat(100 + i % 900), ""});
    if (orders.records.size() == 500 || i + 1 == kOrders) {
      auto put = brook::PutRecordsWithRetry(**broker, orders);
      if (!put.ok()) return Fail(put.status());
      orders.records.clear();
    }
  }

  Totals totals;
  brook::WorkerOptions options;
  options.stream = kStream;
  options.application_name = "order-totals";
  options.consumer_type = brook::ConsumerType::kPolling;
  auto worker = brook::Worker::Start(broker->get(), options, [&totals] {
    return std::make_unique<OrderTotaler>(&totals);
  });
  if (!worker.ok()) return Fail(worker.status());

  // Runs until this run's orders are processed; a service would run until
  // told to stop.
  for (;;) {
    if ((*worker)->WaitUntilStopped(absl::Milliseconds(50))) break;
    absl::MutexLock lock(&totals.mu);
    if (totals.orders >= kOrders) break;
  }
  if (absl::Status stopped = (*worker)->Stop(); !stopped.ok()) {
    return Fail(stopped);
  }
  absl::MutexLock lock(&totals.mu);
  std::cout << "processed " << totals.orders << " new orders\n";
  for (const auto& [customer, cents] : totals.cents_by_customer) {
    std::cout << "  " << customer << ": " << cents / 100 << "."
              << (cents % 100 < 10 ? "0" : "") << cents % 100 << "\n";
  }
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
