#include "checkpoints/checkpoint_store.h"

#include <utility>

#include "common/status_macros.h"
#include "storage/meta_reader.h"

namespace brook {

CheckpointStore::CheckpointStore(Store* store, Catalog* catalog,
                                 Durability durability)
    : store_(store), catalog_(catalog), durability_(durability) {}

absl::Status CheckpointStore::Put(const StreamState& stream,
                                  absl::string_view application,
                                  const ShardState& shard, uint64_t counter,
                                  int64_t sub_sequence, bool shard_end) {
  StoreWrite write = store_->NewWrite();
  write.PutCheckpoint(stream.id(), application, shard.index(),
                      StoredCheckpoint{counter, sub_sequence, shard_end});
  return catalog_->WriteForLiveStream(stream, write, durability_);
}

absl::StatusOr<std::vector<Checkpoint>> CheckpointStore::List(
    const StreamState& stream, absl::string_view application) const {
  BROOK_ASSIGN_OR_RETURN(
      auto stored, MetaReader(store_).Checkpoints(stream.id(), application));
  std::vector<Checkpoint> checkpoints;
  checkpoints.reserve(stored.size());
  for (const auto& [shard_index, value] : stored) {
    Checkpoint checkpoint;
    checkpoint.shard_id = ShardIdOf(shard_index);
    checkpoint.sequence_number =
        MakeSequenceNumber(value.counter, ShardRef{stream.id(), shard_index});
    checkpoint.sub_sequence_number = value.sub_sequence;
    checkpoint.shard_end = value.shard_end;
    checkpoints.push_back(std::move(checkpoint));
  }
  return checkpoints;
}

absl::Status CheckpointStore::Delete(const StreamState& stream,
                                     absl::string_view application) {
  StoreWrite write = store_->NewWrite();
  write.DeleteCheckpoints(CheckpointKeys(stream.id(), application));
  return catalog_->WriteForLiveStream(stream, write, durability_);
}

absl::Status CheckpointStore::PutRemote(RemoteStreamKey stream,
                                        absl::string_view application,
                                        const Checkpoint& checkpoint) {
  StoreWrite write = store_->NewWrite();
  write.PutRemoteCheckpoint(
      stream, application, checkpoint.shard_id,
      StoredRemoteCheckpoint{checkpoint.sequence_number,
                             checkpoint.sub_sequence_number,
                             checkpoint.shard_end});
  return store_->Write(write, durability_);
}

absl::StatusOr<std::vector<Checkpoint>> CheckpointStore::ListRemote(
    RemoteStreamKey stream, absl::string_view application) const {
  BROOK_ASSIGN_OR_RETURN(
      auto stored, MetaReader(store_).RemoteCheckpoints(stream, application));
  std::vector<Checkpoint> checkpoints;
  checkpoints.reserve(stored.size());
  for (auto& [shard_id, value] : stored) {
    Checkpoint checkpoint;
    checkpoint.shard_id = std::move(shard_id);
    checkpoint.sequence_number = std::move(value.sequence_number);
    checkpoint.sub_sequence_number = value.sub_sequence;
    checkpoint.shard_end = value.shard_end;
    checkpoints.push_back(std::move(checkpoint));
  }
  return checkpoints;
}

absl::Status CheckpointStore::DeleteRemote(RemoteStreamKey stream,
                                           absl::string_view application) {
  StoreWrite write = store_->NewWrite();
  write.DeleteCheckpoints(RemoteCheckpointKeys(stream, application));
  return store_->Write(write, durability_);
}

}  // namespace brook
