#include "storage/meta_values.h"

#include "common/coding.h"
#include "common/errors.h"
#include "common/token_signer.h"

namespace brook {
namespace {

constexpr uint8_t kStreamMetaVersion = 3;
// Before capacity modes: PROVISIONED, never switched.
constexpr uint8_t kStreamMetaVersionWithoutModes = 2;
// Before resharding: no closing times, no scalings.
constexpr uint8_t kStreamMetaVersionWithoutResharding = 1;
// Version 1 had no shard_iterator_calls_per_second; it reads as Kinesis'
// default. Do not change the values of existing versions.
constexpr uint8_t kStreamLimitsVersion = 2;
constexpr uint8_t kStreamLimitsVersionWithoutIteratorCalls = 1;
constexpr uint8_t kStreamTagsVersion = 1;
constexpr uint8_t kStreamSettingsVersion = 1;
constexpr uint8_t kStreamEncryptionVersion = 1;
constexpr uint8_t kConsumerVersion = 2;
// Before consumers had tags and policies: creation_ms only.
constexpr uint8_t kConsumerVersionWithoutSettings = 1;
constexpr uint8_t kCheckpointVersion = 1;
constexpr uint8_t kRemoteCheckpointVersion = 1;

// Optional values are stored as value + 1, with 0 for "none".
template <typename T>
void PutOptional(std::string* out, const absl::optional<T>& value) {
  PutVarint64(out, value.has_value() ? uint64_t{*value} + 1 : 0);
}

template <typename T>
bool ReadOptional(Decoder* in, absl::optional<T>* value) {
  uint64_t raw = 0;
  if (!in->ReadVarint64(&raw)) return false;
  *value = raw == 0 ? absl::nullopt : absl::optional<T>(raw - 1);
  return true;
}

bool ReadInt(Decoder* in, int* value) {
  uint64_t raw = 0;
  if (!in->ReadVarint64(&raw)) return false;
  *value = static_cast<int>(raw);
  return true;
}

bool ReadInt64(Decoder* in, int64_t* value) {
  uint64_t raw = 0;
  if (!in->ReadVarint64(&raw)) return false;
  *value = static_cast<int64_t>(raw);
  return true;
}

bool ReadShard(Decoder* in, uint8_t version, ShardMeta* shard) {
  uint64_t index = 0;
  if (!in->ReadVarint64(&index)) return false;
  shard->index = static_cast<uint32_t>(index);
  return ReadOptional(in, &shard->parent_index) &&
         ReadOptional(in, &shard->adjacent_parent_index) &&
         in->ReadFixed128BE(&shard->hash_key_range.starting_hash_key) &&
         in->ReadFixed128BE(&shard->hash_key_range.ending_hash_key) &&
         in->ReadVarint64(&shard->starting_counter) &&
         ReadOptional(in, &shard->ending_counter) &&
         (version == kStreamMetaVersionWithoutResharding ||
          ReadInt64(in, &shard->closed_ms));
}

void PutTimes(std::string* out, const std::vector<int64_t>& times_ms) {
  PutVarint64(out, times_ms.size());
  for (int64_t ms : times_ms) PutVarint64(out, static_cast<uint64_t>(ms));
}

bool ReadTimes(Decoder* in, std::vector<int64_t>* times_ms) {
  uint64_t count = 0;
  if (!in->ReadVarint64(&count) || count > in->remaining().size()) {
    return false;
  }
  times_ms->resize(count);
  for (int64_t& ms : *times_ms) {
    if (!ReadInt64(in, &ms)) return false;
  }
  return true;
}

bool ReadMode(Decoder* in, StreamMeta* meta) {
  absl::string_view mode;
  if (!in->ReadBytes(1, &mode) || (mode[0] != 0 && mode[0] != 1)) {
    return false;
  }
  meta->stream_mode =
      mode[0] == 1 ? StreamMode::kOnDemand : StreamMode::kProvisioned;
  return ReadTimes(in, &meta->mode_change_ms);
}

}  // namespace

std::string EncodeStreamMeta(const StreamMeta& meta) {
  std::string out;
  out.push_back(static_cast<char>(kStreamMetaVersion));
  PutFixed32BE(&out, meta.id);
  PutLengthPrefixed(&out, meta.name);
  PutVarint64(&out, static_cast<uint64_t>(meta.creation_ms));
  PutVarint64(&out, static_cast<uint64_t>(meta.max_record_size_kib));
  PutVarint64(&out, static_cast<uint64_t>(meta.retention_hours));
  PutVarint64(&out, meta.shards.size());
  for (const ShardMeta& shard : meta.shards) {
    PutVarint64(&out, shard.index);
    PutOptional(&out, shard.parent_index);
    PutOptional(&out, shard.adjacent_parent_index);
    PutFixed128BE(&out, shard.hash_key_range.starting_hash_key);
    PutFixed128BE(&out, shard.hash_key_range.ending_hash_key);
    PutVarint64(&out, shard.starting_counter);
    PutOptional(&out, shard.ending_counter);
    PutVarint64(&out, static_cast<uint64_t>(shard.closed_ms));
  }
  PutTimes(&out, meta.scaling_ms);
  out.push_back(meta.stream_mode == StreamMode::kOnDemand ? 1 : 0);
  PutTimes(&out, meta.mode_change_ms);
  return out;
}

absl::StatusOr<StreamMeta> DecodeStreamMeta(absl::string_view value) {
  const uint8_t version = value.empty() ? 0 : static_cast<uint8_t>(value[0]);
  if (version != kStreamMetaVersion &&
      version != kStreamMetaVersionWithoutModes &&
      version != kStreamMetaVersionWithoutResharding) {
    return DataLoss("stream metadata of an unknown version");
  }
  Decoder in(value.substr(1));
  StreamMeta meta;
  absl::string_view name;
  uint64_t creation_ms = 0;
  uint64_t shard_count = 0;
  if (!in.ReadFixed32BE(&meta.id) || !in.ReadLengthPrefixed(&name) ||
      !in.ReadVarint64(&creation_ms) ||
      !ReadInt(&in, &meta.max_record_size_kib) ||
      !ReadInt(&in, &meta.retention_hours) || !in.ReadVarint64(&shard_count) ||
      shard_count > in.remaining().size()) {
    return DataLoss("damaged stream metadata");
  }
  meta.name = std::string(name);
  meta.creation_ms = static_cast<int64_t>(creation_ms);
  meta.shards.resize(shard_count);
  for (ShardMeta& shard : meta.shards) {
    if (!ReadShard(&in, version, &shard)) {
      return DataLoss("damaged shard metadata");
    }
  }
  if (version != kStreamMetaVersionWithoutResharding &&
      !ReadTimes(&in, &meta.scaling_ms)) {
    return DataLoss("damaged stream scalings");
  }
  if (version == kStreamMetaVersion && !ReadMode(&in, &meta)) {
    return DataLoss("damaged stream capacity mode");
  }
  if (!in.empty()) return DataLoss("trailing bytes in stream metadata");
  return meta;
}

std::string EncodeStreamLimits(const StreamLimits& limits) {
  std::string out;
  out.push_back(static_cast<char>(kStreamLimitsVersion));
  for (int64_t value :
       {limits.write_bytes_per_second, limits.write_records_per_second,
        limits.read_bytes_per_second, limits.read_calls_per_second,
        limits.fan_out_bytes_per_second,
        limits.shard_iterator_calls_per_second}) {
    PutVarint64(&out, static_cast<uint64_t>(value));
  }
  return out;
}

absl::StatusOr<StreamLimits> DecodeStreamLimits(absl::string_view value) {
  const uint8_t version = value.empty() ? 0 : static_cast<uint8_t>(value[0]);
  if (version != kStreamLimitsVersion &&
      version != kStreamLimitsVersionWithoutIteratorCalls) {
    return DataLoss("stream limits of an unknown version");
  }
  Decoder in(value.substr(1));
  StreamLimits limits;
  std::vector<int64_t*> fields = {
      &limits.write_bytes_per_second, &limits.write_records_per_second,
      &limits.read_bytes_per_second, &limits.read_calls_per_second,
      &limits.fan_out_bytes_per_second};
  if (version == kStreamLimitsVersion) {
    fields.push_back(&limits.shard_iterator_calls_per_second);
  }
  for (int64_t* field : fields) {
    uint64_t raw = 0;
    if (!in.ReadVarint64(&raw)) return DataLoss("damaged stream limits");
    *field = static_cast<int64_t>(raw);
  }
  if (!in.empty()) return DataLoss("trailing bytes in stream limits");
  return limits;
}

namespace {

// has_policy:1 [policy: the rest], the end of a settings or consumer value.
void PutPolicy(std::string* out, const absl::optional<std::string>& policy) {
  out->push_back(policy.has_value() ? 1 : 0);
  if (policy.has_value()) *out += *policy;
}

bool ReadPolicy(absl::string_view rest, absl::optional<std::string>* policy) {
  if (rest.empty() || static_cast<uint8_t>(rest[0]) > 1 ||
      (rest[0] == 0 && rest.size() != 1)) {
    return false;
  }
  if (rest[0] == 1) *policy = std::string(rest.substr(1));
  return true;
}

// count:varint { key:lenprefixed value:lenprefixed }, the body of a tags
// value and a part of a consumer value.
void PutTags(std::string* out, const StreamTags& tags) {
  PutVarint64(out, tags.size());
  for (const auto& [key, value] : tags) {
    PutLengthPrefixed(out, key);
    PutLengthPrefixed(out, value);
  }
}

bool ReadTags(Decoder* in, StreamTags* tags) {
  uint64_t count = 0;
  if (!in->ReadVarint64(&count)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view key;
    absl::string_view value;
    if (!in->ReadLengthPrefixed(&key) || !in->ReadLengthPrefixed(&value)) {
      return false;
    }
    (*tags)[std::string(key)] = std::string(value);
  }
  return true;
}

}  // namespace

std::string EncodeStreamSettings(const StreamSettings& settings) {
  std::string out;
  out.push_back(static_cast<char>(kStreamSettingsVersion));
  PutVarint64(&out, settings.shard_level_metrics);
  PutPolicy(&out, settings.policy);
  return out;
}

absl::StatusOr<StreamSettings> DecodeStreamSettings(absl::string_view value) {
  if (value.empty() ||
      static_cast<uint8_t>(value[0]) != kStreamSettingsVersion) {
    return DataLoss("stream settings of an unknown version");
  }
  Decoder in(value.substr(1));
  StreamSettings settings;
  uint64_t metrics = 0;
  if (!in.ReadVarint64(&metrics) || metrics >> std::size(kShardLevelMetrics)) {
    return DataLoss("damaged stream settings");
  }
  settings.shard_level_metrics = static_cast<uint32_t>(metrics);
  if (!ReadPolicy(in.remaining(), &settings.policy)) {
    return DataLoss("damaged stream settings");
  }
  return settings;
}

std::string EncodeStreamEncryption(const StreamEncryption& encryption) {
  std::string out;
  out.push_back(static_cast<char>(kStreamEncryptionVersion));
  PutVarint64(&out, encryption.current.has_value()
                        ? uint64_t{*encryption.current} + 1
                        : 0);
  PutVarint64(&out, encryption.keys.size());
  for (const StoredDataKey& key : encryption.keys) {
    PutVarint64(&out, key.generation);
    PutLengthPrefixed(&out, key.key_id);
    PutLengthPrefixed(&out, key.wrapped);
  }
  PutTimes(&out, encryption.start_ms);
  PutTimes(&out, encryption.stop_ms);
  return out;
}

absl::StatusOr<StreamEncryption> DecodeStreamEncryption(
    absl::string_view value) {
  if (value.empty() ||
      static_cast<uint8_t>(value[0]) != kStreamEncryptionVersion) {
    return DataLoss("stream encryption of an unknown version");
  }
  const absl::Status damaged = DataLoss("damaged stream encryption");
  Decoder in(value.substr(1));
  StreamEncryption encryption;
  uint64_t current = 0;
  uint64_t count = 0;
  if (!in.ReadVarint64(&current) || current > uint64_t{UINT32_MAX} + 1 ||
      !in.ReadVarint64(&count)) {
    return damaged;
  }
  if (current > 0) encryption.current = static_cast<uint32_t>(current - 1);
  bool current_found = current == 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t generation = 0;
    absl::string_view key_id;
    absl::string_view wrapped;
    if (!in.ReadVarint64(&generation) || generation > UINT32_MAX ||
        !in.ReadLengthPrefixed(&key_id) || !in.ReadLengthPrefixed(&wrapped) ||
        (!encryption.keys.empty() &&
         generation <= encryption.keys.back().generation)) {
      return damaged;
    }
    current_found = current_found || generation + 1 == current;
    encryption.keys.push_back({static_cast<uint32_t>(generation),
                               std::string(key_id), std::string(wrapped)});
  }
  if (!current_found || !ReadTimes(&in, &encryption.start_ms) ||
      !ReadTimes(&in, &encryption.stop_ms) || !in.empty()) {
    return damaged;
  }
  return encryption;
}

