// brook_bench: end-to-end throughput and latency of Brook, beside the same
// workload on raw RocksDB (one key per record) and the disk's sequential
// write bandwidth, all measured in one run so that ratios can be compared
// across machines whose absolute speed drifts.
//
//   brook_bench --workload=produce --record_bytes=1024 --shards=4
//               --producers=4 --batch=500 --async --durability=sync
//   brook_bench --workload=drain --record_bytes=1024 --drain_mib=1024
//   brook_bench --endpoint=http://127.0.0.1:4567 --consumer=classic
//   brook_bench --endpoint=http://127.0.0.1:4567 --protocol=h2c
//               --encoding=cbor
//   brook_bench --encryption=compare --rounds=3   (durable produce without
//               and with encryption at rest, alternately)
//   brook_bench --workload=scale --shards=10000 --subscriptions=1000
//               (open time, memory per shard, traffic over every shard)
//
// Prints a progress line per second to stderr and one JSON line of results
// to stdout.

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "tool/disk_probe.h"
#include "tool/disk_usage.h"
#include "tool/kinesis_client.h"
#include "tool/latency_json.h"
#include "tool/plain_json.h"
#include "tool/scale_workload.h"
#include "tool/server_workload.h"
#include "tool/workloads.h"

ABSL_FLAG(std::string, workload, "produce",
          "produce: put for --duration; drain: load --drain_mib into "
          "--drain_shards shards, then read it all back with GetRecords of "
          "10,000; scale: "
          "create --shards, time reopening them, produce over all of them, "
          "then with --subscriptions fan-out subscriptions at --rate");
ABSL_FLAG(int, record_bytes, 1024, "bytes of data per record");
ABSL_FLAG(std::string, client, "raw",
          "with --endpoint: raw (the tool's own HTTP client) or broker "
          "(brook::Broker::Connect)");
ABSL_FLAG(int64_t, mirror_records, 200000,
          "records a --workload=mirror forwards to --endpoint");
ABSL_FLAG(int, shards, 4, "shards of the stream");
ABSL_FLAG(int, producers, 4, "producer threads");
ABSL_FLAG(int, batch, 500, "records per put (1 to 500; 1 puts one record)");
ABSL_FLAG(bool, async, true, "asynchronous puts (else blocking)");
ABSL_FLAG(int, inflight, 4, "asynchronous puts in flight per producer");
ABSL_FLAG(std::string, durability, "sync", "sync, nosync or nowal");
ABSL_FLAG(std::string, limits, "unlimited", "unlimited or kinesis");
ABSL_FLAG(std::string, consumer, "none",
          "none, classic (a polling reader per shard) or fanout (an enhanced "
          "fan-out subscription per shard); both report end-to-end latency");
ABSL_FLAG(int64_t, rate, 0,
          "records per second over all producers (0: as fast as possible)");
ABSL_FLAG(int, duration_s, 10, "seconds to produce");
ABSL_FLAG(int64_t, commit_group_kib, 0,
          "BrokerOptions::max_commit_group_bytes in KiB (0: the default)");
ABSL_FLAG(int64_t, pending_write_kib, 0,
          "BrokerOptions::max_pending_write_bytes in KiB (0: the default)");
ABSL_FLAG(int, drain_mib, 1024, "MiB to load and read with --workload=drain");
ABSL_FLAG(int, drain_shards, 1,
          "with --workload=drain: shards to spread the records over, each "
          "then read to its end in turn");
ABSL_FLAG(bool, reference, true,
          "also run the workload on raw RocksDB and report the ratio");
ABSL_FLAG(bool, disk, true,
          "also measure the disk's write bandwidth: before the workload, "
          "between Brook and the raw reference, and after");
ABSL_FLAG(int, disk_probe_mib, 256, "MiB each disk probe writes");
ABSL_FLAG(int, disk_probe_rounds, 1,
          "probes of each kind (fdatasync, O_DIRECT) at each point");
ABSL_FLAG(int, subscriptions, 1000,
          "with --workload=scale: shards that get an enhanced fan-out "
          "subscription (0 to --shards)");
