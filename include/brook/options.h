// -----------------------------------------------------------------------------
// File: brook/options.h
// -----------------------------------------------------------------------------
//
// Options fixed when a Broker opens its data directory. Per-stream settings
// live in `StreamOptions` (brook/streams.h).
//
// Thread safety: plain values; copy them freely.

#ifndef BROOK_OPTIONS_H_
#define BROOK_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/encryption.h"

namespace brook {

// What an acknowledged put survives. In every mode a put is visible to
// readers only after its acknowledgement is decided, and sequence numbers are
// never reused, even after a crash that loses acknowledged records.
enum class Durability {
  // The write-ahead log is fsync()ed before a put is acknowledged; concurrent
  // puts share one sync. Acknowledged records survive kill -9, an OS crash
  // and power loss. The default.
  kSync,
  // The write-ahead log is written to the OS (write(), no fsync()) before a
  // put is acknowledged. Acknowledged records survive kill -9 of the process;
  // an OS crash or power loss can lose the last few hundred milliseconds of
  // acknowledged puts.
  kNoSync,
  // No write-ahead log: records go to RocksDB's memtable and reach disk when
  // it flushes, and at Close(). A crash of the process loses every record
  // acknowledged since the last flush (up to the memtable size per column
  // family). For benchmarks and data that can be regenerated.
  kNoWal,
};

// How on-demand streams (StreamMode::kOnDemand) scale, as Kinesis' on-demand
// capacity mode does (docs/capacity.md). Write rates are bytes (data plus
// partition key) and records per second of the Broker's clock.
struct OnDemandOptions {
  // The most on-demand streams; CreateStream and UpdateStreamMode past it
  // fail with LimitExceededException.
  // Default: 50, Kinesis' per-account quota.
  int max_streams = 50;

  // The shards a new on-demand stream starts with.
  // Default: 4, as Kinesis.
  int initial_shard_count = 4;

  // What a new on-demand stream takes at once, before it has a peak.
  // Default: 4 MiB/s and 4,000 records/s, as Kinesis.
  int64_t initial_write_bytes_per_second = int64_t{4} << 20;
  int64_t initial_write_records_per_second = 4000;

  // The stream-level write limit: an on-demand stream never takes more.
  // Default: 200 MiB/s and 200,000 records/s, Kinesis' default.
  int64_t max_write_bytes_per_second = int64_t{200} << 20;
  int64_t max_write_records_per_second = 200000;

  // Writes are admitted up to twice the highest write rate (per second)
  // seen at least `scale_up_delay` ago and within `peak_window`; traffic
  // that more than doubles within `scale_up_delay` is throttled.
  // Default: 15 minutes and 30 days, as Kinesis.
  absl::Duration scale_up_delay = absl::Minutes(15);
  absl::Duration peak_window = absl::Hours(24 * 30);

  // A shard is split once its write rate passes this fraction of the
  // stream's per-shard write limits (StreamLimits), at the hash key that
  // halves its traffic.
  // Default: 0.5 (Kinesis splits an on-demand shard near 500 KB/s).
  double split_utilization = 0.5;

  // Two adjacent shards are merged once each has been below this fraction
  // of the per-shard limits for `merge_quiet_period` and their sum still
  // is, never below `initial_shard_count` open shards.
  // Default: 0.1 for 1 hour.
  double merge_utilization = 0.1;
  absl::Duration merge_quiet_period = absl::Hours(1);

  // How often, in real time, the scaling controller measures and acts.
  // Zero runs no background controller (tests drive it by hand).
  // Default: 1 second.
  absl::Duration check_interval = absl::Seconds(1);
};

struct BrokerOptions {
  // Create the data directory if it does not exist.
  // Default: true.
  bool create_if_missing = true;

  // See `Durability`.
  // Default: Durability::kSync.
  Durability durability = Durability::kSync;

  // The source of time for arrival timestamps and token expiry. Not owned;
  // must outlive the Broker.
  // Default: nullptr, meaning Clock::Real().
  Clock* clock = nullptr;

