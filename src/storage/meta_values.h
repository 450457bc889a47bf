// The value layouts of the meta column family (keys in storage/keys.h), and
// the types they hold.
//
// A stream's description (key "stream/"):
//   version:1 (=3) id:fixed32 name:lenprefixed creation_ms:varint
//   max_record_size_kib:varint retention_hours:varint shard_count:varint
//   { index:varint parent:varint adjacent_parent:varint (index + 1; 0 = none)
//     starting_hash_key:fixed64x2 ending_hash_key:fixed64x2
//     starting_counter:varint ending_counter:varint (counter + 1; 0 = open)
//     closed_ms:varint }
//   scaling_count:varint { scaling_ms:varint }
//   stream_mode:1 (0 = PROVISIONED, 1 = ON_DEMAND)
//   mode_change_count:varint { mode_change_ms:varint }
// Version 1, written before resharding existed, lacks closed_ms and the
// scalings; version 2, written before capacity modes, lacks the mode and
// its changes (it is PROVISIONED). Both are still read.
//
// Its throughput limits (key "limits/"), kept apart so that changing them
// rewrites only them:
//   version:1 (=2) write_bytes:varint write_records:varint read_bytes:varint
//   read_calls:varint fan_out_bytes:varint shard_iterator_calls:varint
//                                               (0 = unlimited)
// Version 1, written before GetShardIterator had a limit of its own, lacks
// shard_iterator_calls; it is still read, with Kinesis' 5 calls per second.
//
// Its tags (key "tags/"):
//   version:1 (=1) count:varint { key:lenprefixed value:lenprefixed }
//
// Its settings (key "settings/"): enhanced monitoring and resource policy,
// absent until one of them is first set:
//   version:1 (=1) shard_level_metrics:varint (bit i = kShardLevelMetrics[i])
//   has_policy:1 (0 or 1) [policy: the rest of the value, JSON text]
//
// Its encryption (key "encryption/"), absent until StartStreamEncryption is
// first called:
//   version:1 (=1) current:varint (generation + 1 of the data key that seals
//   new batches; 0 = none, they are stored in plaintext)
//   key_count:varint { generation:varint key_id:lenprefixed
//                      wrapped:lenprefixed }
//   start_count:varint { start_ms:varint } stop_count:varint { stop_ms:varint }
// Every data key the stream had is kept, wrapped by its master key, for the
// batches it sealed; the starts and stops of the last 24 hours count
// against Kinesis' limits.
//
// A fan-out consumer (key "consumer/"):
//   version:1 (=2) creation_ms:varint
//   tag_count:varint { key:lenprefixed value:lenprefixed }
//   has_policy:1 (0 or 1) [policy: the rest of the value, JSON text]
// Version 1, written before consumers had tags and policies, holds only
// creation_ms; it is still read.
//
// An application's checkpoint of a shard (key "checkpoint/"):
//   version:1 (=1) shard_end:1 (0 or 1) counter:varint sub_sequence:varint
//
// A remote stream's checkpoint of a shard (key "remote_checkpoint/"):
//   version:1 (=1) shard_end:1 (0 or 1) sub_sequence:varint
//   sequence_number: the rest, decimal digits ("0" at a shard end)
//
// Single values: "counter_reservation" fixed64 (every counter handed out is
// below it), "next_stream_id" fixed32, "token_key" 32 random bytes.
//
// Decoders fail with DataLoss (kDataLoss, InternalFailure) on a value that
// is damaged or of an unknown version. Do not change the meaning of existing
// fields; add new ones at the end under a new version byte. A golden test
// (tests/storage/meta_values_test.cc) pins every layout.
//
// Thread safety: plain values and pure functions.

#ifndef BROOK_STORAGE_META_VALUES_H_
#define BROOK_STORAGE_META_VALUES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/limits.h"
#include "brook/sequence_number.h"
#include "brook/streams.h"

namespace brook {

struct ShardMeta {
  uint32_t index = 0;
  absl::optional<uint32_t> parent_index;
  absl::optional<uint32_t> adjacent_parent_index;
  HashKeyRange hash_key_range;
  // Every record of the shard has a counter of at least this.
  uint64_t starting_counter = 0;
  // Set when the shard is closed: its last counter.
  absl::optional<uint64_t> ending_counter;
  // When it was closed (Unix milliseconds); 0 while open.
  int64_t closed_ms = 0;