ABSL_FLAG(std::string, endpoint, "",
          "http://HOST:PORT of a Kinesis-compatible server (brookd with "
          "--limits=unlimited, or another) to load over HTTP instead of an "
          "embedded Broker: --producers clients put for --duration_s, then "
          "with --consumer=classic one client per shard reads everything "
          "back; --durability, --async, --reference and --disk do not apply");
ABSL_FLAG(std::string, protocol, "http1",
          "with --endpoint: http1 (kept-alive connections) or h2c (HTTP/2 "
          "with prior knowledge, as the JavaScript and Java async SDKs)");
ABSL_FLAG(std::string, encoding, "json",
          "with --endpoint: json (JSON 1.1 bodies) or cbor (as the Java "
          "SDK)");
ABSL_FLAG(std::string, encryption, "off",
          "off, on (the stream encrypts at rest), or compare: produce "
          "alternately without and with encryption, --rounds times each, in "
          "one run, and report every run and the ratio of the medians");
ABSL_FLAG(int, rounds, 3, "rounds of each side with --encryption=compare");
ABSL_FLAG(std::string, data_dir, "",
          "where to put data (default: a new directory under the system "
          "temporary directory, removed afterwards)");

namespace brook::bench {
namespace {

absl::StatusOr<Config> ConfigFromFlags() {
  Config config;
  config.workload = absl::GetFlag(FLAGS_workload);
  config.client = absl::GetFlag(FLAGS_client);
  config.mirror_records = absl::GetFlag(FLAGS_mirror_records);
  if (config.client != "raw" && config.client != "broker") {
    return absl::InvalidArgumentError("--client: raw or broker");
  }
  config.record_bytes = absl::GetFlag(FLAGS_record_bytes);
  config.shards = absl::GetFlag(FLAGS_shards);
  config.producers = absl::GetFlag(FLAGS_producers);
  config.batch = absl::GetFlag(FLAGS_batch);
  config.async = absl::GetFlag(FLAGS_async);
  config.inflight = absl::GetFlag(FLAGS_inflight);
  config.consumer = absl::GetFlag(FLAGS_consumer);
  config.duration = absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  config.rate = absl::GetFlag(FLAGS_rate);
  config.drain_bytes = int64_t{absl::GetFlag(FLAGS_drain_mib)} << 20;
  config.drain_shards = absl::GetFlag(FLAGS_drain_shards);
  config.commit_group_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_commit_group_kib)) << 10;
  config.pending_write_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_pending_write_kib)) << 10;
  config.subscriptions = absl::GetFlag(FLAGS_subscriptions);
  const std::string durability = absl::GetFlag(FLAGS_durability);
  if (durability == "sync") {
    config.durability = Durability::kSync;
  } else if (durability == "nosync") {
    config.durability = Durability::kNoSync;
  } else if (durability == "nowal") {
    config.durability = Durability::kNoWal;
  } else {
    return absl::InvalidArgumentError("--durability: sync, nosync or nowal");
  }
  const std::string limits = absl::GetFlag(FLAGS_limits);
  if (limits != "unlimited" && limits != "kinesis") {
    return absl::InvalidArgumentError("--limits: unlimited or kinesis");
  }
  config.unlimited = limits == "unlimited";
  const std::string encryption = absl::GetFlag(FLAGS_encryption);
  if (encryption != "off" && encryption != "on" && encryption != "compare") {
    return absl::InvalidArgumentError("--encryption: off, on or compare");
  }
  config.encrypt = encryption == "on";
  if (config.workload != "produce" && config.workload != "drain" &&
      config.workload != "mirror" && config.workload != "scale") {
    return absl::InvalidArgumentError(
        "--workload: produce, drain, mirror or scale");
  }
  if (config.workload == "scale" &&
      (config.subscriptions < 0 || config.subscriptions > config.shards ||
       config.consumer != "none" || encryption == "compare" ||
       !absl::GetFlag(FLAGS_endpoint).empty())) {
    return absl::InvalidArgumentError(
        "--workload=scale: --subscriptions 0 to --shards, in process, "
        "without --consumer or --encryption=compare");
  }
  if (absl::GetFlag(FLAGS_disk_probe_mib) < 1 ||
      absl::GetFlag(FLAGS_disk_probe_rounds) < 1) {
    return absl::InvalidArgumentError(
        "--disk_probe_mib and --disk_probe_rounds must be positive");
  }
  if (config.consumer != "none" && config.consumer != "classic" &&
      config.consumer != "fanout") {
    return absl::InvalidArgumentError("--consumer: none, classic or fanout");
  }
  if (config.record_bytes < 8 || config.shards < 1 || config.producers < 1 ||
      config.batch < 1 || config.batch > 500 || config.inflight < 1 ||
      config.duration <= absl::ZeroDuration() || config.drain_bytes <= 0 ||
      config.drain_shards < 1 || config.drain_shards > 1000 ||
      config.rate < 0 || absl::GetFlag(FLAGS_commit_group_kib) < 0 ||
      absl::GetFlag(FLAGS_pending_write_kib) < 0) {
    return absl::InvalidArgumentError(
        "--record_bytes >= 8, --batch 1..500, --drain_shards 1..1000, and "
        "counts and durations must be positive");
  }
  return config;
}

