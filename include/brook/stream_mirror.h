// -----------------------------------------------------------------------------
// File: brook/stream_mirror.h
// -----------------------------------------------------------------------------
//
// A StreamMirror copies a local stream, continuously, to a stream on another
// Broker, typically a remote one (Broker::Connect): store and forward for
// devices and services that must keep accepting data while their uplink is
// slow or down. Producers put to the local stream as usual; the mirror
// forwards every record with its partition key, data and explicit hash key
// (if it was put with one, so that the copy goes to the destination shard
// that owns that hash key), and checkpoints its progress in the local Broker
// once the destination has acknowledged.
//
//   auto local = brook::Broker::Open(brook::BrokerOptions(), "/var/brook");
//   auto cloud = brook::Broker::Connect(brook::ConnectOptions(),
//                                       "https://kinesis.eu-west-1.amazonaws.com");
//   brook::StreamMirrorOptions options;
//   options.source_stream = "telemetry";
//   auto mirror = brook::StreamMirror::Start(local->get(), cloud->get(),
//                                            options);
//
// Guarantees:
//   - Per-partition-key order is never broken: a PutRecords request carries
//     at most one record of a key, and a record that fails (throttled, say)
//     is retried before any later record of its key is sent. The local
//     stream's reshards are followed parents first (brook/shard_lineage.h).
//   - At least once: a record is forwarded again only if the mirror stopped
//     (or crashed) after the destination took it but before the checkpoint,
//     or if an answer was lost; such a repeat comes after the record's first
//     copy, never before an earlier record of its key.
//   - A destination that is down, slow or throttling is retried with
//     exponential backoff (no busy loop) for as long as it takes; the local
//     stream keeps accepting puts meanwhile, up to its retention period.
//   - Records the local retention removes before they were forwarded are
//     lost to the destination; `hold_retention` raises the local stream's
//     retention period to keep them (see StreamMirrorOptions).
//
// Threads: the mirror runs a brook::Worker over the source stream (one
// coordinating thread, one per shard being forwarded).
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: both Brokers must outlive the mirror; destroying it stops it.

#ifndef BROOK_STREAM_MIRROR_H_
#define BROOK_STREAM_MIRROR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "brook/broker.h"
#include "brook/retry.h"

namespace brook {

struct StreamMirrorOptions {
  // The local stream to copy (name or ARN).
  std::string source_stream;
  // The stream to copy it to, on the destination Broker.
  // Default: empty, meaning the source stream's name.
  std::string destination_stream;
  // Names the mirror's checkpoints in the source Broker: 1 to 128
  // characters of [a-zA-Z0-9_.-]. Two mirrors of one stream need two names.
  // Default: "brook-mirror".
  std::string application_name = "brook-mirror";
  // Create the destination stream, with as many shards as the source has
  // open, if it does not exist.
  // Default: true.
  bool create_destination = true;
  // The most records, and bytes of data plus partition keys, per PutRecords
  // request. Valid: 1 to 500, and 1 byte to 5 MiB (Kinesis' limits).
  // Defaults: 500 and 5 MiB.
  int max_batch_records = 500;
  size_t max_batch_bytes = size_t{5} << 20;
  // How often, at most, a shard's progress is checkpointed while it is
  // being forwarded (always when a read's records have all been
  // forwarded). Longer means fewer synced writes to the source Broker and
  // more records forwarded again after a crash.
  // Default: 200 ms.
  absl::Duration checkpoint_interval = absl::Milliseconds(200);
  // How long a caught-up mirror waits before reading again.
  // Default: 100 ms.
  absl::Duration idle_time_between_reads = absl::Milliseconds(100);
  // Pauses after a failed or partly failed PutRecords, growing from
  // `initial_backoff` to `max_backoff` with full jitter; `max_attempts` is
  // not used: the mirror retries until it is stopped.
  // Defaults: 100 ms and 30 s.
  RetryOptions backoff = {0, absl::Milliseconds(100), absl::Seconds(30), {}};
  // Retention safety: while records wait to be forwarded for longer than
  // half the local stream's retention period, double that period (Increase-
  // StreamRetentionPeriod), up to `max_retention_hours`, so that records
  // not yet forwarded are not removed. The period is the disk budget: at
  // the local stream's write rate it bounds what is kept. Without it, or
  // past the budget, records that expire unforwarded are lost to the
  // destination and counted in StreamMirrorMetrics::expired_gaps.
  // Defaults: true, 168 hours (7 days).
  bool hold_retention = true;
  int max_retention_hours = 168;

  // StreamMirrorOptions::Validate()
  //
  // OK, or InvalidArgumentException naming the first bad field.
  absl::Status Validate() const;
};

struct StreamMirrorMetrics {
  // Records (and bytes of data plus partition keys) the destination
  // acknowledged since the mirror started.
  int64_t records_forwarded = 0;
  int64_t bytes_forwarded = 0;
  // Records read from the source and not yet acknowledged.
  int64_t records_pending = 0;
  // How far behind the source's newest record the mirror is: the age of
  // the oldest record read and not yet forwarded, or, with none pending,
  // the source's MillisBehindLatest at the last read. Max over shards.
  int64_t lag_millis = 0;
  // PutRecords requests that failed whole, and records that failed inside
  // a request; each is tried again.
  int64_t failed_requests = 0;
  int64_t failed_records = 0;
  // Whether the last PutRecords reached the destination and got an answer.
  bool destination_reachable = false;
  // Times a shard resumed after a checkpoint that the source's retention
  // had already removed: the records after it may have expired before they
  // were forwarded (how many is unknown: they are gone). Also reported in
  // `last_error`.
  int64_t expired_gaps = 0;
  // The last failure, for operators; OK if none yet.
  absl::Status last_error;
};

class StreamMirror {
 public:
  // StreamMirror::Start()
  //
  // Validates `options`, creates the destination stream if asked to and
  // needed, and starts forwarding from the mirror's checkpoints (from the
  // source's oldest record the first time). Fails with
  // InvalidArgumentException (bad options), ResourceNotFoundException (no
  // source stream; no destination stream and !create_destination), or as
  // the Brokers' calls fail.
  static absl::StatusOr<std::unique_ptr<StreamMirror>> Start(
      Broker* source, Broker* destination, const StreamMirrorOptions& options);

  StreamMirror() = default;
  StreamMirror(const StreamMirror&) = delete;
  StreamMirror& operator=(const StreamMirror&) = delete;
  virtual ~StreamMirror() = default;

  virtual StreamMirrorMetrics metrics() const = 0;

  // StreamMirror::WaitUntilCaughtUp()
  //
  // Waits up to `timeout` until every record the source held when called
  // has been forwarded and checkpointed; true if so.
  virtual bool WaitUntilCaughtUp(absl::Duration timeout) = 0;

  // StreamMirror::Stop()
  //
  // Stops forwarding (a request in flight finishes first) and joins the
  // threads; the checkpoints say where a later Start() resumes. Returns the
  // error that stopped the mirror, if one did. Idempotent.
  virtual absl::Status Stop() = 0;
};

}  // namespace brook

#endif  // BROOK_STREAM_MIRROR_H_
