// Key layouts of the store. Every integer is big-endian so that RocksDB's
// bytewise order is numeric order, and one shard is one contiguous key range.
//
//   records     stream_id:4 shard_index:4 first_counter:8
//   time_index  stream_id:4 shard_index:4 arrival_ms:8 first_counter:8
//   meta        "stream/" stream_id:4      -> StreamMeta (catalog/)
//               "limits/" stream_id:4      -> StreamLimits (catalog/)
//               "tags/" stream_id:4        -> the stream's tags (catalog/)
//               "consumer/" stream_id:4 name -> consumer (consumers/)
//               "checkpoint/" stream_id:4 application:lenprefixed
//                   shard_index:4          -> checkpoint (checkpoints/)
//               "counter_reservation"       -> fixed64
//               "next_stream_id"            -> fixed32
//               "token_key"                 -> 32 random bytes
//
// Do not change these layouts; bump kDataDirFormatVersion instead.

#ifndef BROOK_STORAGE_KEYS_H_
#define BROOK_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/shard_ref.h"

namespace brook {

inline constexpr absl::string_view kCounterReservationKey =
    "counter_reservation";
inline constexpr absl::string_view kNextStreamIdKey = "next_stream_id";
inline constexpr absl::string_view kTokenKeyKey = "token_key";
inline constexpr absl::string_view kStreamMetaPrefix = "stream/";
inline constexpr absl::string_view kStreamLimitsPrefix = "limits/";
inline constexpr absl::string_view kStreamTagsPrefix = "tags/";

// The 8 bytes that every key of `shard` starts with.
std::string ShardPrefix(ShardRef shard);
// The first key after every key of `shard`.
std::string ShardPrefixEnd(ShardRef shard);
// The 4-byte prefix of every key of a stream, and the first key after them.
std::string StreamPrefix(uint32_t stream_id);
std::string StreamPrefixEnd(uint32_t stream_id);

std::string RecordKey(ShardRef shard, uint64_t first_counter);
// REQUIRES: `key` is a records key.
uint64_t FirstCounterOfRecordKey(absl::string_view key);

std::string TimeIndexKey(ShardRef shard, int64_t arrival_ms,
                         uint64_t first_counter);
// REQUIRES: `key` is a time_index key.
uint64_t FirstCounterOfTimeIndexKey(absl::string_view key);

std::string StreamMetaKey(uint32_t stream_id);
std::string StreamLimitsKey(uint32_t stream_id);
std::string StreamTagsKey(uint32_t stream_id);
std::string ConsumerKey(uint32_t stream_id, absl::string_view name);
// The range of a stream's consumer keys.
std::string ConsumerKeyPrefix(uint32_t stream_id);
std::string ConsumerKeyPrefixEnd(uint32_t stream_id);
inline constexpr absl::string_view kConsumerKeyPrefix = "consumer/";

std::string CheckpointKey(uint32_t stream_id, absl::string_view application,
                          uint32_t shard_index);
// The range of an application's checkpoint keys in a stream.
std::string CheckpointKeyPrefix(uint32_t stream_id,
                                absl::string_view application);
std::string CheckpointKeyPrefixEnd(uint32_t stream_id,
                                   absl::string_view application);
// REQUIRES: `key` is a checkpoint key.
uint32_t ShardIndexOfCheckpointKey(absl::string_view key);
// The range of every checkpoint key of a stream.
std::string StreamCheckpointsPrefix(uint32_t stream_id);
std::string StreamCheckpointsPrefixEnd(uint32_t stream_id);
inline constexpr absl::string_view kCheckpointKeyPrefix = "checkpoint/";

}  // namespace brook

#endif  // BROOK_STORAGE_KEYS_H_