boost::json::object ThroughputJson(const Throughput& throughput) {
  boost::json::object json = {
      {"records", throughput.records},
      {"seconds", absl::ToDoubleSeconds(throughput.elapsed)},
      {"records_per_s", throughput.records_per_second()},
      {"mb_per_s", throughput.megabytes_per_second()}};
  if (throughput.thread_cpu.has_value()) {
    json["thread_cpu_seconds"] = absl::ToDoubleSeconds(*throughput.thread_cpu);
  }
  return json;
}

boost::json::object ConfigJson(const Config& config) {
  return {{"workload", config.workload},
          {"client", config.client},
          {"record_bytes", config.record_bytes},
          {"shards", config.shards},
          {"producers", config.producers},
          {"batch", config.batch},
          {"async", config.async},
          {"inflight", config.inflight},
          {"durability", absl::GetFlag(FLAGS_durability)},
          {"limits", absl::GetFlag(FLAGS_limits)},
          {"encryption", absl::GetFlag(FLAGS_encryption)},
          {"consumer", config.consumer},
          {"rate", config.rate},
          {"duration_s", absl::ToDoubleSeconds(config.duration)},
          {"commit_group_kib", config.commit_group_bytes >> 10},
          {"pending_write_kib", config.pending_write_bytes >> 10},
          {"drain_mib", config.drain_bytes >> 20},
          {"drain_shards", config.drain_shards},
          {"subscriptions", config.subscriptions}};
}

boost::json::object SpreadJson(const Spread& spread) {
  return {{"samples", spread.samples},
          {"min_mb_per_s", spread.min},
          {"median_mb_per_s", spread.median},
          {"max_mb_per_s", spread.max}};
}

boost::json::object DiskJson(const DiskReference& disk) {
  boost::json::array samples;
  for (const DiskReference::Sample& sample : disk.samples()) {
    samples.push_back({{"at", sample.point},
                       {"mode", std::string(DiskWriteModeName(sample.mode))},
                       {"mb_per_s", sample.mb_per_s}});
  }
  boost::json::object out{{"probe_mib", disk.probe_bytes() >> 20},
                          {"samples", std::move(samples)}};
  for (const DiskWriteMode mode :
       {DiskWriteMode::kFdatasync, DiskWriteMode::kDirect}) {
    const std::string name(DiskWriteModeName(mode));
    if (disk.error(mode).ok()) {
      out[name] = SpreadJson(disk.spread(mode));
    } else {
      out[name] = {{"error", disk.error(mode).ToString()}};
    }
  }
  return out;
}

// Brook's MB/s over the median probe of each kind.
boost::json::object RatioToDiskJson(const Throughput& brook,
                                    const DiskReference& disk) {
  boost::json::object out;
  for (const DiskWriteMode mode :
       {DiskWriteMode::kFdatasync, DiskWriteMode::kDirect}) {
    const Spread spread = disk.spread(mode);
    if (spread.samples > 0) {
      out[std::string(DiskWriteModeName(mode))] =
          brook.megabytes_per_second() / spread.median;
    }
  }
  return out;
}

