#include "storage/meta_reader.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace brook {
namespace {

// The decoded value of `key`, or nullopt if it is absent.
template <typename T>
absl::StatusOr<absl::optional<T>> GetDecoded(
    Store& store, absl::string_view key,
    absl::StatusOr<T> (*decode)(absl::string_view)) {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                         store.Get(Family::kMeta, key));
  if (!value.has_value()) return absl::nullopt;
  BROOK_ASSIGN_OR_RETURN(T decoded, decode(*value));
  return decoded;
}

}  // namespace

absl::StatusOr<std::vector<StoredStream>> MetaReader::Streams() const {
  std::vector<StoredStream> streams;
  {
    StoreIterator it = store_->NewIterator(Family::kMeta, AllStreamMetaKeys());
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      StoredStream stream;
      BROOK_ASSIGN_OR_RETURN(stream.meta, DecodeStreamMeta(it.value()));
      if (it.key() != StreamMetaKey(stream.meta.id)) {
        return DataLoss(absl::StrCat("stream '", stream.meta.name,
                                     "' is stored under another stream's key"));
      }
      streams.push_back(std::move(stream));
    }
    BROOK_RETURN_IF_ERROR(it.status());
  }
  for (StoredStream& stream : streams) {
    BROOK_ASSIGN_OR_RETURN(absl::optional<StreamLimits> limits,
                           GetDecoded(*store_, StreamLimitsKey(stream.meta.id),
                                      &DecodeStreamLimits));
    if (limits.has_value()) stream.limits = *limits;
    BROOK_ASSIGN_OR_RETURN(
        absl::optional<StreamTags> tags,
        GetDecoded(*store_, StreamTagsKey(stream.meta.id), &DecodeStreamTags));
    if (tags.has_value()) stream.tags = *std::move(tags);
    BROOK_ASSIGN_OR_RETURN(
        absl::optional<StreamSettings> settings,
        GetDecoded(*store_, StreamSettingsKey(stream.meta.id),
                   &DecodeStreamSettings));
    if (settings.has_value()) stream.settings = *std::move(settings);
    BROOK_ASSIGN_OR_RETURN(
        absl::optional<StreamEncryption> encryption,
        GetDecoded(*store_, StreamEncryptionKey(stream.meta.id),
                   &DecodeStreamEncryption));
    if (encryption.has_value()) stream.encryption = *std::move(encryption);
  }
  return streams;
}

absl::StatusOr<std::vector<StoredConsumer>> MetaReader::Consumers() const {
  std::vector<StoredConsumer> consumers;
  StoreIterator it = store_->NewIterator(Family::kMeta, AllConsumerKeys());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BROOK_ASSIGN_OR_RETURN(ConsumerKeyParts key, ParseConsumerKey(it.key()));
    BROOK_ASSIGN_OR_RETURN(ConsumerMeta meta, DecodeConsumer(it.value()));
    consumers.push_back(
        StoredConsumer{key.stream_id, std::move(key.name), std::move(meta)});
  }
  BROOK_RETURN_IF_ERROR(it.status());
  return consumers;
}

absl::StatusOr<std::vector<std::pair<uint32_t, StoredCheckpoint>>>
MetaReader::Checkpoints(uint32_t stream_id,
                        absl::string_view application) const {
  std::vector<std::pair<uint32_t, StoredCheckpoint>> checkpoints;
  StoreIterator it = store_->NewIterator(
      Family::kMeta, CheckpointKeys(stream_id, application));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BROOK_ASSIGN_OR_RETURN(
        uint32_t shard_index,
        ParseCheckpointKey(stream_id, application, it.key()));
    BROOK_ASSIGN_OR_RETURN(StoredCheckpoint checkpoint,
                           DecodeCheckpoint(it.value()));
    checkpoints.emplace_back(shard_index, checkpoint);
  }
  BROOK_RETURN_IF_ERROR(it.status());
  return checkpoints;
}

absl::StatusOr<std::vector<std::pair<std::string, StoredRemoteCheckpoint>>>
MetaReader::RemoteCheckpoints(RemoteStreamKey stream,
                              absl::string_view application) const {
  std::vector<std::pair<std::string, StoredRemoteCheckpoint>> checkpoints;
  StoreIterator it = store_->NewIterator(
      Family::kMeta, RemoteCheckpointKeys(stream, application));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BROOK_ASSIGN_OR_RETURN(
        std::string shard_id,
        ParseRemoteCheckpointKey(stream, application, it.key()));
    BROOK_ASSIGN_OR_RETURN(StoredRemoteCheckpoint checkpoint,
                           DecodeRemoteCheckpoint(it.value()));
    checkpoints.emplace_back(std::move(shard_id), std::move(checkpoint));
  }
  BROOK_RETURN_IF_ERROR(it.status());
  return checkpoints;
}

absl::StatusOr<int> MetaReader::CountRemoteCheckpoints() const {
  int count = 0;
  StoreIterator it =
      store_->NewIterator(Family::kMeta, AllRemoteCheckpointKeys());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BROOK_RETURN_IF_ERROR(ParseAnyRemoteCheckpointKey(it.key()).status());
    BROOK_RETURN_IF_ERROR(DecodeRemoteCheckpoint(it.value()).status());
    ++count;
  }
  BROOK_RETURN_IF_ERROR(it.status());
  return count;
}

absl::StatusOr<std::vector<MetaReader::ApplicationCheckpoint>>
MetaReader::AllCheckpoints(uint32_t stream_id) const {
  std::vector<ApplicationCheckpoint> checkpoints;
  StoreIterator it =
      store_->NewIterator(Family::kMeta, StreamCheckpointKeys(stream_id));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    BROOK_ASSIGN_OR_RETURN(CheckpointKeyParts key,
                           ParseStreamCheckpointKey(stream_id, it.key()));
    BROOK_ASSIGN_OR_RETURN(StoredCheckpoint checkpoint,
                           DecodeCheckpoint(it.value()));
    checkpoints.push_back(ApplicationCheckpoint{std::move(key.application),
                                                key.shard_index, checkpoint});
  }
  BROOK_RETURN_IF_ERROR(it.status());
  return checkpoints;
}

absl::StatusOr<absl::optional<uint64_t>> MetaReader::CounterReservation()
    const {
  return GetDecoded(*store_, kCounterReservationKey, &DecodeCounterReservation);
}

absl::StatusOr<absl::optional<uint32_t>> MetaReader::NextStreamId() const {
  return GetDecoded(*store_, kNextStreamIdKey, &DecodeNextStreamId);
}

absl::StatusOr<absl::optional<std::string>> MetaReader::TokenKey() const {
  return GetDecoded(*store_, kTokenKeyKey, &DecodeTokenKey);
}

}  // namespace brook