  bool open() const { return !ending_counter.has_value(); }
};

struct StreamMeta {
  uint32_t id = 0;
  std::string name;
  int64_t creation_ms = 0;
  int max_record_size_kib = 1024;
  int retention_hours = 24;
  std::vector<ShardMeta> shards;  // shards[i].index == i
  // When UpdateShardCount ran within the last 24 hours (Unix milliseconds),
  // oldest first, for Kinesis' limit of 10 scalings a day.
  std::vector<int64_t> scaling_ms;
  StreamMode stream_mode = StreamMode::kProvisioned;
  // When UpdateStreamMode switched the mode within the last 24 hours (Unix
  // milliseconds), oldest first, for Kinesis' limit of two a day.
  std::vector<int64_t> mode_change_ms;
};

std::string EncodeStreamMeta(const StreamMeta& meta);
absl::StatusOr<StreamMeta> DecodeStreamMeta(absl::string_view value);

std::string EncodeStreamLimits(const StreamLimits& limits);
absl::StatusOr<StreamLimits> DecodeStreamLimits(absl::string_view value);

// A stream's tags, by key.
using StreamTags = std::map<std::string, std::string>;

std::string EncodeStreamTags(const StreamTags& tags);
absl::StatusOr<StreamTags> DecodeStreamTags(absl::string_view value);

// What a stream is set to beyond its shards: Kinesis' enhanced monitoring
// and resource policy.
struct StreamSettings {
  // The shard-level metrics enabled, one bit per name in
  // kShardLevelMetrics (bit i for kShardLevelMetrics[i]).
  uint32_t shard_level_metrics = 0;
  // The resource policy (JSON text), if one was put.
  absl::optional<std::string> policy;

  friend bool operator==(const StreamSettings&,
                         const StreamSettings&) = default;
};

// Kinesis' shard-level metric names, in the order of their bits in
// StreamSettings::shard_level_metrics. The order is stored: never reorder.
inline constexpr absl::string_view kShardLevelMetrics[] = {
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
};

std::string EncodeStreamSettings(const StreamSettings& settings);
absl::StatusOr<StreamSettings> DecodeStreamSettings(absl::string_view value);

// One of a stream's data keys, as stored: wrapped by its master key.
struct StoredDataKey {
  uint32_t generation = 0;
  std::string key_id;   // The master key, as StartStreamEncryption named it.
  std::string wrapped;  // KeyProvider::GenerateDataKey()'s `wrapped`.

  friend bool operator==(const StoredDataKey&, const StoredDataKey&) = default;
};

// What StartStreamEncryption and StopStreamEncryption set.
struct StreamEncryption {
  // The generation of the data key sealing new batches; nullopt while the
  // stream stores them in plaintext.
  absl::optional<uint32_t> current;
  std::vector<StoredDataKey> keys;  // By generation, oldest first.
  // Unix milliseconds of the starts and stops of the last 24 hours.
  std::vector<int64_t> start_ms;
  std::vector<int64_t> stop_ms;

  friend bool operator==(const StreamEncryption&,
                         const StreamEncryption&) = default;
};

std::string EncodeStreamEncryption(const StreamEncryption& encryption);
absl::StatusOr<StreamEncryption> DecodeStreamEncryption(
    absl::string_view value);

// A fan-out consumer as stored with its key (stream id and name).
struct ConsumerMeta {
  int64_t creation_ms = 0;  // Unix milliseconds.
  // Its tags (TagResource) and resource policy (PutResourcePolicy, JSON
  // text), kept with it and deleted with it.
  StreamTags tags;
  absl::optional<std::string> policy;

  friend bool operator==(const ConsumerMeta&, const ConsumerMeta&) = default;
};

std::string EncodeConsumer(const ConsumerMeta& consumer);
absl::StatusOr<ConsumerMeta> DecodeConsumer(absl::string_view value);

struct StoredCheckpoint {
  uint64_t counter = 0;
  int64_t sub_sequence = 0;
  bool shard_end = false;
};

std::string EncodeCheckpoint(const StoredCheckpoint& checkpoint);
absl::StatusOr<StoredCheckpoint> DecodeCheckpoint(absl::string_view value);

// A remote stream's checkpoint (its key holds the shard id): the sequence
// number as the remote endpoint issued it, which may be wider than 128 bits.
struct StoredRemoteCheckpoint {
  SequenceNumber sequence_number;  // Zero at a shard end.
  int64_t sub_sequence = 0;
  bool shard_end = false;
};

std::string EncodeRemoteCheckpoint(const StoredRemoteCheckpoint& checkpoint);
absl::StatusOr<StoredRemoteCheckpoint> DecodeRemoteCheckpoint(
    absl::string_view value);

std::string EncodeCounterReservation(uint64_t reserved_until);
absl::StatusOr<uint64_t> DecodeCounterReservation(absl::string_view value);

std::string EncodeNextStreamId(uint32_t next_stream_id);
absl::StatusOr<uint32_t> DecodeNextStreamId(absl::string_view value);

// The token key is stored as is; this checks its length.
absl::StatusOr<std::string> DecodeTokenKey(absl::string_view value);

}  // namespace brook

#endif  // BROOK_STORAGE_META_VALUES_H_
