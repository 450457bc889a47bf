#include "checkpoints/checkpoint_store.h"

#include "catalog/stream_meta.h"
#include "common/coding.h"
#include "common/errors.h"
#include "common/shard_ref.h"
#include "storage/keys.h"

namespace brook {
namespace {

constexpr uint8_t kCheckpointVersion = 1;

absl::StatusOr<Checkpoint> DecodeCheckpoint(ShardRef shard,
                                            absl::string_view value) {
  Decoder in(value);
  absl::string_view head;
  uint64_t counter = 0;
  uint64_t sub_sequence = 0;
  if (!in.ReadBytes(2, &head) ||
      static_cast<uint8_t>(head[0]) != kCheckpointVersion ||
      static_cast<uint8_t>(head[1]) > 1 || !in.ReadVarint64(&counter) ||
      !in.ReadVarint64(&sub_sequence) || !in.empty()) {
    return InternalFailure("damaged checkpoint");
  }
  Checkpoint checkpoint;
  checkpoint.shard_id = ShardIdOf(shard.shard_index);
  checkpoint.sequence_number = MakeSequenceNumber(counter, shard);
  checkpoint.sub_sequence_number = static_cast<int64_t>(sub_sequence);
  checkpoint.shard_end = head[1] == 1;
  return checkpoint;
}

}  // namespace

CheckpointStore::CheckpointStore(Store* store, Catalog* catalog,
                                 Durability durability)
    : store_(store), catalog_(catalog), durability_(durability) {}

absl::Status CheckpointStore::Put(const StreamState& stream,
                                  absl::string_view application,
                                  const ShardState& shard, uint64_t counter,
                                  int64_t sub_sequence, bool shard_end) {
  std::string value;
  value.push_back(static_cast<char>(kCheckpointVersion));
  value.push_back(shard_end ? 1 : 0);
  PutVarint64(&value, counter);
  PutVarint64(&value, static_cast<uint64_t>(sub_sequence));
  const std::string key =
      CheckpointKey(stream.id(), application, shard.index());
  rocksdb::WriteBatch batch;
  batch
      .Put(store_->meta(), rocksdb::Slice(key.data(), key.size()),
           rocksdb::Slice(value.data(), value.size()))
      .PermitUncheckedError();
  return catalog_->WriteForLiveStream(stream, &batch, durability_);
}

absl::StatusOr<std::vector<Checkpoint>> CheckpointStore::List(
    const StreamState& stream, absl::string_view application) const {
  BoundedIterator it = store_->NewIterator(
      store_->meta(), CheckpointKeyPrefix(stream.id(), application),
      CheckpointKeyPrefixEnd(stream.id(), application));
  std::vector<Checkpoint> checkpoints;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const ShardRef shard{stream.id(), ShardIndexOfCheckpointKey(key)};
    absl::StatusOr<Checkpoint> checkpoint = DecodeCheckpoint(
        shard, absl::string_view(it->value().data(), it->value().size()));
    if (!checkpoint.ok()) return checkpoint.status();
    checkpoints.push_back(*std::move(checkpoint));
  }
  if (absl::Status status = it.status(); !status.ok()) return status;
  return checkpoints;
}

}  // namespace brook
