// -----------------------------------------------------------------------------
// File: brook/worker.h
// -----------------------------------------------------------------------------
//
// A Worker runs an application's record processors over a stream, as the
// Kinesis Client Library does for Kinesis applications: it hands each shard
// to a processor of its own, parents before children (brook/shard_lineage.h),
// starts each shard after its checkpoint (brook/checkpoints.h) or at the
// initial position, retries throttling with backoff, follows iterator
// expiry and fan-out subscription lifetimes, and lets the processor
// checkpoint. Write one RecordProcessor class and get at-least-once
// processing that resumes where it stopped, across restarts and reshards:
//
//   class Printer : public brook::RecordProcessor {
//    public:
//     void ProcessRecords(const brook::ProcessRecordsInput& input,
//                         brook::Checkpointer& checkpointer) override {
//       for (const brook::Record& record : input.records) Print(record);
//       checkpointer.Checkpoint().IgnoreError();  // retried next batch
//     }
//     void ShardEnded(brook::Checkpointer& checkpointer) override {
//       checkpointer.Checkpoint().IgnoreError();
//     }
//   };
//
//   brook::WorkerOptions options;
//   options.stream = "orders";
//   options.application_name = "printer";
//   auto worker = brook::Worker::Start(broker, options,
//                                      [] { return std::make_unique<Printer>();
//                                      });
//   ...
//   (*worker)->Stop();
//
// Records after the last checkpoint may be processed again after a restart
// (at least once); records at or before it never are.
//
// Threads: the Worker owns one coordinating thread and one thread per shard
// it is processing; each processor is called on its shard's thread only,
// one call at a time, and may block (it holds up only its shard).
// Thread safety: Worker is safe for concurrent use by multiple threads.
// Lifetime: `broker` (and WorkerOptions::checkpoint_broker) must outlive the
// Worker; destroying the Worker stops it.

#ifndef BROOK_WORKER_H_
#define BROOK_WORKER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "brook/broker.h"
#include "brook/retry.h"

namespace brook {

struct InitializationInput {
  std::string shard_id;
  // Where processing resumes after: the shard's checkpoint, or nullopt when
  // it starts at WorkerOptions::initial_position.
  absl::optional<SequenceNumber> checkpoint;
};

struct ProcessRecordsInput {
  std::string shard_id;
  // In order; empty only with WorkerOptions::process_empty_batches.
  std::vector<Record> records;
  int64_t millis_behind_latest = 0;
};

// Records a processor's progress. Valid only during the call it is passed
// to.
class Checkpointer {
 public:
  virtual ~Checkpointer() = default;

  // Checkpointer::Checkpoint()
  //
  // Checkpoints the last record handed to ProcessRecords so far; in
  // ShardEnded(), the shard's end, which lets the shard's children start
  // after a restart. Durable when it returns OK. Fails as
  // Broker::PutCheckpoint() of WorkerOptions::checkpoint_broker (or of the
  // Broker read) does: InternalFailure when its disk fails, for instance;
  // the Worker goes on, and the next checkpoint may succeed.
  virtual absl::Status Checkpoint() = 0;

  // Checkpoints at `sequence_number`, a record of this shard already handed
  // out (to checkpoint less than everything processed).
  virtual absl::Status Checkpoint(const SequenceNumber& sequence_number) = 0;
};

// An application's logic for one shard. The Worker calls Initialize() once,
// then ProcessRecords() for each batch, then either ShardEnded() (the shard
// is closed and every record was handed out) or Shutdown() (the Worker is
// stopping), and then destroys it.
class RecordProcessor {
 public:
  virtual ~RecordProcessor() = default;

  virtual void Initialize(const InitializationInput& /*input*/) {}
  virtual void ProcessRecords(const ProcessRecordsInput& input,
                              Checkpointer& checkpointer) = 0;
  // Checkpoint here (Checkpoint() marks the shard's end); a shard whose
  // end is not checkpointed is read again after a restart.
  virtual void ShardEnded(Checkpointer& checkpointer) = 0;
  // The last chance to checkpoint what was processed.
  virtual void Shutdown(Checkpointer& /*checkpointer*/) {}
};

// Makes a processor for each shard the Worker takes on; called on the
// Worker's threads.
using RecordProcessorFactory =
    std::function<std::unique_ptr<RecordProcessor>()>;

enum class ConsumerType {
  // GetRecords polling, sharing the shards' classic read limits.
  kPolling,
  // Enhanced fan-out: the Worker registers the application as a consumer
  // of the stream (if it is not yet) and subscribes to each shard.
  kFanOut,
};

struct WorkerOptions {
  std::string stream;  // Name or ARN.
  // Names the checkpoints, and the fan-out consumer: 1 to 128 characters of
  // [a-zA-Z0-9_.-].
  std::string application_name;
  ConsumerType consumer_type = ConsumerType::kPolling;
  // Where a shard without a checkpoint starts: kTrimHorizon, kLatest or
  // kAtTimestamp (with `initial_timestamp`).
  ShardIteratorType initial_position = ShardIteratorType::kTrimHorizon;
  absl::optional<absl::Time> initial_timestamp;
  // Records per GetRecords call: 1 to 10,000.
  int max_records = 10000;
  // How long a caught-up polling reader waits before reading again.
  absl::Duration idle_time_between_reads = absl::Milliseconds(200);
  // Call ProcessRecords() with no records when a read finds none (at most
  // every `idle_time_between_reads`), so that processors can act on time:
  // roll a file, flush a window (the KCL's
  // callProcessRecordsEvenForEmptyRecordList).
  bool process_empty_batches = false;
  // How often the Worker lists the stream's shards again, besides learning
  // children from the shards it finishes.
  absl::Duration shard_sync_interval = absl::Seconds(10);
  // Backoff for throttled or failed calls; `max_attempts` and `sleep` are
  // not used: the Worker retries until it is stopped.
  RetryOptions backoff;
  // Where the checkpoints are kept. Default: null, in the Broker the Worker
  // reads, beside the stream (a local Broker, or brookd). Set it to a local
  // Broker (Broker::Open) to read a stream that another Broker serves --
  // Amazon Kinesis, which has no checkpoint operations -- and keep the
  // checkpoints on this machine: they are stored under the read Broker's
  // Endpoint(), the stream's ARN and `application_name`
  // (brook/checkpoints.h), so Workers of other endpoints, streams or
  // applications never share them. Must outlive the Worker.
  Broker* checkpoint_broker = nullptr;
};

class Worker {
 public:
  // Worker::Start()
  //
  // Validates `options`, registers the fan-out consumer if needed, and
  // starts processing. Fails with InvalidArgumentException (bad options,
  // no factory, a `checkpoint_broker` while `broker` is itself local),
  // ResourceNotFoundException (no such stream) or as the Broker calls it
  // makes.
  static absl::StatusOr<std::unique_ptr<Worker>> Start(
      Broker* broker, const WorkerOptions& options,
      RecordProcessorFactory factory);

  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  virtual ~Worker() = default;

  // Worker::WaitUntilStopped()
  //
  // Waits up to `timeout` for the Worker to stop, by Stop() or by an error
  // that retrying cannot fix; true if it has.
  virtual bool WaitUntilStopped(absl::Duration timeout) = 0;

  // Worker::Stop()
  //
  // Stops reading, calls Shutdown() on every processor, and joins the
  // threads. Returns the error that stopped a shard, if one did (a deleted
  // stream or consumer); otherwise OK. Idempotent.
  virtual absl::Status Stop() = 0;
};

}  // namespace brook

#endif  // BROOK_WORKER_H_