double Megabytes(int64_t bytes) { return bytes / 1e6; }

boost::json::array MegabytesJson(const std::vector<int64_t>& bytes) {
  boost::json::array out;
  for (const int64_t b : bytes) out.push_back(Megabytes(b));
  return out;
}

// RSS above an open Broker without streams, per shard.
double BytesPerShard(int64_t resident, const ScaleRun& run, int shards) {
  return static_cast<double>(resident - run.memory.empty_broker) / shards;
}

boost::json::object ScaleJson(const ScaleRun& run, const Config& config) {
  const ScaleMemory& memory = run.memory;
  boost::json::object rss{
      {"start", Megabytes(memory.start)},
      {"empty_broker", Megabytes(memory.empty_broker)},
      {"created", Megabytes(memory.created)},
      {"closed", Megabytes(memory.closed)},
      {"reopened", Megabytes(memory.reopened)},
      {"after_produce", Megabytes(memory.after_produce)},
      {"subscribed", Megabytes(memory.subscribed)},
      {"after_fan_out", Megabytes(memory.after_fan_out)},
      {"during_produce", MegabytesJson(memory.during_produce)},
      {"during_fan_out", MegabytesJson(memory.during_fan_out)}};
  boost::json::object per_shard{
      {"created", BytesPerShard(memory.created, run, config.shards)},
      {"reopened", BytesPerShard(memory.reopened, run, config.shards)},
      {"after_produce",
       BytesPerShard(memory.after_produce, run, config.shards)},
      {"after_fan_out",
       BytesPerShard(memory.after_fan_out, run, config.shards)}};
  auto gauges = [](const BrokerMetrics& metrics) {
    return boost::json::object{
        {"tail_cache_mb", Megabytes(metrics.tail_cache_bytes)},
        {"queued_write_mb", Megabytes(metrics.queued_write_bytes)},
        {"open_subscriptions", metrics.open_subscriptions}};
  };
  return {{"create_s", absl::ToDoubleSeconds(run.create)},
          {"open_s", absl::ToDoubleSeconds(run.open)},
          {"subscribe_s", absl::ToDoubleSeconds(run.subscribe)},
          {"rss_mb", std::move(rss)},
          {"rss_bytes_per_shard", std::move(per_shard)},
          {"produce", ThroughputJson(run.produce.throughput)},
          {"produce_put_latency", LatencyJson(run.produce.put_latency)},
          {"shards_written", run.shards_written},
          {"min_shard_records", run.min_shard_records},
          {"max_shard_records", run.max_shard_records},
          {"gauges_after_produce", gauges(run.after_produce)},
          {"gauges_subscribed", gauges(run.subscribed)},
          {"fan_out", ThroughputJson(run.fan_out.throughput)},
          {"fan_out_put_latency", LatencyJson(run.fan_out.put_latency)},
          {"end_to_end_latency", LatencyJson(run.fan_out.end_to_end_latency)},
          {"gauges_after_fan_out", gauges(run.after_fan_out)}};
}

