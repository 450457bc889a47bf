#include "storage/keys.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/coding.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook {
namespace {

constexpr absl::string_view kStreamMetaPrefix = "stream/";
constexpr absl::string_view kStreamLimitsPrefix = "limits/";
constexpr absl::string_view kStreamTagsPrefix = "tags/";
constexpr absl::string_view kStreamSettingsPrefix = "settings/";
constexpr absl::string_view kStreamEncryptionPrefix = "encryption/";
constexpr absl::string_view kConsumerPrefix = "consumer/";
constexpr absl::string_view kCheckpointPrefix = "checkpoint/";
constexpr absl::string_view kRemoteCheckpointPrefix = "remote_checkpoint/";

constexpr size_t kShardPrefixBytes = 8;
constexpr size_t kRecordKeyBytes = kShardPrefixBytes + 8;
constexpr size_t kTimeIndexKeyBytes = kShardPrefixBytes + 16;

std::string ShardPrefix(ShardRef shard) {
  std::string key;
  PutFixed32BE(&key, shard.stream_id);
  PutFixed32BE(&key, shard.shard_index);
  return key;
}

std::string PrefixedStreamId(absl::string_view prefix, uint32_t stream_id) {
  std::string key(prefix);
  PutFixed32BE(&key, stream_id);
  return key;
}

// Every key that starts with `prefix`, a non-empty text that does not end
// in 0xff.
KeyRange TextPrefixKeys(absl::string_view prefix) {
  std::string end(prefix);
  end.back() += 1;
  return KeyRange{std::string(prefix), std::move(end)};
}

absl::Status DamagedKey(absl::string_view kind, absl::string_view key) {
  return DataLoss(absl::StrCat("damaged ", kind, " key ",
                               absl::CEscape(key.substr(0, 64))));
}

}  // namespace

KeyRange ShardKeys(ShardRef shard) {
  // Shard indexes stay far below 2^32 - 1, so the next index is the end.
  return KeyRange{
      ShardPrefix(shard),
      ShardPrefix(ShardRef{shard.stream_id, shard.shard_index + 1})};
}

KeyRange StreamKeys(uint32_t stream_id) {
  // Stream ids stay below 2^32 - 1 (the allocator refuses the last one).
  return KeyRange{PrefixedStreamId("", stream_id),
                  PrefixedStreamId("", stream_id + 1)};
}

std::string RecordKey(ShardRef shard, uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  PutFixed64BE(&key, first_counter);
  return key;
}

absl::StatusOr<uint64_t> ParseRecordKey(ShardRef shard, absl::string_view key) {
  if (key.size() != kRecordKeyBytes ||
      !absl::StartsWith(key, ShardPrefix(shard))) {
    return DamagedKey("record batch", key);
  }
  return DecodeFixed64BE(key.data() + kShardPrefixBytes);
}

std::string TimeIndexKey(ShardRef shard, int64_t arrival_ms,
                         uint64_t first_counter) {
  std::string key = ShardPrefix(shard);
  // Read unsigned, a time before 1970 would sort after every entry. No
  // batch arrives before 0 (EncodeRecordBatch requires it), so such a time,
  // a seek or trim bound, means the index's start.
  PutFixed64BE(&key, static_cast<uint64_t>(std::max<int64_t>(arrival_ms, 0)));
  PutFixed64BE(&key, first_counter);
  return key;
}

KeyRange AllShardKeys() {
  return KeyRange{"", std::string(kShardPrefixBytes + 1, '\xff')};
}

absl::StatusOr<ShardRef> ParseShardOfKey(absl::string_view key) {
  if (key.size() < kShardPrefixBytes) return DamagedKey("shard", key);
  return ShardRef{DecodeFixed32BE(key.data()), DecodeFixed32BE(key.data() + 4)};
}

absl::StatusOr<TimeIndexEntry> ParseTimeIndexEntry(ShardRef shard,
                                                   absl::string_view key) {
  if (key.size() != kTimeIndexKeyBytes ||
      !absl::StartsWith(key, ShardPrefix(shard))) {
    return DamagedKey("time index", key);
  }
  return TimeIndexEntry{
      static_cast<int64_t>(DecodeFixed64BE(key.data() + kShardPrefixBytes)),
      DecodeFixed64BE(key.data() + kShardPrefixBytes + 8)};
}

absl::StatusOr<uint64_t> ParseTimeIndexKey(ShardRef shard,
                                           absl::string_view key) {
  BROOK_ASSIGN_OR_RETURN(TimeIndexEntry entry, ParseTimeIndexEntry(shard, key));
  return entry.first_counter;
}

std::string StreamMetaKey(uint32_t stream_id) {
  return PrefixedStreamId(kStreamMetaPrefix, stream_id);
}

std::string StreamLimitsKey(uint32_t stream_id) {
  return PrefixedStreamId(kStreamLimitsPrefix, stream_id);
}

std::string StreamTagsKey(uint32_t stream_id) {
  return PrefixedStreamId(kStreamTagsPrefix, stream_id);
}

std::string StreamSettingsKey(uint32_t stream_id) {
  return PrefixedStreamId(kStreamSettingsPrefix, stream_id);
}

std::string StreamEncryptionKey(uint32_t stream_id) {
  return PrefixedStreamId(kStreamEncryptionPrefix, stream_id);
}

