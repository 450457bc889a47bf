#include "tool/workloads.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "brook/broker.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "tool/disk_usage.h"
#include "tool/load.h"

namespace brook::bench {
namespace {

absl::Status FromRocksDb(const rocksdb::Status& status) {
  return status.ok() ? absl::OkStatus()
                     : absl::InternalError(status.ToString());
}

absl::StatusOr<std::unique_ptr<Broker>> OpenBroker(const Config& config,
                                                   const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      Broker::Open(BenchBrokerOptions(config), dir);
  if (!broker.ok()) return broker.status();
  if (absl::Status status = CreateBenchStream(config, **broker); !status.ok()) {
    return status;
  }
  return broker;
}

// Keeps at most `limit` asynchronous puts of one producer in flight.
class InflightWindow {
 public:
  explicit InflightWindow(int limit) : limit_(limit) {}
  void Acquire() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](InflightWindow* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return w->in_flight_ < w->limit_;
        },
        this));
    ++in_flight_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
  void Drain() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](InflightWindow* w)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return w->in_flight_ == 0; },
        this));
  }

 private:
  const int limit_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

struct ProducerState {
  absl::Mutex mu;
  LatencyHistogram latency ABSL_GUARDED_BY(mu);
  std::atomic<bool> failed{false};
  std::string error ABSL_GUARDED_BY(mu);
};

// Puts until `stop`; with a target rate, only the puts due before the run
// ends at `run_start` + the duration: one due later would be sent after
// the count of records was taken, yet add its latency.
void Produce(const Config& config, Broker& broker, const Payloads& payloads,
             int producer, absl::Time run_start, std::atomic<bool>& stop,
             Progress& progress, ProducerState& state) {
  InflightWindow window(config.async ? config.inflight : 1);
  int64_t next = int64_t{producer} << 40;
  // With a target rate, put i of this producer is due at start + i * gap,
  // and the producers take turns: each starts `gap / producers` after the
  // one before, so that the broker sees one put every gap / producers
  // rather than all producers' puts at the same instants.
  const absl::Duration gap =
      config.rate > 0 ? absl::Seconds(1) * config.batch * config.producers /
                            static_cast<double>(config.rate)
                      : absl::ZeroDuration();
  const absl::Time start = run_start + gap * producer / config.producers;
  const absl::Time end = run_start + config.duration;
  for (int64_t put = 0; !stop.load(std::memory_order_relaxed); ++put) {
    if (config.rate > 0 && start + gap * put >= end) break;
    // Built before the put is due, so that its latency is the broker's,
    // not the time spent making records; stamped when sent.
    PutRecordsRequest request;
    request.stream = kBenchStream;
    int64_t bytes = 0;
    for (int i = 0; i < config.batch; ++i, ++next) {
      std::string key = PartitionKey(next, config.partition_keys);
      bytes += static_cast<int64_t>(key.size()) + config.record_bytes;
      request.records.push_back(
          {std::move(key), payloads.Make(next, absl::UnixEpoch()), ""});
    }
    if (config.rate > 0) absl::SleepFor(start + gap * put - absl::Now());
    const absl::Time sent = absl::Now();
    for (PutRecordsRequestEntry& record : request.records) {
      Stamp(sent, record.data);
    }
    auto done = [&, sent, bytes](absl::StatusOr<PutRecordsResult> result) {
      const absl::Duration latency = absl::Now() - sent;
      {
        absl::MutexLock lock(&state.mu);
        state.latency.Record(latency);
        if (!result.ok() || result->failed_record_count > 0) {
          state.failed = true;
          state.error =
              result.ok() ? "a record was refused" : result.status().ToString();
        }
      }
      if (result.ok()) {
        progress.Add(config.batch - result->failed_record_count, bytes);
      }
      window.Release();
    };
    window.Acquire();
    if (config.async) {
      broker.PutRecordsAsync(std::move(request), std::move(done));
    } else {
      done(broker.PutRecords(request));
    }
  }
  window.Drain();
}

void ConsumeShard(Broker& broker, int shard, std::atomic<bool>& stop,
                  LatencyHistogram& latency) {
  GetShardIteratorRequest start;
  start.stream = kBenchStream;
  start.shard_id = absl::StrFormat("shardId-%012d", shard);
  start.shard_iterator_type = ShardIteratorType::kLatest;
  absl::StatusOr<GetShardIteratorResult> iterator =
      broker.GetShardIterator(start);
  if (!iterator.ok()) return;
  GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  while (!stop.load(std::memory_order_relaxed)) {
    absl::StatusOr<GetRecordsResult> page = broker.GetRecords(get);
    if (!page.ok()) {
      absl::SleepFor(absl::Milliseconds(1));
      continue;
    }
    const absl::Time now = absl::Now();
    for (const Record& record : page->records) {
      latency.Record(now - StampOf(record.data));
    }
    get.shard_iterator = page->next_shard_iterator;
    if (page->records.empty()) absl::SleepFor(absl::Milliseconds(1));
  }
}

}  // namespace