// Server mode: the client's view only, as the server may be anywhere.
int RunAgainstServer(const Config& config, const std::string& endpoint_flag) {
  absl::StatusOr<Endpoint> endpoint = Endpoint::Parse(endpoint_flag);
  const std::string protocol = absl::GetFlag(FLAGS_protocol);
  const std::string encoding = absl::GetFlag(FLAGS_encoding);
  if (!endpoint.ok() || config.workload == "drain" ||
      config.consumer == "fanout" ||
      (protocol != "http1" && protocol != "h2c") ||
      (encoding != "json" && encoding != "cbor") ||
      (config.workload == "mirror" &&
       (protocol != "http1" || encoding != "json"))) {
    std::cerr << "--endpoint: http://HOST:PORT, with --workload=produce "
                 "(--protocol http1 or h2c, --encoding json or cbor) or "
                 "mirror (HTTP/1.1 and JSON, as the remote Broker speaks), "
                 "and --consumer none or classic\n";
    return 2;
  }
  endpoint->protocol =
      protocol == "h2c" ? Endpoint::Protocol::kH2c : Endpoint::Protocol::kHttp1;
  endpoint->cbor = encoding == "cbor";
  absl::StatusOr<ServerRun> run = config.workload == "mirror"
                                      ? RunMirrorLoad(config, *endpoint)
                                      : RunServerLoad(config, *endpoint);
  if (!run.ok()) {
    std::cerr << "server: " << run.status() << "\n";
    return 1;
  }
  boost::json::object out;
  out["config"] = ConfigJson(config);
  out["endpoint"] = endpoint_flag;
  out["protocol"] = protocol;
  out["encoding"] = encoding;
  out["put"] = ThroughputJson(run->put);
  out["records_refused"] = run->records_refused;
  out["put_latency"] = LatencyJson(run->put_latency);
  if (config.consumer == "classic") {
    out["get"] = ThroughputJson(run->get);
    out["get_latency"] = LatencyJson(run->get_latency);
  }
  std::cout << PlainJson(out) << std::endl;
  return 0;
}

// --encryption=compare: the produce workload alternately without and with
// encryption, so that both sides see the same machine load over the run.
int RunEncryptionComparison(Config config, const std::string& root) {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (config.workload != "produce" || rounds < 1) {
    std::cerr << "--encryption=compare needs --workload=produce and "
                 "--rounds >= 1\n";
    return 2;
  }
  boost::json::array runs;
  std::vector<double> off_rates;
  std::vector<double> on_rates;
  for (int round = 0; round < rounds; ++round) {
    for (const bool encrypt : {false, true}) {
      config.encrypt = encrypt;
      const std::string dir =
          absl::StrCat(root, "/brook-", encrypt ? "on-" : "off-", round);
      absl::StatusOr<BrookRun> run = RunBrookProduce(config, dir);
      if (!run.ok()) {
        std::cerr << "brook: " << run.status() << "\n";
        return 1;
      }
      (encrypt ? on_rates : off_rates)
          .push_back(run->throughput.records_per_second());
      runs.push_back({{"round", round},
                      {"encryption", encrypt},
                      {"brook", ThroughputJson(run->throughput)},
                      {"put_latency", LatencyJson(run->put_latency)}});
      std::filesystem::remove_all(dir);
      std::filesystem::remove_all(dir + ".keys");
    }
  }
  const double median_off = SpreadOf(off_rates).median;
  const double median_on = SpreadOf(on_rates).median;
  boost::json::object out;
  out["config"] = ConfigJson(config);
  out["runs"] = std::move(runs);
  out["median_records_per_s_off"] = median_off;
  out["median_records_per_s_on"] = median_on;
  out["ratio_on_to_off"] = median_on / median_off;
  std::cout << PlainJson(out) << std::endl;
  return 0;
}