std::string EncodeStreamTags(const StreamTags& tags) {
  std::string out;
  out.push_back(static_cast<char>(kStreamTagsVersion));
  PutTags(&out, tags);
  return out;
}

absl::StatusOr<StreamTags> DecodeStreamTags(absl::string_view value) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kStreamTagsVersion) {
    return DataLoss("stream tags of an unknown version");
  }
  Decoder in(value.substr(1));
  StreamTags tags;
  if (!ReadTags(&in, &tags)) return DataLoss("damaged stream tags");
  if (!in.empty()) return DataLoss("trailing bytes in stream tags");
  return tags;
}

std::string EncodeConsumer(const ConsumerMeta& consumer) {
  std::string out;
  out.push_back(static_cast<char>(kConsumerVersion));
  PutVarint64(&out, static_cast<uint64_t>(consumer.creation_ms));
  PutTags(&out, consumer.tags);
  PutPolicy(&out, consumer.policy);
  return out;
}

absl::StatusOr<ConsumerMeta> DecodeConsumer(absl::string_view value) {
  const uint8_t version = value.empty() ? 0 : static_cast<uint8_t>(value[0]);
  if (version != kConsumerVersion &&
      version != kConsumerVersionWithoutSettings) {
    return DataLoss("consumer of an unknown version");
  }
  Decoder in(value.substr(1));
  ConsumerMeta consumer;
  if (!ReadInt64(&in, &consumer.creation_ms)) {
    return DataLoss("damaged consumer");
  }
  if (version == kConsumerVersionWithoutSettings) {
    if (!in.empty()) return DataLoss("damaged consumer");
    return consumer;
  }
  if (!ReadTags(&in, &consumer.tags) ||
      !ReadPolicy(in.remaining(), &consumer.policy)) {
    return DataLoss("damaged consumer");
  }
  return consumer;
}