// Records each pushed record's end-to-end latency; one serves every
// subscription of a FanOutLatency, on whichever fan-out thread calls.
class LatencyHandler : public SubscriptionHandler {
 public:
  Demand OnEvent(const SubscribeToShardEvent& event) override {
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    for (const Record& record : event.records) {
      latency_.Record(now - StampOf(record.data));
    }
    return Demand::kMore;
  }
  void OnEnd(const absl::Status&) override {}
  LatencyHistogram latency() {
    absl::MutexLock lock(&mu_);
    return latency_;
  }

 private:
  absl::Mutex mu_;
  LatencyHistogram latency_ ABSL_GUARDED_BY(mu_);
};

FanOutLatency::FanOutLatency() : handler_(std::make_unique<LatencyHandler>()) {}

FanOutLatency::~FanOutLatency() = default;

absl::StatusOr<std::unique_ptr<FanOutLatency>> FanOutLatency::Subscribe(
    const Config& config, Broker& broker, int count) {
  RegisterStreamConsumerRequest registration;
  registration.stream = kBenchStream;
  registration.consumer_name = "bench";
  absl::StatusOr<Consumer> consumer =
      broker.RegisterStreamConsumer(registration);
  if (!consumer.ok()) return consumer.status();
  std::unique_ptr<FanOutLatency> fan_out(new FanOutLatency());
  for (int s = 0; s < count; ++s) {
    SubscribeToShardRequest request;
    request.consumer_arn = consumer->consumer_arn;
    request.shard_id =
        absl::StrFormat("shardId-%012d", int64_t{s} * config.shards / count);
    request.starting_position.type = ShardIteratorType::kLatest;
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        broker.SubscribeToShard(request, fan_out->handler_.get());
    if (!subscription.ok()) return subscription.status();
    fan_out->subscriptions_.push_back(*std::move(subscription));
  }
  return fan_out;
}

LatencyHistogram FanOutLatency::Finish() {
  subscriptions_.clear();
  return handler_->latency();
}

double Throughput::records_per_second() const {
  return records / absl::ToDoubleSeconds(elapsed);
}

double Throughput::megabytes_per_second() const {
  return bytes / absl::ToDoubleSeconds(elapsed) / 1e6;
}

BrokerOptions BenchBrokerOptions(const Config& config) {
  BrokerOptions options;
  options.durability = config.durability;
  options.max_shards = std::max(options.max_shards, config.shards);
  if (config.commit_group_bytes > 0) {
    options.max_commit_group_bytes = config.commit_group_bytes;
  }
  if (config.pending_write_bytes > 0) {
    options.max_pending_write_bytes = config.pending_write_bytes;
  }
  return options;
}

absl::Status CreateBenchStream(const Config& config, Broker& broker) {
  CreateStreamRequest create;
  create.stream_name = kBenchStream;
  create.shard_count = config.shards;
  create.options.limits =
      config.unlimited ? StreamLimits::Unlimited() : StreamLimits();
  if (absl::Status status = broker.CreateStream(create); !status.ok()) {
    return status;
  }
  if (!config.encrypt) return absl::OkStatus();
  // Under the service key, kept beside the data directory by default.
  StreamEncryptionRequest encrypt;
  encrypt.stream = kBenchStream;
  encrypt.key_id = "alias/aws/kinesis";
  return broker.StartStreamEncryption(encrypt);
}

