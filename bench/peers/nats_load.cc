// NATS JetStream through the NATS C client: each producer publishes its
// batches with js_PublishMsgAsync on its own connection and counts the
// publish acknowledgements in its ack handler. A JetStream server answers
// a publish once the message is in the stream's file store; whether that
// includes an fsync is the server's sync setting (docs/benchmarks.md).

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "nats/nats.h"
#include "peers/peer_load.h"

namespace brook::bench {
namespace {

constexpr char kStream[] = "PEER";
constexpr absl::Duration kAckTimeout = absl::Seconds(30);

absl::Status NatsError(absl::string_view what, natsStatus status) {
  const char* detail = nats_GetLastError(nullptr);
  const std::string text =
      absl::StrCat("nats ", what, ": ", natsStatus_GetText(status),
                   detail != nullptr ? absl::StrCat(" (", detail, ")") : "");
  return status == NATS_NO_SERVER || status == NATS_CONNECTION_CLOSED ||
                 status == NATS_TIMEOUT
             ? absl::UnavailableError(text)
             : absl::InternalError(text);
}

struct ConnectionDeleter {
  void operator()(natsConnection* connection) const {
    natsConnection_Destroy(connection);
  }
};
using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;

struct ContextDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
using JetStream = std::unique_ptr<jsCtx, ContextDeleter>;

struct MsgDeleter {
  void operator()(natsMsg* msg) const { natsMsg_Destroy(msg); }
};

absl::StatusOr<Connection> Connect(const PeerConfig& config) {
  natsConnection* connection = nullptr;
  const std::string url =
      absl::StrCat("nats://", config.host, ":", config.port);
  if (natsStatus s = natsConnection_ConnectTo(&connection, url.c_str());
      s != NATS_OK) {
    return NatsError(url, s);
  }
  return Connection(connection);
}

// One producer's acknowledgements, counted by the connection's delivery
// thread while the producer thread publishes.
class AckCounter {
 public:
  AckCounter(const PeerConfig& config, Progress& progress)
      : config_(config), progress_(progress) {}

  // Blocks until fewer than `inflight` batches are unacknowledged, then
  // notes a batch sent at `sent` of `bytes`.
  absl::Status BeginBatch(absl::Time sent, int64_t bytes) {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &AckCounter::WindowOpen),
                              kAckTimeout)) {
      return absl::DeadlineExceededError("nats: no publish ack in 30 s");
    }
    if (!error_.ok()) return error_;
    batches_.push_back({sent, bytes});
    return absl::OkStatus();
  }

  // Blocks until every batch begun is acknowledged.
  absl::Status Drain() {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &AckCounter::AllAcked),
                              kAckTimeout)) {
      return absl::DeadlineExceededError("nats: no publish ack in 30 s");
    }
    return error_;
  }

  void MergeLatencyInto(LatencyHistogram& total) {
    absl::MutexLock lock(&mu_);
    total.Merge(latency_);
  }

  static void OnAck(jsCtx*, natsMsg* msg, jsPubAck*, jsPubAckErr* error,
                    void* closure) {
    natsMsg_Destroy(msg);
    static_cast<AckCounter*>(closure)->Count(error);
  }

 private:
  struct Batch {
    absl::Time sent;
    int64_t bytes;
  };

  // Acks are counted, not matched to their messages: a batch counts as
  // acknowledged once as many acks as it has records have arrived beyond
  // the batches before it (one server answers one connection's publishes
  // in the order it stored them).
  void Count(const jsPubAckErr* error) {
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    if (error != nullptr && error_.ok()) {
      error_ = absl::InternalError(
          absl::StrCat("nats publish: ", natsStatus_GetText(error->Err), " ",
                       error->ErrText != nullptr ? error->ErrText : ""));
    }
    if (++acks_ < config_.batch || batches_.empty()) return;
    acks_ = 0;
    latency_.Record(now - batches_.front().sent);
    progress_.Add(config_.batch, batches_.front().bytes);
    batches_.pop_front();
  }

  bool WindowOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !error_.ok() || static_cast<int>(batches_.size()) < config_.inflight;
  }
  bool AllAcked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !error_.ok() || batches_.empty();
  }

  const PeerConfig& config_;
  Progress& progress_;
  absl::Mutex mu_;
  LatencyHistogram latency_ ABSL_GUARDED_BY(mu_);
  std::deque<Batch> batches_ ABSL_GUARDED_BY(mu_);
  int acks_ ABSL_GUARDED_BY(mu_) = 0;  // Toward the oldest batch.
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

