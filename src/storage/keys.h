// Key layouts of the store, one function per kind of key. Every integer is
// big-endian so that RocksDB's bytewise order is numeric order, and one
// shard is one contiguous key range.
//
//   records     stream_id:4 shard_index:4 first_counter:8  -> record batch
//   time_index  stream_id:4 shard_index:4 arrival_ms:8 first_counter:8
//                                                          -> empty
//   meta        "stream/" stream_id:4                      -> StreamMeta
//               "limits/" stream_id:4                      -> StreamLimits
//               "tags/" stream_id:4                        -> StreamTags
//               "settings/" stream_id:4                    -> StreamSettings
//               "encryption/" stream_id:4                  -> StreamEncryption
//               "consumer/" stream_id:4 name               -> consumer
//               "checkpoint/" stream_id:4 application:lenprefixed
//                   shard_index:4                          -> checkpoint
//               "counter_reservation"                      -> fixed64
//               "next_stream_id"                           -> fixed32
//               "token_key"                                -> 32 bytes
// Values are laid out in storage/record_batch.h and storage/meta_values.h.
//
// The parsers check a key's shape and fail with DataLoss (kDataLoss,
// InternalFailure) when it has none of the layouts above: a damaged key is
// reported, never misread.
//
// Do not change these layouts; bump kDataDirFormatVersion instead. A golden
// test (tests/storage/keys_test.cc) pins every one of them.
//
// Thread safety: pure functions.

#ifndef BROOK_STORAGE_KEYS_H_
#define BROOK_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/shard_ref.h"

namespace brook {

// The keys k with begin <= k < end.
struct KeyRange {
  std::string begin;
  std::string end;
};

// records and time_index: every key of a shard, and of a stream.
KeyRange ShardKeys(ShardRef shard);
KeyRange StreamKeys(uint32_t stream_id);

std::string RecordKey(ShardRef shard, uint64_t first_counter);
// The first counter of a records key of `shard`.
absl::StatusOr<uint64_t> ParseRecordKey(ShardRef shard, absl::string_view key);

// Every key of the records or time_index family, and the shard any of
// them belongs to (DataLoss for a key too short to name one).
KeyRange AllShardKeys();
absl::StatusOr<ShardRef> ParseShardOfKey(absl::string_view key);

// A time before 1970 (a seek or trim bound) keys as 0, the index's start.
std::string TimeIndexKey(ShardRef shard, int64_t arrival_ms,
                         uint64_t first_counter);
struct TimeIndexEntry {
  int64_t arrival_ms = 0;
  uint64_t first_counter = 0;
};
// Both parts of a time_index key of `shard`.
absl::StatusOr<TimeIndexEntry> ParseTimeIndexEntry(ShardRef shard,
                                                   absl::string_view key);
// The first counter of the batch that a time_index key of `shard` points to.
absl::StatusOr<uint64_t> ParseTimeIndexKey(ShardRef shard,
                                           absl::string_view key);

// meta: a stream's description, limits, tags and settings.
std::string StreamMetaKey(uint32_t stream_id);
std::string StreamLimitsKey(uint32_t stream_id);
std::string StreamTagsKey(uint32_t stream_id);
std::string StreamSettingsKey(uint32_t stream_id);
std::string StreamEncryptionKey(uint32_t stream_id);
// Every StreamMetaKey.
KeyRange AllStreamMetaKeys();

// meta: fan-out consumers.
std::string ConsumerKey(uint32_t stream_id, absl::string_view name);
KeyRange ConsumerKeys(uint32_t stream_id);
KeyRange AllConsumerKeys();
struct ConsumerKeyParts {
  uint32_t stream_id = 0;
  std::string name;
};
absl::StatusOr<ConsumerKeyParts> ParseConsumerKey(absl::string_view key);

// meta: applications' checkpoints.
std::string CheckpointKey(uint32_t stream_id, absl::string_view application,
                          uint32_t shard_index);
// An application's checkpoints in a stream, and every checkpoint of a stream.
KeyRange CheckpointKeys(uint32_t stream_id, absl::string_view application);
KeyRange StreamCheckpointKeys(uint32_t stream_id);
// The application and shard index of a key in StreamCheckpointKeys().
struct CheckpointKeyParts {
  std::string application;
  uint32_t shard_index = 0;
};
absl::StatusOr<CheckpointKeyParts> ParseStreamCheckpointKey(
    uint32_t stream_id, absl::string_view key);
// The shard index of a key in CheckpointKeys(stream_id, application).
absl::StatusOr<uint32_t> ParseCheckpointKey(uint32_t stream_id,
                                            absl::string_view application,
                                            absl::string_view key);

// meta: checkpoints of streams that other Brokers serve, under the remote
// stream (its endpoint and name or ARN) and the application; the rest of
// the key is the shard id.
struct RemoteStreamKey {
  absl::string_view endpoint;
  absl::string_view stream;
};
std::string RemoteCheckpointKey(RemoteStreamKey stream,
                                absl::string_view application,
                                absl::string_view shard_id);
KeyRange RemoteCheckpointKeys(RemoteStreamKey stream,
                              absl::string_view application);
// The shard id of a key in RemoteCheckpointKeys(stream, application).
absl::StatusOr<std::string> ParseRemoteCheckpointKey(
    RemoteStreamKey stream, absl::string_view application,
    absl::string_view key);
// Every remote stream's checkpoint keys, and all four parts of one.
KeyRange AllRemoteCheckpointKeys();
struct RemoteCheckpointKeyParts {
  std::string endpoint;
  std::string stream;
  std::string application;
  std::string shard_id;
};
absl::StatusOr<RemoteCheckpointKeyParts> ParseAnyRemoteCheckpointKey(
    absl::string_view key);

// meta: single keys.
inline constexpr absl::string_view kCounterReservationKey =
    "counter_reservation";
inline constexpr absl::string_view kNextStreamIdKey = "next_stream_id";
inline constexpr absl::string_view kTokenKeyKey = "token_key";

}  // namespace brook

#endif  // BROOK_STORAGE_KEYS_H_
