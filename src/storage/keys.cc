#include "storage/keys.h"

#include "absl/strings/str_cat.h"
#include "common/coding.h"

namespace brook {

std::string ShardPrefix(ShardRef shard) {
  std::string key;
  PutFixed32BE(&key, shard.stream_id);
  PutFixed32BE(&key, shard.shard_index);
  return key;
}

std::string ShardPrefixEnd(ShardRef shard) {
  // Shard indexes stay far below 2^32 - 1, so the next index is the end.
  return ShardPrefix(ShardRef{shard.stream_id, shard.shard_index + 1});
}

std::string StreamPrefix(uint32_t stream_id) {
  std::string key;
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string StreamPrefixEnd(uint32_t stream_id) {
  // Stream ids stay below 2^32 - 1 (the allocator refuses the last one).
  return StreamPrefix(stream_id + 1);
}

std::string RecordKey(ShardRef shard, uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, first_counter);
  return key;
}

uint64_t FirstCounterOfRecordKey(absl::string_view key) {
  return DecodeFixed64BE(key.data() + 8);
}

std::string TimeIndexKey(ShardRef shard, int64_t arrival_ms,
                         uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, static_cast<uint64_t>(arrival_ms));
  PutFixed64BE(&key, first_counter);
  return key;
}

uint64_t FirstCounterOfTimeIndexKey(absl::string_view key) {
  return DecodeFixed64BE(key.data() + 16);
}

std::string StreamMetaKey(uint32_t stream_id) {
  std::string key(kStreamMetaPrefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string StreamTagsKey(uint32_t stream_id) {
  std::string key(kStreamTagsPrefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string StreamLimitsKey(uint32_t stream_id) {
  std::string key(kStreamLimitsPrefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string ConsumerKeyPrefix(uint32_t stream_id) {
  std::string key(kConsumerKeyPrefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string ConsumerKeyPrefixEnd(uint32_t stream_id) {
  return ConsumerKeyPrefix(stream_id + 1);
}

std::string ConsumerKey(uint32_t stream_id, absl::string_view name) {
  std::string key = ConsumerKeyPrefix(stream_id);
  key.append(name.data(), name.size());
  return key;
}

std::string StreamCheckpointsPrefix(uint32_t stream_id) {
  std::string key(kCheckpointKeyPrefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

std::string StreamCheckpointsPrefixEnd(uint32_t stream_id) {
  return StreamCheckpointsPrefix(stream_id + 1);
}

std::string CheckpointKeyPrefix(uint32_t stream_id,
                                absl::string_view application) {
  std::string key = StreamCheckpointsPrefix(stream_id);
  PutLengthPrefixed(&key, application);
  return key;
}

std::string CheckpointKeyPrefixEnd(uint32_t stream_id,
                                   absl::string_view application) {
  std::string key = CheckpointKeyPrefix(stream_id, application);
  PutFixed32BE(&key, UINT32_MAX);
  key.push_back('\0');
  return key;
}

std::string CheckpointKey(uint32_t stream_id, absl::string_view application,
                          uint32_t shard_index) {
  std::string key = CheckpointKeyPrefix(stream_id, application);
  PutFixed32BE(&key, shard_index);
  return key;
}

uint32_t ShardIndexOfCheckpointKey(absl::string_view key) {
  return DecodeFixed32BE(key.data() + key.size() - 4);
}

}  // namespace brook