KeyRange AllStreamMetaKeys() { return TextPrefixKeys(kStreamMetaPrefix); }

std::string ConsumerKey(uint32_t stream_id, absl::string_view name) {
  std::string key = PrefixedStreamId(kConsumerPrefix, stream_id);
  key.append(name.data(), name.size());
  return key;
}

KeyRange ConsumerKeys(uint32_t stream_id) {
  return KeyRange{PrefixedStreamId(kConsumerPrefix, stream_id),
                  PrefixedStreamId(kConsumerPrefix, stream_id + 1)};
}

KeyRange AllConsumerKeys() { return TextPrefixKeys(kConsumerPrefix); }

absl::StatusOr<ConsumerKeyParts> ParseConsumerKey(absl::string_view key) {
  absl::string_view rest = key;
  // A consumer name has at least one character.
  if (!absl::ConsumePrefix(&rest, kConsumerPrefix) || rest.size() < 5) {
    return DamagedKey("consumer", key);
  }
  return ConsumerKeyParts{DecodeFixed32BE(rest.data()),
                          std::string(rest.substr(4))};
}

std::string CheckpointKey(uint32_t stream_id, absl::string_view application,
                          uint32_t shard_index) {
  std::string key = CheckpointKeys(stream_id, application).begin;
  PutFixed32BE(&key, shard_index);
  return key;
}

KeyRange CheckpointKeys(uint32_t stream_id, absl::string_view application) {
  std::string begin = PrefixedStreamId(kCheckpointPrefix, stream_id);
  PutLengthPrefixed(&begin, application);
  // Past the last shard index: every checkpoint key of the application is
  // the prefix plus 4 bytes.
  std::string end = begin;
  PutFixed32BE(&end, UINT32_MAX);
  end.push_back('\0');
  return KeyRange{std::move(begin), std::move(end)};
}

KeyRange StreamCheckpointKeys(uint32_t stream_id) {
  return KeyRange{PrefixedStreamId(kCheckpointPrefix, stream_id),
                  PrefixedStreamId(kCheckpointPrefix, stream_id + 1)};
}

absl::StatusOr<CheckpointKeyParts> ParseStreamCheckpointKey(
    uint32_t stream_id, absl::string_view key) {
  Decoder decoder(key);
  absl::string_view prefix;
  absl::string_view application;
  uint32_t shard_index = 0;
  if (!decoder.ReadBytes(kCheckpointPrefix.size() + 4, &prefix) ||
      prefix != PrefixedStreamId(kCheckpointPrefix, stream_id) ||
      !decoder.ReadLengthPrefixed(&application) ||
      !decoder.ReadFixed32BE(&shard_index) || !decoder.empty()) {
    return DamagedKey("checkpoint", key);
  }
  return CheckpointKeyParts{std::string(application), shard_index};
}

absl::StatusOr<uint32_t> ParseCheckpointKey(uint32_t stream_id,
                                            absl::string_view application,
                                            absl::string_view key) {
  const std::string prefix = CheckpointKeys(stream_id, application).begin;
  if (key.size() != prefix.size() + 4 || !absl::StartsWith(key, prefix)) {
    return DamagedKey("checkpoint", key);
  }
  return DecodeFixed32BE(key.data() + prefix.size());
}

std::string RemoteCheckpointKey(RemoteStreamKey stream,
                                absl::string_view application,
                                absl::string_view shard_id) {
  std::string key = RemoteCheckpointKeys(stream, application).begin;
  key.append(shard_id.data(), shard_id.size());
  return key;
}

KeyRange RemoteCheckpointKeys(RemoteStreamKey stream,
                              absl::string_view application) {
  std::string begin(kRemoteCheckpointPrefix);
  PutLengthPrefixed(&begin, stream.endpoint);
  PutLengthPrefixed(&begin, stream.stream);
  PutLengthPrefixed(&begin, application);
  return TextPrefixKeys(begin);
}

KeyRange AllRemoteCheckpointKeys() {
  return TextPrefixKeys(kRemoteCheckpointPrefix);
}

absl::StatusOr<RemoteCheckpointKeyParts> ParseAnyRemoteCheckpointKey(
    absl::string_view key) {
  absl::string_view rest = key;
  absl::string_view endpoint;
  absl::string_view stream;
  absl::string_view application;
  if (!absl::ConsumePrefix(&rest, kRemoteCheckpointPrefix)) {
    return DamagedKey("remote checkpoint", key);
  }
  Decoder decoder(rest);
  if (!decoder.ReadLengthPrefixed(&endpoint) ||
      !decoder.ReadLengthPrefixed(&stream) ||
      !decoder.ReadLengthPrefixed(&application) || decoder.empty()) {
    return DamagedKey("remote checkpoint", key);
  }
  return RemoteCheckpointKeyParts{std::string(endpoint), std::string(stream),
                                  std::string(application),
                                  std::string(decoder.remaining())};
}

absl::StatusOr<std::string> ParseRemoteCheckpointKey(
    RemoteStreamKey stream, absl::string_view application,
    absl::string_view key) {
  const std::string prefix = RemoteCheckpointKeys(stream, application).begin;
  // A shard id has at least one character.
  if (key.size() <= prefix.size() || !absl::StartsWith(key, prefix)) {
    return DamagedKey("remote checkpoint", key);
  }
  return std::string(key.substr(prefix.size()));
}

}  // namespace brook
