// Internal identities of streams and shards, how a sequence number encodes
// them, and the shard ids Kinesis shows for them.
//
// A stream id is allocated once per CreateStream and never reused, so a
// shard is named for all time by (stream id, shard index). A sequence number
// is the 128-bit value
//     counter * 2^64 + stream_id * 2^32 + shard_index
// where `counter` comes from one broker-wide counter that only grows (see
// write/commit_pipeline.h). Numeric order within a shard is therefore append
// order, children's numbers exceed their parents', and a number carries its
// shard, so a number of another shard is recognised and rejected.
//
// Do not change this layout: sequence numbers are persisted by consumers.

#ifndef BROOK_COMMON_SHARD_REF_H_
#define BROOK_COMMON_SHARD_REF_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/sequence_number.h"

namespace brook {

struct ShardRef {
  uint32_t stream_id = 0;
  uint32_t shard_index = 0;

  friend bool operator==(ShardRef a, ShardRef b) {
    return a.stream_id == b.stream_id && a.shard_index == b.shard_index;
  }
  friend bool operator!=(ShardRef a, ShardRef b) { return !(a == b); }
};

inline SequenceNumber MakeSequenceNumber(uint64_t counter, ShardRef shard) {
  const uint64_t low = (uint64_t{shard.stream_id} << 32) | shard.shard_index;
  return SequenceNumber(absl::MakeUint128(counter, low));
}

inline uint64_t CounterOf(SequenceNumber sequence_number) {
  return absl::Uint128High64(sequence_number.value());
}

inline ShardRef ShardOf(SequenceNumber sequence_number) {
  const uint64_t low = absl::Uint128Low64(sequence_number.value());
  return ShardRef{static_cast<uint32_t>(low >> 32),
                  static_cast<uint32_t>(low & 0xffffffffu)};
}

// "shardId-" followed by the index in 12 digits, as Kinesis names shards.
std::string ShardIdOf(uint32_t index);
// The index of a shard id as Kinesis reads it: "shardId-000000000007" and
// the short forms "shardId-7" and "7" all name shard 7 (AWS answers for the
// canonical id whichever form a request uses). nullopt for anything else.
absl::optional<uint32_t> ParseShardId(absl::string_view shard_id);
// ShardIdOf(ParseShardId(shard_id)), or `shard_id` itself if it parses as
// no shard id.
std::string CanonicalShardId(absl::string_view shard_id);

}  // namespace brook

#endif  // BROOK_COMMON_SHARD_REF_H_