  // The most shards (open or closed) that all streams of this Broker may hold
  // together; CreateStream past it fails with LimitExceededException.
  // Default: 20,000, the Kinesis per-account shard quota.
  int max_shards = 20000;

  // Bytes of record data (data plus partition keys) accepted but not yet
  // committed. A put that would exceed it waits until earlier puts commit, so
  // that the Broker's memory does not grow with the load. A single request
  // larger than this is still accepted when nothing else is pending.
  // Default: 64 MiB.
  size_t max_pending_write_bytes = size_t{64} << 20;

  // The most record bytes that one commit group (one RocksDB write, one sync)
  // takes from the queue. The Broker keeps one buffer of about 1.25 times
  // this for building groups.
  // Default: 8 MiB.
  size_t max_commit_group_bytes = size_t{8} << 20;

  // Bytes of the newest records, over all shards, kept in memory so that
  // consumers near the tip (fan-out subscriptions, GetRecords close behind
  // the producers) read them without going to RocksDB. The oldest go first
  // when it is full; 0 keeps none.
  // Default: 64 MiB.
  size_t tail_cache_bytes = size_t{64} << 20;

  // The most enhanced fan-out consumers one stream may have;
  // RegisterStreamConsumer past it fails with LimitExceededException.
  // Default: 20, as Kinesis.
  int max_consumers_per_stream = 20;

  // Threads that run enhanced fan-out deliveries and their handlers.
  // Default: 2.
  int fan_out_threads = 2;

  // How long a SubscribeToShard subscription lasts before it ends and the
  // consumer subscribes again.
  // Default: 5 minutes, as Kinesis.
  absl::Duration subscription_lifetime = absl::Minutes(5);

  // How often, in real time, a background pass removes records older than
  // their stream's retention period.
  // Default: 10 seconds.
  absl::Duration retention_check_interval = absl::Seconds(10);

  // The free space, in bytes, that the data directory's filesystem must keep.
  // Below it, puts and other writes that add data fail with InternalFailure
  // (code kResourceExhausted) and write nothing, while DeleteStream,
  // DeregisterStreamConsumer and retention still run; writes resume once
  // space is back (see brook/write_state.h). Brook keeps a quarter of it in
  // a file, RESERVE in the data directory, which it deletes if the disk
  // fills anyway, so that it can still flush, delete and reopen. Set it
  // above what the store may still write once puts stop: up to 256 MiB of
  // memtables to flush, and the output of a compaction. 0 disables it.
  // Default: 256 MiB.
  uint64_t min_free_disk_bytes = uint64_t{256} << 20;

  // How often, in real time, a background check measures free space and,
  // after a full disk stopped writes, tries to resume them.
  // Default: 1 second.
  absl::Duration disk_check_interval = absl::Seconds(1);

  // See `OnDemandOptions`.
  OnDemandOptions on_demand;

  // Where the master keys of encrypted streams come from
  // (StartStreamEncryption; see brook/encryption.h). Shared, so that an
  // application can keep using it (e.g. to rotate keys).
  // Default: nullptr, meaning a KeyDirectory at `key_directory`.
  std::shared_ptr<KeyProvider> key_provider;

  // The directory of the default key provider's master keys. Keep it out of
  // the data directory, so that a copy of the data directory holds no key;
  // it is created on first use (StartStreamEncryption).
  // Default: "", meaning the data directory's path followed by ".keys"
  // ("/var/lib/brook" -> "/var/lib/brook.keys").
  std::string key_directory;

  // Used only to build stream ARNs:
  // "arn:aws:kinesis:<region>:<account_id>:stream/<name>", and the key ARNs
  // of the default key provider.
  // Default: "us-east-1" and "000000000000".
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // BrokerOptions::Validate()
  //
  // Returns OK, or InvalidArgumentException naming the first bad field.
  // Broker::Open() calls it.
  absl::Status Validate() const;
};

}  // namespace brook

#endif  // BROOK_OPTIONS_H_