absl::Status Publish(jsCtx& js, const PeerRecord& record) {
  const std::string subject = absl::StrCat("peer.", record.shard);
  natsMsg* raw = nullptr;
  natsStatus s =
      natsMsg_Create(&raw, subject.c_str(), nullptr, record.data.data(),
                     static_cast<int>(record.data.size()));
  std::unique_ptr<natsMsg, MsgDeleter> msg(raw);
  if (s == NATS_OK) {
    s = natsMsgHeader_Set(msg.get(), "Partition-Key",
                          record.partition_key.c_str());
  }
  if (s == NATS_OK) {
    // Takes the message on success and clears `raw`.
    s = js_PublishMsgAsync(&js, &raw, nullptr);
    if (raw == nullptr) msg.release();
  }
  return s == NATS_OK ? absl::OkStatus() : NatsError("publish", s);
}

absl::Status Produce(const PeerConfig& config, const Payloads& payloads,
                     int producer, const std::atomic<bool>& stop,
                     Progress& progress, LatencyHistogram& latency) {
  absl::StatusOr<Connection> connection = Connect(config);
  if (!connection.ok()) return connection.status();
  AckCounter counter(config, progress);
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.AckHandler = &AckCounter::OnAck;
  options.PublishAsync.AckHandlerClosure = &counter;
  // The window above bounds what is pending; the client's own bound only
  // backs it up.
  options.PublishAsync.MaxPending = int64_t{config.batch} * config.inflight;
  options.PublishAsync.StallWait = absl::ToInt64Milliseconds(kAckTimeout);
  jsCtx* raw = nullptr;
  if (natsStatus s =
          natsConnection_JetStream(&raw, connection->get(), &options);
      s != NATS_OK) {
    return NatsError("JetStream context", s);
  }
  JetStream js(raw);

  absl::Status status;
  for (int64_t next = 0;
       status.ok() && !stop.load(std::memory_order_relaxed);) {
    const absl::Time sent = absl::Now();
    std::vector<PeerRecord> records;
    int64_t bytes = 0;
    for (int i = 0; i < config.batch; ++i, ++next) {
      records.push_back(MakePeerRecord(config, payloads, producer, next, sent));
      bytes += records.back().partition_key.size() + records.back().data.size();
    }
    status = counter.BeginBatch(sent, bytes);
    for (size_t i = 0; status.ok() && i < records.size(); ++i) {
      status = Publish(*js, records[i]);
    }
  }
  const absl::Status drained = counter.Drain();
  // The delivery thread must be done with `counter` before it goes away.
  js.reset();
  connection->reset();
  counter.MergeLatencyInto(latency);
  return status.ok() ? drained : status;
}

absl::Status RecreateStream(jsCtx& js) {
  jsErrCode code = static_cast<jsErrCode>(0);
  // Absent on a fresh server; any other failure shows in js_AddStream.
  js_DeleteStream(&js, kStream, nullptr, &code);
  const char* subjects[] = {"peer.>"};
  jsStreamConfig stream;
  jsStreamConfig_Init(&stream);
  stream.Name = kStream;
  stream.Subjects = subjects;
  stream.SubjectsLen = 1;
  stream.Storage = js_FileStorage;
  stream.Replicas = 1;
  jsStreamInfo* info = nullptr;
  natsStatus s = js_AddStream(&info, &js, &stream, nullptr, &code);
  jsStreamInfo_Destroy(info);
  return s == NATS_OK ? absl::OkStatus()
                      : NatsError(absl::StrCat("add stream (error ",
                                               static_cast<int>(code), ")"),
                                  s);
}

absl::StatusOr<int64_t> StoredMessages(jsCtx& js) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, &js, kStream, nullptr, &code);
  if (s != NATS_OK) return NatsError("stream info", s);
  const int64_t messages = static_cast<int64_t>(info->State.Msgs);
  jsStreamInfo_Destroy(info);
  return messages;
}

}  // namespace

absl::StatusOr<PeerRun> RunNatsLoad(const PeerConfig& config) {
  absl::StatusOr<Connection> admin = Connect(config);
  if (!admin.ok()) return admin.status();
  jsCtx* raw = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw, admin->get(), nullptr);
      s != NATS_OK) {
    return NatsError("JetStream context", s);
  }
  JetStream js(raw);
  if (absl::Status status = RecreateStream(*js); !status.ok()) {
    return status;
  }

  const Payloads payloads(config.record_bytes);
  absl::StatusOr<PeerRun> run = RunProducers(
      config, "nats",
      [&](int producer, const std::atomic<bool>& stop, Progress& progress,
          LatencyHistogram& latency) {
        return Produce(config, payloads, producer, stop, progress, latency);
      });
  if (!run.ok()) return run;
  absl::StatusOr<int64_t> stored = StoredMessages(*js);
  if (!stored.ok()) return stored.status();
  run->records_stored = *stored;
  run->server_version = "nats-server";
  return run;
}

}  // namespace brook::bench