// The process' CPU time and peak RSS over the whole run.
void AddProcessFigures(boost::json::object& out) {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  out["cpu_seconds"] = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                       (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  out["peak_rss_mb"] = usage.ru_maxrss / 1024.0;
}

int Run() {
  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 2;
  }
  if (const std::string endpoint = absl::GetFlag(FLAGS_endpoint);
      !endpoint.empty()) {
    return RunAgainstServer(*config, endpoint);
  }
  if (config->workload == "mirror") {
    std::cerr << "--workload=mirror needs --endpoint\n";
    return 2;
  }
  std::string root = absl::GetFlag(FLAGS_data_dir);
  const bool temporary = root.empty();
  if (temporary) {
    root = (std::filesystem::temp_directory_path() /
            absl::StrCat("brook-bench-", getpid()))
               .string();
  }
  std::filesystem::create_directories(root);
  const std::string brook_dir = root + "/brook";
  const std::string raw_dir = root + "/raw";
  if (absl::GetFlag(FLAGS_encryption) == "compare") {
    const int result = RunEncryptionComparison(*config, root);
    if (temporary) std::filesystem::remove_all(root);
    return result;
  }

  if (config->workload == "scale") {
    absl::StatusOr<ScaleRun> run = RunScale(*config, brook_dir);
    if (temporary) std::filesystem::remove_all(root);
    if (!run.ok()) {
      std::cerr << "brook: " << run.status() << "\n";
      return 1;
    }
    boost::json::object out;
    out["config"] = ConfigJson(*config);
    out["scale"] = ScaleJson(*run, *config);
    AddProcessFigures(out);
    std::cout << PlainJson(out) << std::endl;
    return 0;
  }

  boost::json::object out;
  out["config"] = ConfigJson(*config);
  const bool probe_disk = absl::GetFlag(FLAGS_disk);
  DiskReference disk(root, int64_t{absl::GetFlag(FLAGS_disk_probe_mib)} << 20,
                     absl::GetFlag(FLAGS_disk_probe_rounds));
  if (probe_disk) disk.ProbeAt("before");
  Throughput brook;
  if (config->workload == "produce") {
    absl::StatusOr<BrookRun> run = RunBrookProduce(*config, brook_dir);
    if (!run.ok()) {
      std::cerr << "brook: " << run.status() << "\n";
      return 1;
    }
    brook = run->throughput;
    out["brook"] = ThroughputJson(brook);
    out["put_latency"] = LatencyJson(run->put_latency);
    if (config->consumer != "none") {
      out["end_to_end_latency"] = LatencyJson(run->end_to_end_latency);
    }
    out["rocksdb_write_stalls"] = {{"delayed", run->write_stalls_delayed},
                                   {"stopped", run->write_stalls_stopped}};
    if (run->disk_write_bytes >= 0 && brook.bytes > 0) {
      // Disk bytes per byte of records: about 2 when every record goes to
      // the log and then to a blob file.
      out["disk_writes"] = {
          {"mb", run->disk_write_bytes / 1e6},
          {"per_record_byte",
           static_cast<double>(run->disk_write_bytes) / brook.bytes}};
    }
  } else {
    absl::StatusOr<Throughput> run = RunBrookDrain(*config, brook_dir);
    if (!run.ok()) {
      std::cerr << "brook: " << run.status() << "\n";
      return 1;
    }
    brook = *run;
    out["brook"] = ThroughputJson(brook);
  }
  out["bytes_on_disk"] = BytesUnder(brook_dir);

  if (absl::GetFlag(FLAGS_reference)) {
    if (probe_disk) disk.ProbeAt("between");
    absl::StatusOr<Throughput> raw = config->workload == "produce"
                                         ? RunRawProduce(*config, raw_dir)
                                         : RunRawDrain(*config, raw_dir);
    if (!raw.ok()) {
      std::cerr << "raw rocksdb: " << raw.status() << "\n";
      return 1;
    }
    out["raw_rocksdb"] = ThroughputJson(*raw);
    out["ratio_to_raw"] =
        brook.records_per_second() / raw->records_per_second();
    if (brook.thread_cpu.has_value() && raw->thread_cpu.has_value()) {
      // Records per CPU second, Brook's over raw RocksDB's.
      out["cpu_ratio_to_raw"] =
          absl::FDivDuration(*raw->thread_cpu, *brook.thread_cpu) *
          static_cast<double>(brook.records) /
          static_cast<double>(raw->records);
    }
  }
  if (probe_disk) {
    disk.ProbeAt("after");
    out["disk"] = DiskJson(disk);
    if (config->workload == "produce") {
      out["ratio_to_disk"] = RatioToDiskJson(brook, disk);
    }
  }
  AddProcessFigures(out);
  if (temporary) std::filesystem::remove_all(root);
  std::cout << PlainJson(out) << std::endl;
  return 0;
}

}  // namespace
}  // namespace brook::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures Brook's throughput and latency beside raw RocksDB and the "
      "disk, in one run. See docs/benchmarks.md.");
  absl::ParseCommandLine(argc, argv);
  return brook::bench::Run();
}
