#include "server/prometheus_metrics.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <vector>

#include "absl/algorithm/container.h"
#include "brook/write_state.h"
#include "server/prometheus_text.h"

namespace brook {
namespace {

// A shard-level metric: its Kinesis name (as EnableEnhancedMonitoring
// names it), its family, and how to read it in base units.
struct ShardFigure {
  const char* kinesis_name;
  const char* family;
  const char* type;
  const char* help;
  int64_t ShardMetrics::*field;
  double scale;  // To base units.
};

constexpr ShardFigure kShardFigures[] = {
    {"IncomingBytes", "brook_shard_incoming_bytes_total", "counter",
     "Bytes (data and partition keys) put to the shard (Kinesis "
     "IncomingBytes).",
     &ShardMetrics::incoming_bytes, 1},
    {"IncomingRecords", "brook_shard_incoming_records_total", "counter",
     "Records put to the shard (Kinesis IncomingRecords).",
     &ShardMetrics::incoming_records, 1},
    {"OutgoingBytes", "brook_shard_outgoing_bytes_total", "counter",
     "Bytes returned by GetRecords from the shard (Kinesis OutgoingBytes).",
     &ShardMetrics::outgoing_bytes, 1},
    {"OutgoingRecords", "brook_shard_outgoing_records_total", "counter",
     "Records returned by GetRecords from the shard (Kinesis "
     "OutgoingRecords).",
     &ShardMetrics::outgoing_records, 1},
    {"WriteProvisionedThroughputExceeded",
     "brook_shard_write_provisioned_throughput_exceeded_total", "counter",
     "Records refused by the shard's write limits (Kinesis "
     "WriteProvisionedThroughputExceeded).",
     &ShardMetrics::write_provisioned_throughput_exceeded, 1},
    {"ReadProvisionedThroughputExceeded",
     "brook_shard_read_provisioned_throughput_exceeded_total", "counter",
     "GetRecords calls refused by the shard's read limits (Kinesis "
     "ReadProvisionedThroughputExceeded).",
     &ShardMetrics::read_provisioned_throughput_exceeded, 1},
    {"IteratorAgeMilliseconds", "brook_shard_iterator_age_seconds", "gauge",
     "How far behind the newest record the shard's last GetRecords call was "
     "(Kinesis IteratorAgeMilliseconds, in seconds).",
     &ShardMetrics::iterator_age_milliseconds, 0.001},
};

struct StreamShards {
  std::string stream;
  GetShardMetricsResult metrics;
};

// Every stream's shard metrics; a stream deleted meanwhile is left out.
std::vector<StreamShards> AllShardMetrics(Broker& broker) {
  std::vector<StreamShards> all;
  ListStreamsRequest list;
  list.limit = 10000;
  for (;;) {
    absl::StatusOr<ListStreamsResult> streams = broker.ListStreams(list);
    if (!streams.ok()) return all;
    for (const std::string& name : streams->stream_names) {
      absl::StatusOr<GetShardMetricsResult> metrics =
          broker.GetShardMetrics({name});
      if (metrics.ok()) all.push_back({name, *std::move(metrics)});
    }
    if (streams->next_token.empty()) return all;
    list = ListStreamsRequest();
    list.limit = 10000;
    list.next_token = streams->next_token;
  }
}

void AppendShardMetrics(Broker& broker, PrometheusText& text) {
  const std::vector<StreamShards> all = AllShardMetrics(broker);
  for (const ShardFigure& figure : kShardFigures) {
    text.Family(figure.family, figure.type, figure.help);
    for (const StreamShards& stream : all) {
      // Only the metrics the stream enabled, as Kinesis publishes them.
      if (!absl::c_linear_search(stream.metrics.shard_level_metrics,
                                 figure.kinesis_name)) {
        continue;
      }
      for (const ShardMetrics& shard : stream.metrics.shards) {
        const PrometheusText::Labels labels = {{"stream", stream.stream},
                                               {"shard", shard.shard_id}};
        const int64_t value = shard.*figure.field;
        if (figure.scale == 1) {
          text.Sample(figure.family, labels, value);
        } else {
          text.Sample(figure.family, labels, value * figure.scale);
        }
      }
    }
  }
}

void AppendGauge(PrometheusText& text, const char* family, const char* help,
                 int64_t value) {
  text.Family(family, "gauge", help);
  text.Sample(family, {}, value);
}

void AppendBrokerMetrics(Broker& broker, PrometheusText& text) {
  absl::StatusOr<BrokerMetrics> metrics = broker.GetBrokerMetrics();
  if (!metrics.ok()) return;
  const BrokerMetrics& m = *metrics;
  AppendGauge(text, "brook_queued_write_bytes",
              "Bytes of records accepted by puts and not yet durable: queued "
              "for a group commit, or being written and synced.",
              m.queued_write_bytes);
  AppendGauge(text, "brook_tail_cache_bytes",
              "Bytes of record batches the tail cache holds for readers at "
              "the tip.",
              m.tail_cache_bytes);
  text.Family("brook_rocksdb_write_stalls_total", "counter",
              "Times RocksDB began to delay writes (condition=delayed) or "
              "to stop them (condition=stopped) because flushes or "
              "compactions fell behind.");
  text.Sample("brook_rocksdb_write_stalls_total", {{"condition", "delayed"}},
              m.write_stalls_delayed);
  text.Sample("brook_rocksdb_write_stalls_total", {{"condition", "stopped"}},
              m.write_stalls_stopped);
  AppendGauge(text, "brook_rocksdb_write_stalled",
              "1 while RocksDB delays or stops writes, else 0.",
              m.write_stalled ? 1 : 0);
  AppendGauge(text, "brook_rocksdb_pending_compaction_bytes",
              "RocksDB's estimate of the bytes compaction must rewrite.",
              m.pending_compaction_bytes);
  AppendGauge(text, "brook_open_subscriptions",
              "SubscribeToShard subscriptions being served.",
              m.open_subscriptions);
  text.Family("brook_stream_stored_bytes", "gauge",
              "Bytes a stream's records and time index take in storage "
              "(RocksDB's estimate, after compression).");
  for (const StreamStorageMetrics& stream : m.streams) {
    text.Sample("brook_stream_stored_bytes", {{"stream", stream.stream}},
                stream.stored_bytes);
  }
  text.Family("brook_consumer_behind_latest_seconds", "gauge",
              "MillisBehindLatest of the last SubscribeToShard event served "
              "to an enhanced fan-out consumer, in seconds, per open "
              "subscription.");
  for (const ConsumerShardLag& lag : m.consumer_lag) {
    text.Sample("brook_consumer_behind_latest_seconds",
                {{"stream", lag.stream},
                 {"consumer", lag.consumer_name},
                 {"shard", lag.shard_id}},
                lag.millis_behind_latest / 1000.0);
  }
}

void AppendWriteState(Broker& broker, PrometheusText& text) {
  const WriteStatus now = broker.GetWriteState().status;
  text.Family("brook_write_state", "gauge",
              "1 for the Broker's write state now (accepting, low_space: "
              "below the free-space floor, stopped_no_space, stopped), 0 "
              "for the others.");
  for (WriteStatus status :
       {WriteStatus::kAccepting, WriteStatus::kLowSpace,
        WriteStatus::kStoppedNoSpace, WriteStatus::kStopped}) {
    text.Sample("brook_write_state", {{"state", WriteStatusToString(status)}},
                int64_t{status == now ? 1 : 0});
  }
}

// The process' resident and virtual memory, from /proc/self/statm (in
// pages); nothing where that file does not exist.
void AppendProcessMemory(PrometheusText& text) {
  std::ifstream statm("/proc/self/statm");
  int64_t virtual_pages = 0;
  int64_t resident_pages = 0;
  if (!(statm >> virtual_pages >> resident_pages)) return;
  const int64_t page = ::sysconf(_SC_PAGESIZE);
  AppendGauge(text, "process_resident_memory_bytes",
              "Resident memory size in bytes.", resident_pages * page);
  AppendGauge(text, "process_virtual_memory_bytes",
              "Virtual memory size in bytes.", virtual_pages * page);
}

}  // namespace

std::string PrometheusMetrics(Broker& broker, const ServerMetrics* server) {
  PrometheusText text;
  AppendShardMetrics(broker, text);
  AppendBrokerMetrics(broker, text);
  AppendWriteState(broker, text);
  if (server != nullptr) server->AppendTo(text);
  AppendProcessMemory(text);
  return text.text();
}

}  // namespace brook
