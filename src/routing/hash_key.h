// The 128-bit hash-key space that routes records to shards, as Kinesis
// defines it: a partition key's hash key is the MD5 of its UTF-8 bytes read
// as a big-endian unsigned integer.

#ifndef BROOK_ROUTING_HASH_KEY_H_
#define BROOK_ROUTING_HASH_KEY_H_

#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "brook/streams.h"

namespace brook {

absl::uint128 PartitionKeyHash(absl::string_view partition_key);

// Splits the whole space into `shard_count` contiguous ranges: range i starts
// at floor(2^128 / shard_count) * i and the last ends at 2^128 - 1.
// REQUIRES: shard_count >= 1.
std::vector<HashKeyRange> SplitHashKeySpaceEvenly(int shard_count);

}  // namespace brook

#endif  // BROOK_ROUTING_HASH_KEY_H_
