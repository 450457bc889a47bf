// Helper for worker_crash_test: opens the data directory given as argv[1]
// (synced durability) and runs a polling Worker for application "crash" over
// stream "work" until it is killed. Its processor writes one line per event
// to stdout, each in one write(2), so that the parent knows exactly what was
// processed and which checkpoints were acknowledged:
//   "P <shard_id> <sequence_number>"   processed a record
//   "C <shard_id> <sequence_number>"   its checkpoint there returned OK
//   "E <shard_id>"                      the shard's end was checkpointed

#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "brook/worker.h"

namespace {

void Say(const std::string& line) {
  const std::string text = line + "\n";
  if (write(STDOUT_FILENO, text.data(), text.size()) !=
      static_cast<ssize_t>(text.size())) {
    _exit(1);
  }
}

class LoggingProcessor : public brook::RecordProcessor {
 public:
  void Initialize(const brook::InitializationInput& input) override {
    shard_id_ = input.shard_id;
  }
  void ProcessRecords(const brook::ProcessRecordsInput& input,
                      brook::Checkpointer& checkpointer) override {
    for (const brook::Record& record : input.records) {
      Say(absl::StrCat("P ", shard_id_, " ",
                       record.sequence_number.ToString()));
    }
    if (!checkpointer.Checkpoint().ok()) _exit(1);
    Say(absl::StrCat("C ", shard_id_, " ",
                     input.records.back().sequence_number.ToString()));
  }
  void ShardEnded(brook::Checkpointer& checkpointer) override {
    if (!checkpointer.Checkpoint().ok()) _exit(1);
    Say(absl::StrCat("E ", shard_id_));
  }

 private:
  std::string shard_id_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto broker = brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!broker.ok()) return 1;
  brook::WorkerOptions options;
  options.stream = "work";
  options.application_name = "crash";
  options.max_records = 7;  // Small batches: many checkpoints to cut between.
  options.idle_time_between_reads = absl::Milliseconds(10);
  auto worker = brook::Worker::Start(broker->get(), options, [] {
    return std::make_unique<LoggingProcessor>();
  });
  if (!worker.ok()) return 1;
  // Runs until killed; a Worker that stops by itself is a failure.
  (*worker)->WaitUntilStopped(absl::InfiniteDuration());
  return 1;
}