std::string EncodeCheckpoint(const StoredCheckpoint& checkpoint) {
  std::string out;
  out.push_back(static_cast<char>(kCheckpointVersion));
  out.push_back(checkpoint.shard_end ? 1 : 0);
  PutVarint64(&out, checkpoint.counter);
  PutVarint64(&out, static_cast<uint64_t>(checkpoint.sub_sequence));
  return out;
}

absl::StatusOr<StoredCheckpoint> DecodeCheckpoint(absl::string_view value) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kCheckpointVersion) {
    return DataLoss("checkpoint of an unknown version");
  }
  Decoder in(value.substr(1));
  absl::string_view shard_end;
  StoredCheckpoint checkpoint;
  if (!in.ReadBytes(1, &shard_end) || static_cast<uint8_t>(shard_end[0]) > 1 ||
      !in.ReadVarint64(&checkpoint.counter) ||
      !ReadInt64(&in, &checkpoint.sub_sequence) || !in.empty()) {
    return DataLoss("damaged checkpoint");
  }
  checkpoint.shard_end = shard_end[0] == 1;
  return checkpoint;
}

std::string EncodeRemoteCheckpoint(const StoredRemoteCheckpoint& checkpoint) {
  std::string out;
  out.push_back(static_cast<char>(kRemoteCheckpointVersion));
  out.push_back(checkpoint.shard_end ? 1 : 0);
  PutVarint64(&out, static_cast<uint64_t>(checkpoint.sub_sequence));
  out += checkpoint.sequence_number.ToString();
  return out;
}