absl::StatusOr<BrookRun> DriveProduce(const Config& config, Broker& broker,
                                      FanOutLatency* fan_out) {
  const Payloads payloads(config.record_bytes);
  std::atomic<bool> stop{false};
  Progress progress;
  std::vector<ProducerState> states(config.producers);
  std::vector<LatencyHistogram> consumer_latency(
      config.consumer == "classic" ? config.shards : 0);
  std::vector<std::thread> consumers;
  for (int s = 0; s < static_cast<int>(consumer_latency.size()); ++s) {
    consumers.emplace_back(
        [&, s] { ConsumeShard(broker, s, stop, consumer_latency[s]); });
  }
  const int64_t disk_writes_before = ProcessDiskWriteBytes();
  const absl::Time start = absl::Now();
  std::vector<std::thread> producers;
  for (int p = 0; p < config.producers; ++p) {
    producers.emplace_back([&, p] {
      Produce(config, broker, payloads, p, start, stop, progress, states[p]);
    });
  }
  progress.Report("brook", start, start + config.duration);
  const int64_t disk_writes_after = ProcessDiskWriteBytes();
  stop = true;
  for (std::thread& t : producers) t.join();
  // Counts the puts that were in flight at the deadline, and their time:
  // the puts whose latency was recorded, no more and no fewer.
  const Throughput done{progress.records(), progress.bytes(),
                        absl::Now() - start, absl::nullopt};
  for (std::thread& t : consumers) t.join();

  BrookRun run;
  run.throughput = done;
  if (disk_writes_before >= 0 && disk_writes_after >= 0) {
    run.disk_write_bytes = disk_writes_after - disk_writes_before;
  }
  for (ProducerState& state : states) {
    absl::MutexLock lock(&state.mu);
    if (state.failed) return absl::InternalError(state.error);
    run.put_latency.Merge(state.latency);
  }
  for (const LatencyHistogram& latency : consumer_latency) {
    run.end_to_end_latency.Merge(latency);
  }
  if (fan_out != nullptr) run.end_to_end_latency.Merge(fan_out->Finish());
  return run;
}

absl::StatusOr<BrookRun> RunBrookProduce(const Config& config,
                                         const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker(config, dir);
  if (!broker.ok()) return broker.status();
  std::unique_ptr<FanOutLatency> fan_out;
  if (config.consumer == "fanout") {
    absl::StatusOr<std::unique_ptr<FanOutLatency>> subscribed =
        FanOutLatency::Subscribe(config, **broker, config.shards);
    if (!subscribed.ok()) return subscribed.status();
    fan_out = *std::move(subscribed);
  }
  absl::StatusOr<BrookRun> run = DriveProduce(config, **broker, fan_out.get());
  fan_out.reset();
  absl::StatusOr<BrokerMetrics> metrics = (*broker)->GetBrokerMetrics();
  if (!metrics.ok()) return metrics.status();
  if (run.ok()) {
    run->write_stalls_delayed = metrics->write_stalls_delayed;
    run->write_stalls_stopped = metrics->write_stalls_stopped;
  }
  if (absl::Status status = (*broker)->Close(); !status.ok()) return status;
  return run;
}

namespace {

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenRaw(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.max_background_jobs = 2;
  rocksdb::DB* db = nullptr;
  if (absl::Status status = FromRocksDb(rocksdb::DB::Open(options, dir, &db));
      !status.ok()) {
    return status;
  }
  return std::unique_ptr<rocksdb::DB>(db);
}

std::string RawKey(uint32_t shard, uint64_t sequence) {
  std::string key(12, '\0');
  for (int i = 0; i < 4; ++i) key[i] = static_cast<char>(shard >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) {
    key[4 + i] = static_cast<char>(sequence >> (56 - 8 * i));
  }
  return key;
}

rocksdb::WriteOptions RawWriteOptions(Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  options.disableWAL = durability == Durability::kNoWal;
  return options;
}

}  // namespace

absl::StatusOr<Throughput> RunRawProduce(const Config& config,
                                         const std::string& dir) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenRaw(dir);
  if (!db.ok()) return db.status();
  const Payloads payloads(config.record_bytes);
  const rocksdb::WriteOptions write_options =
      RawWriteOptions(config.durability);
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  Progress progress;
  const absl::Time start = absl::Now();
  std::vector<std::thread> producers;
  for (int p = 0; p < config.producers; ++p) {
    producers.emplace_back([&, p] {
      uint64_t next = uint64_t{static_cast<uint32_t>(p)} << 40;
      while (!stop.load(std::memory_order_relaxed)) {
        rocksdb::WriteBatch batch;
        int64_t bytes = 0;
        const absl::Time now = absl::Now();
        for (int i = 0; i < config.batch; ++i, ++next) {
          const std::string key = PartitionKey(next, config.partition_keys);
          const std::string data = payloads.Make(next, now);
          batch.Put(RawKey(static_cast<uint32_t>(next % config.shards), next),
                    data);
          bytes += key.size() + data.size();
        }
        if (!(*db)->Write(write_options, &batch).ok()) failed = true;
        progress.Add(config.batch, bytes);
      }
    });
  }
  progress.Report("raw rocksdb", start, start + config.duration);
  const Throughput done{progress.records(), progress.bytes(),
                        absl::Now() - start, absl::nullopt};
  stop = true;
  for (std::thread& t : producers) t.join();
  if (failed) return absl::InternalError("a raw RocksDB write failed");
  return done;
}

