#include "tool/server_workload.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "boost/json.hpp"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/stream_mirror.h"
#include "server/json_fields.h"
#include "tool/load.h"

namespace brook::bench {
namespace {

namespace json = boost::json;

constexpr int kGetLimit = 10000;

bool IsThrottled(const absl::Status& status) {
  return absl::StrContains(status.message(),
                           "ProvisionedThroughputExceededException");
}

// The JSON object `operation` answered with, its memory from `storage`.
absl::StatusOr<json::object> ResponseObject(absl::string_view operation,
                                            const std::string& body,
                                            json::storage_ptr storage = {}) {
  // Kinesis answers some operations (CreateStream...) with no body at all.
  if (body.empty()) return json::object(storage);
  boost::system::error_code ec;
  json::value response = json::parse(body, ec, storage);
  if (ec || !response.is_object()) {
    return absl::InternalError(
        absl::StrCat(operation, " answered something not a JSON object"));
  }
  return std::move(response.as_object());
}

absl::StatusOr<json::object> CallForObject(KinesisClient& client,
                                           absl::string_view operation,
                                           const json::object& request) {
  absl::StatusOr<std::string> body =
      client.Call(operation, json::serialize(request));
  if (!body.ok()) return body.status();
  return ResponseObject(operation, *body);
}

// The first error any thread met; later ones add nothing.
class FirstError {
 public:
  void Set(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    if (status_.ok()) status_ = status;
    failed_.store(true, std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  absl::Status status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> failed_{false};
};

absl::Status CreateActiveStream(KinesisClient& client,
                                const std::string& stream, int shards) {
  absl::StatusOr<json::object> created = CallForObject(
      client, "CreateStream", {{"StreamName", stream}, {"ShardCount", shards}});
  if (!created.ok()) return created.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    absl::StatusOr<json::object> summary = CallForObject(
        client, "DescribeStreamSummary", {{"StreamName", stream}});
    if (!summary.ok()) return summary.status();
    const json::value* status = summary->at("StreamDescriptionSummary")
                                    .as_object()
                                    .if_contains("StreamStatus");
    if (status != nullptr && *status == "ACTIVE") return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the stream did not become ACTIVE");
}

// The request one producer sends over and over: PutRecords of
// `config.batch` records, or PutRecord when the batch is one record.
json::object PutRequest(const Config& config, const std::string& stream,
                        const Payloads& payloads, int producer) {
  const int64_t first = int64_t{producer} << 40;
  auto entry = [&](int64_t i) {
    return json::object{{"Data", EncodeBase64(payloads.Make(i, absl::Now()))},
                        {"PartitionKey", PartitionKey(i)}};
  };
  if (config.batch == 1) {
    json::object request = entry(first);
    request["StreamName"] = stream;
    return request;
  }
  json::array records;
  for (int i = 0; i < config.batch; ++i) records.push_back(entry(first + i));
  return {{"StreamName", stream}, {"Records", std::move(records)}};
}

struct PutState {
  absl::Mutex mu;
  LatencyHistogram latency ABSL_GUARDED_BY(mu);
  int64_t refused ABSL_GUARDED_BY(mu) = 0;
};

// One put of a producer: returns how many of its records were refused.
using PutOnce = std::function<absl::StatusOr<int64_t>()>;

// The tool's own client: a pre-serialized request on one connection.
absl::StatusOr<PutOnce> RawPut(const Config& config, const Endpoint& endpoint,
                               const std::string& request) {
  absl::StatusOr<std::unique_ptr<KinesisClient>> connected =
      KinesisClient::Connect(endpoint);
  if (!connected.ok()) return connected.status();
  std::shared_ptr<KinesisClient> client = *std::move(connected);
  const std::string operation = config.batch == 1 ? "PutRecord" : "PutRecords";
  // Encoded once, as an SDK's producer would not re-encode a batch to
  // resend it: the client's share of the machine stays the same for JSON
  // and CBOR.
  absl::StatusOr<std::string> wire = client->Encode(operation, request);
  if (!wire.ok()) return wire.status();
  return PutOnce([&config, client, operation,
                  wire = *std::move(wire)]() -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::string> response = client->CallEncoded(operation, wire);
    if (!response.ok()) {
      if (IsThrottled(response.status())) return config.batch;
      return response.status();
    }
    if (config.batch == 1) return 0;
    // The whole answer is read, as an SDK reads every record's result, into
    // an arena: its thousand strings need no allocation each.
    json::monotonic_resource arena;
    absl::StatusOr<json::object> answer =
        ResponseObject(operation, *response, &arena);
    if (!answer.ok()) return answer.status();
    const json::value* failed = answer->if_contains("FailedRecordCount");
    if (failed == nullptr || !failed->is_int64()) {
      return absl::InternalError(
          "PutRecords answered without a FailedRecordCount");
    }
    return failed->as_int64();
  });
}

// A remote Broker (shared by the producers, as an application would).
PutOnce BrokerPut(Broker& broker, const PutRecordsRequest& request) {
  return [&broker, &request]() -> absl::StatusOr<int64_t> {
    absl::StatusOr<PutRecordsResult> result = broker.PutRecords(request);
    if (!result.ok()) {
      if (ErrorNameOf(result.status()) ==
          ErrorName::kProvisionedThroughputExceededException) {
        return static_cast<int64_t>(request.records.size());
      }
      return result.status();
    }
    return result->failed_record_count;
  };
}

void Produce(const Config& config, const PutOnce& put, std::atomic<bool>& stop,
             Progress& progress, PutState& state, FirstError& error) {
  const int64_t bytes_per_record =
      config.record_bytes + static_cast<int64_t>(PartitionKey(0).size());
  while (!stop.load(std::memory_order_relaxed) && !error.failed()) {
    const absl::Time sent = absl::Now();
    absl::StatusOr<int64_t> refused = put();
    const absl::Duration latency = absl::Now() - sent;
    if (!refused.ok()) return error.Set(refused.status());
    absl::MutexLock lock(&state.mu);
    state.latency.Record(latency);
    state.refused += *refused;
    progress.Add(config.batch - *refused,
                 (config.batch - *refused) * bytes_per_record);
  }
}

absl::StatusOr<std::vector<std::string>> ShardIds(KinesisClient& client,
                                                  const std::string& stream) {
  absl::StatusOr<json::object> listed =
      CallForObject(client, "ListShards", {{"StreamName", stream}});
  if (!listed.ok()) return listed.status();
  std::vector<std::string> ids;
  for (const json::value& shard : listed->at("Shards").as_array()) {
    ids.emplace_back(shard.at("ShardId").as_string());
  }
  return ids;
}

// The bytes that base64 `text` decodes to.
int64_t DecodedSize(const json::string& text) {
  int64_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  return static_cast<int64_t>(text.size() / 4 * 3) - padding;
}

struct GetState {
  absl::Mutex mu;
  LatencyHistogram latency ABSL_GUARDED_BY(mu);
};

// Reads one shard from its start until a page is empty and at the tip.
void ReadShard(const Endpoint& endpoint, const std::string& stream,
               const std::string& shard_id, Progress& progress, GetState& state,
               FirstError& error) {
  absl::StatusOr<std::unique_ptr<KinesisClient>> client =
      KinesisClient::Connect(endpoint);
  if (!client.ok()) return error.Set(client.status());
  absl::StatusOr<json::object> iterator =
      CallForObject(**client, "GetShardIterator",
                    {{"StreamName", stream},
                     {"ShardId", shard_id},
                     {"ShardIteratorType", "TRIM_HORIZON"}});
  if (!iterator.ok()) return error.Set(iterator.status());
  json::value next = iterator->at("ShardIterator");
  while (next.is_string() && !error.failed()) {
    const absl::Time sent = absl::Now();
    absl::StatusOr<json::object> page =
        CallForObject(**client, "GetRecords",
                      {{"ShardIterator", next}, {"Limit", kGetLimit}});
    if (!page.ok() && IsThrottled(page.status())) {
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    if (!page.ok()) return error.Set(page.status());
    const json::array& records = page->at("Records").as_array();
    int64_t bytes = 0;
    for (const json::value& record : records) {
      bytes +=
          DecodedSize(record.at("Data").as_string()) +
          static_cast<int64_t>(record.at("PartitionKey").as_string().size());
    }
    {
      absl::MutexLock lock(&state.mu);
      state.latency.Record(absl::Now() - sent);
    }
    progress.Add(static_cast<int64_t>(records.size()), bytes);
    const json::value* behind = page->if_contains("MillisBehindLatest");
    const bool at_tip = behind == nullptr || behind->to_number<int64_t>() == 0;
    if (records.empty() && at_tip) return;
    next = page->contains("NextShardIterator") ? page->at("NextShardIterator")
                                               : json::value(nullptr);
  }
}

// The requests each producer sends over and over, in the client's form.
struct ProducerRequests {
  std::vector<std::string> raw;
  std::vector<PutRecordsRequest> broker;
};

ProducerRequests MakeRequests(const Config& config, const std::string& stream) {
  const Payloads payloads(config.record_bytes);
  ProducerRequests requests;
  for (int p = 0; p < config.producers; ++p) {
    const json::object request = PutRequest(config, stream, payloads, p);
    requests.raw.push_back(json::serialize(request));
    PutRecordsRequest typed;
    typed.stream = stream;
    const int64_t first = int64_t{p} << 40;
    for (int i = 0; i < config.batch; ++i) {
      typed.records.push_back(
          {PartitionKey(first + i), payloads.Make(first + i, absl::Now()), ""});
    }
    requests.broker.push_back(std::move(typed));
  }
  return requests;
}

absl::StatusOr<std::unique_ptr<Broker>> ConnectBroker(
    const Config& config, const Endpoint& endpoint) {
  ConnectOptions options;
  options.access_key_id = "bench";
  options.secret_access_key = "bench";
  options.max_idle_connections = config.producers;
  return Broker::Connect(
      options, absl::StrCat("http://", endpoint.host, ":", endpoint.port));
}

absl::Status PutPhase(const Config& config, const Endpoint& endpoint,
                      const std::string& stream, ServerRun& run) {
  if (config.client == "broker" && config.batch == 1) {
    return absl::InvalidArgumentError("--client=broker needs --batch > 1");
  }
  const ProducerRequests requests = MakeRequests(config, stream);
  std::unique_ptr<Broker> broker;
  if (config.client == "broker") {
    absl::StatusOr<std::unique_ptr<Broker>> connected =
        ConnectBroker(config, endpoint);
    if (!connected.ok()) return connected.status();
    broker = *std::move(connected);
  }
  std::vector<PutOnce> puts;
  for (int p = 0; p < config.producers; ++p) {
    if (broker != nullptr) {
      puts.push_back(BrokerPut(*broker, requests.broker[p]));
      continue;
    }
    absl::StatusOr<PutOnce> put = RawPut(config, endpoint, requests.raw[p]);
    if (!put.ok()) return put.status();
    puts.push_back(*std::move(put));
  }
  std::atomic<bool> stop{false};
  Progress progress;
  PutState state;
  FirstError error;
  const absl::Time start = absl::Now();
  std::vector<std::thread> producers;
  for (int p = 0; p < config.producers; ++p) {
    producers.emplace_back(
        [&, p] { Produce(config, puts[p], stop, progress, state, error); });
  }
  progress.Report("put", start, start + config.duration);
  stop = true;
  for (std::thread& t : producers) t.join();
  // Counts the requests that were in flight at the deadline, and their time.
  run.put = {progress.records(), progress.bytes(), absl::Now() - start,
             absl::nullopt};
  absl::MutexLock lock(&state.mu);
  run.put_latency = state.latency;
  run.records_refused = state.refused;
  return error.status();
}

absl::Status GetPhase(const Endpoint& endpoint, const std::string& stream,
                      ServerRun& run) {
  absl::StatusOr<std::unique_ptr<KinesisClient>> client =
      KinesisClient::Connect(endpoint);
  if (!client.ok()) return client.status();
  absl::StatusOr<std::vector<std::string>> shard_ids =
      ShardIds(**client, stream);
  if (!shard_ids.ok()) return shard_ids.status();
  Progress progress;
  GetState state;
  FirstError error;
  const absl::Time start = absl::Now();
  std::vector<std::thread> readers;
  for (const std::string& shard_id : *shard_ids) {
    readers.emplace_back([&, shard_id] {
      ReadShard(endpoint, stream, shard_id, progress, state, error);
    });
  }
  for (std::thread& t : readers) t.join();
  run.get = {progress.records(), progress.bytes(), absl::Now() - start,
             absl::nullopt};
  if (!error.status().ok()) return error.status();
  if (run.get.records != run.put.records) {
    return absl::DataLossError(absl::StrCat("read back ", run.get.records,
                                            " of ", run.put.records,
                                            " acknowledged records"));
  }
  absl::MutexLock lock(&state.mu);
  run.get_latency = state.latency;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerRun> RunServerLoad(const Config& config,
                                        const Endpoint& endpoint) {
  absl::StatusOr<std::unique_ptr<KinesisClient>> admin =
      KinesisClient::Connect(endpoint);
  if (!admin.ok()) return admin.status();
  const std::string stream =
      absl::StrCat("bench-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  if (absl::Status status = CreateActiveStream(**admin, stream, config.shards);
      !status.ok()) {
    return status;
  }
  ServerRun run;
  absl::Status status = PutPhase(config, endpoint, stream, run);
  if (status.ok() && config.consumer == "classic") {
    status = GetPhase(endpoint, stream, run);
  }
  // Fresh connections after the puts: servers close idle ones (Node.js after
  // five seconds).
  absl::StatusOr<std::unique_ptr<KinesisClient>> cleanup =
      KinesisClient::Connect(endpoint);
  if (cleanup.ok()) {
    (*cleanup)
        ->Call("DeleteStream",
               json::serialize(json::object{{"StreamName", stream}}))
        .IgnoreError();
  }
  if (!status.ok()) return status;
  return run;
}

absl::StatusOr<ServerRun> RunMirrorLoad(const Config& config,
                                        const Endpoint& endpoint) {
  char dir_template[] = "/tmp/brook-mirror-bench-XXXXXX";
  const std::string dir = config.data_dir.empty()
                              ? std::string(mkdtemp(dir_template))
                              : config.data_dir;
  BrokerOptions options;
  options.durability = config.durability;
  absl::StatusOr<std::unique_ptr<Broker>> local = Broker::Open(options, dir);
  if (!local.ok()) return local.status();
  absl::StatusOr<std::unique_ptr<Broker>> remote =
      ConnectBroker(config, endpoint);
  if (!remote.ok()) return remote.status();
  const std::string stream =
      absl::StrCat("mirror-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  CreateStreamRequest create;
  create.stream_name = stream;
  create.shard_count = config.shards;
  create.options.limits = StreamLimits::Unlimited();
  for (Broker* broker : {local->get(), remote->get()}) {
    if (absl::Status s = broker->CreateStream(create); !s.ok()) return s;
  }
  // The local stream is filled first, untimed.
  const Payloads payloads(config.record_bytes);
  PutRecordsRequest put;
  put.stream = stream;
  for (int64_t i = 0; i < config.mirror_records; ++i) {
    put.records.push_back({PartitionKey(i), payloads.Make(i, absl::Now()), ""});
    if (put.records.size() == 500 || i + 1 == config.mirror_records) {
      absl::StatusOr<PutRecordsResult> result = (*local)->PutRecords(put);
      if (!result.ok()) return result.status();
      put.records.clear();
    }
  }
  StreamMirrorOptions mirror_options;
  mirror_options.source_stream = stream;
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<StreamMirror>> mirror =
      StreamMirror::Start(local->get(), remote->get(), mirror_options);
  if (!mirror.ok()) return mirror.status();
  const bool caught_up = (*mirror)->WaitUntilCaughtUp(absl::Minutes(10));
  const absl::Duration elapsed = absl::Now() - start;
  const StreamMirrorMetrics metrics = (*mirror)->metrics();
  if (absl::Status s = (*mirror)->Stop(); !s.ok()) return s;
  (*remote)->DeleteStream({stream, false}).IgnoreError();
  (*local)->Close().IgnoreError();
  if (config.data_dir.empty()) std::filesystem::remove_all(dir);
  if (!caught_up) return absl::DeadlineExceededError("the mirror fell behind");
  ServerRun run;
  run.put = {metrics.records_forwarded, metrics.bytes_forwarded, elapsed,
             absl::nullopt};
  run.records_refused = metrics.failed_records;
  return run;
}

}  // namespace brook::bench