absl::StatusOr<StoredRemoteCheckpoint> DecodeRemoteCheckpoint(
    absl::string_view value) {
  if (value.empty() ||
      static_cast<uint8_t>(value[0]) != kRemoteCheckpointVersion) {
    return DataLoss("remote checkpoint of an unknown version");
  }
  Decoder in(value.substr(1));
  absl::string_view shard_end;
  StoredRemoteCheckpoint checkpoint;
  if (!in.ReadBytes(1, &shard_end) || static_cast<uint8_t>(shard_end[0]) > 1 ||
      !ReadInt64(&in, &checkpoint.sub_sequence)) {
    return DataLoss("damaged remote checkpoint");
  }
  absl::StatusOr<SequenceNumber> number = SequenceNumber::Parse(in.remaining());
  if (!number.ok()) return DataLoss("damaged remote checkpoint");
  checkpoint.sequence_number = *std::move(number);
  checkpoint.shard_end = shard_end[0] == 1;
  return checkpoint;
}

std::string EncodeCounterReservation(uint64_t reserved_until) {
  std::string out;
  PutFixed64BE(&out, reserved_until);
  return out;
}

absl::StatusOr<uint64_t> DecodeCounterReservation(absl::string_view value) {
  if (value.size() != 8) return DataLoss("damaged counter reservation");
  return DecodeFixed64BE(value.data());
}

std::string EncodeNextStreamId(uint32_t next_stream_id) {
  std::string out;
  PutFixed32BE(&out, next_stream_id);
  return out;
}

absl::StatusOr<uint32_t> DecodeNextStreamId(absl::string_view value) {
  if (value.size() != 4) return DataLoss("damaged next stream id");
  return DecodeFixed32BE(value.data());
}

absl::StatusOr<std::string> DecodeTokenKey(absl::string_view value) {
  if (value.size() != TokenSigner::kKeyBytes) {
    return DataLoss("damaged token key");
  }
  return std::string(value);
}

}  // namespace brook
