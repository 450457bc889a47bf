// The persisted description of a stream and its shards, and its encoding.
//
//   version:1 (=2) id:fixed32 name:lenprefixed creation_ms:varint
//   max_record_size_kib:varint retention_hours:varint shard_count:varint
//   { index:varint parent:varint adjacent_parent:varint (index + 1; 0 = none)
//     starting_hash_key:fixed64x2 ending_hash_key:fixed64x2
//     starting_counter:varint ending_counter:varint (counter + 1; 0 = open)
//     closed_ms:varint }
//   scaling_count:varint { scaling_ms:varint }
//
// Version 1, written before resharding existed, lacks closed_ms and the
// scalings; it is still read.
//
// A stream's throughput limits are kept under their own key, so that
// changing them rewrites only them:
//
//   version:1 (=1) write_bytes:varint write_records:varint read_bytes:varint
//   read_calls:varint fan_out_bytes:varint      (0 = unlimited)
//
// Its tags too:
//
//   version:1 (=1) count:varint { key:lenprefixed value:lenprefixed }
//
// Do not change the meaning of existing fields; add new ones at the end
// under a new version byte.

#ifndef BROOK_CATALOG_STREAM_META_H_
#define BROOK_CATALOG_STREAM_META_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/limits.h"
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
};

// A new stream's description: `shard_count` open shards splitting the hash
// key space evenly (see routing/hash_key.h), all starting at
// `starting_counter`; other fields keep their defaults.
StreamMeta NewStreamMeta(uint32_t id, std::string name, int shard_count,
                         uint64_t starting_counter);

std::string EncodeStreamMeta(const StreamMeta& meta);
// Fails with InternalFailure if `value` is damaged or of an unknown version.
absl::StatusOr<StreamMeta> DecodeStreamMeta(absl::string_view value);

std::string EncodeStreamLimits(const StreamLimits& limits);
// Fails with InternalFailure if `value` is damaged or of an unknown version.
absl::StatusOr<StreamLimits> DecodeStreamLimits(absl::string_view value);

// A stream's tags, by key.
using StreamTags = std::map<std::string, std::string>;

std::string EncodeStreamTags(const StreamTags& tags);
// Fails with InternalFailure if `value` is damaged or of an unknown version.
absl::StatusOr<StreamTags> DecodeStreamTags(absl::string_view value);

// "shardId-" followed by the index in 12 digits, as Kinesis names shards.
std::string ShardIdOf(uint32_t index);
// The index that ShardIdOf() encodes, or nullopt for any other string.
absl::optional<uint32_t> ParseShardId(absl::string_view shard_id);

}  // namespace brook

#endif  // BROOK_CATALOG_STREAM_META_H_