namespace {

// The CPU time the calling thread has used.
absl::Duration ThreadCpuTime() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return absl::DurationFromTimespec(now);
}

// Reads `shard_id` from its trim horizon to its end with GetRecords of
// 10,000, adding what it read to `throughput`.
absl::Status DrainShard(Broker& broker, const std::string& shard_id,
                        Throughput& throughput) {
  GetShardIteratorRequest start;
  start.stream = kBenchStream;
  start.shard_id = shard_id;
  start.shard_iterator_type = ShardIteratorType::kTrimHorizon;
  absl::StatusOr<GetShardIteratorResult> iterator =
      broker.GetShardIterator(start);
  if (!iterator.ok()) return iterator.status();
  GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  for (;;) {
    absl::StatusOr<GetRecordsResult> page = broker.GetRecords(get);
    if (!page.ok()) return page.status();
    if (page->records.empty()) return absl::OkStatus();
    for (const Record& record : page->records) {
      throughput.bytes += record.data.size() + record.partition_key.size();
    }
    throughput.records += page->records.size();
    get.shard_iterator = page->next_shard_iterator;
  }
}

}  // namespace

absl::StatusOr<Throughput> RunBrookDrain(const Config& config,
                                         const std::string& dir) {
  Config load = config;
  load.shards = config.drain_shards;
  absl::StatusOr<std::unique_ptr<Broker>> broker = OpenBroker(load, dir);
  if (!broker.ok()) return broker.status();
  const Payloads payloads(config.record_bytes);
  const int64_t records = config.drain_bytes / config.record_bytes;
  // One key per shard would leave most shards empty (keys are hashed): with
  // 64 keys a shard, each gets its share.
  const int64_t keys = int64_t{64} * config.drain_shards;
  for (int64_t next = 0; next < records;) {
    PutRecordsRequest request;
    request.stream = kBenchStream;
    for (int i = 0; i < 500 && next < records; ++i, ++next) {
      request.records.push_back(
          {PartitionKey(next, keys), payloads.Make(next, absl::Now()), ""});
    }
    absl::StatusOr<PutRecordsResult> result = (*broker)->PutRecords(request);
    if (!result.ok()) return result.status();
  }
  ListShardsRequest list;
  list.stream = kBenchStream;
  absl::StatusOr<ListShardsResult> shards = (*broker)->ListShards(list);
  if (!shards.ok()) return shards.status();
  Throughput throughput;
  // One pass to warm the caches, one to measure.
  for (int pass = 0; pass < 2; ++pass) {
    throughput = Throughput();
    const absl::Time began = absl::Now();
    const absl::Duration cpu_began = ThreadCpuTime();
    for (const Shard& shard : shards->shards) {
      if (absl::Status status =
              DrainShard(**broker, shard.shard_id, throughput);
          !status.ok()) {
        return status;
      }
    }
    throughput.elapsed = absl::Now() - began;
    throughput.thread_cpu = ThreadCpuTime() - cpu_began;
  }
  if (absl::Status status = (*broker)->Close(); !status.ok()) return status;
  return throughput;
}

absl::StatusOr<Throughput> RunRawDrain(const Config& config,
                                       const std::string& dir) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenRaw(dir);
  if (!db.ok()) return db.status();
  const Payloads payloads(config.record_bytes);
  const int64_t records = config.drain_bytes / config.record_bytes;
  for (int64_t next = 0; next < records;) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 500 && next < records; ++i, ++next) {
      batch.Put(RawKey(0, next), payloads.Make(next, absl::Now()));
    }
    if (absl::Status status = FromRocksDb(
            (*db)->Write(RawWriteOptions(Durability::kNoSync), &batch));
        !status.ok()) {
      return status;
    }
  }
  Throughput throughput;
  const std::string prefix = RawKey(0, 0).substr(0, 4);
  for (int pass = 0; pass < 2; ++pass) {
    throughput = Throughput();
    const absl::Time began = absl::Now();
    const absl::Duration cpu_began = ThreadCpuTime();
    std::unique_ptr<rocksdb::Iterator> it(
        (*db)->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      // Copy out, as GetRecords hands records to the caller.
      std::string value = it->value().ToString();
      throughput.bytes += value.size() + 1;
      ++throughput.records;
    }
    throughput.elapsed = absl::Now() - began;
    throughput.thread_cpu = ThreadCpuTime() - cpu_began;
    if (absl::Status status = FromRocksDb(it->status()); !status.ok()) {
      return status;
    }
  }
  return throughput;
}

}  // namespace brook::bench
