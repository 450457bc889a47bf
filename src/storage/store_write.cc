#include "storage/store_write.h"

#include <vector>

#include "common/errors.h"
#include "rocksdb/write_batch.h"
#include "storage/encrypted_batch.h"
#include "storage/keys.h"
#include "storage/record_batch.h"
#include "storage/rocksdb_status.h"
#include "storage/store.h"

namespace brook {

StoreWrite::StoreWrite(const Store* store, size_t reserved_bytes)
    : store_(store),
      reserved_bytes_(reserved_bytes),
      batch_(std::make_unique<rocksdb::WriteBatch>(reserved_bytes)) {}

StoreWrite::StoreWrite(StoreWrite&&) noexcept = default;
StoreWrite& StoreWrite::operator=(StoreWrite&&) noexcept = default;
StoreWrite::~StoreWrite() = default;

void StoreWrite::Clear() {
  if (batch_->Data().capacity() > 2 * reserved_bytes_) {
    batch_ = std::make_unique<rocksdb::WriteBatch>(reserved_bytes_);
  } else {
    batch_->Clear();
  }
  status_ = absl::OkStatus();
  adds_data_ = false;
}

void StoreWrite::Put(Family family, absl::string_view key,
                     absl::string_view value, bool adds_data) {
  adds_data_ = adds_data_ || adds_data;
  Add(family, [&](rocksdb::ColumnFamilyHandle* handle) {
    return batch_->Put(handle, ToSlice(key), ToSlice(value));
  });
}

void StoreWrite::PutPieces(Family family, absl::string_view key,
                           absl::Span<const absl::string_view> value_pieces) {
  adds_data_ = true;
  std::vector<rocksdb::Slice> slices;
  slices.reserve(value_pieces.size());
  for (absl::string_view piece : value_pieces) slices.push_back(ToSlice(piece));
  const rocksdb::Slice key_slice = ToSlice(key);
  Add(family, [&](rocksdb::ColumnFamilyHandle* handle) {
    return batch_->Put(
        handle, rocksdb::SliceParts(&key_slice, 1),
        rocksdb::SliceParts(slices.data(), static_cast<int>(slices.size())));
  });
}

void StoreWrite::Delete(Family family, absl::string_view key) {
  Add(family, [&](rocksdb::ColumnFamilyHandle* handle) {
    return batch_->Delete(handle, ToSlice(key));
  });
}

void StoreWrite::DeleteRange(Family family, absl::string_view begin,
                             absl::string_view end) {
  Add(family, [&](rocksdb::ColumnFamilyHandle* handle) {
    return batch_->DeleteRange(handle, ToSlice(begin), ToSlice(end));
  });
}

template <typename Operation>
void StoreWrite::Add(Family family, Operation operation) {
  // The batch keeps only the family's id, which stays the same when the
  // store reopens its database; the handle is read under the store's lock.
  absl::ReaderMutexLock lock(&store_->db_mu_);
  rocksdb::ColumnFamilyHandle* handle = store_->handle(family);
  if (handle == nullptr) {
    status_.Update(InternalFailure("the store is closed"));
    return;
  }
  status_.Update(FromRocksDb("adding to a write", operation(handle)));
}

void StoreWrite::AppendBatch(ShardRef shard, uint64_t first_counter,
                             int64_t arrival_ms,
                             absl::string_view encoded_batch) {
  const std::string key = RecordKey(shard, first_counter);
  if (store_->checksummed_batches() && !IsEncryptedBatch(encoded_batch)) {
    const ChecksummedBatch checksummed(key, encoded_batch);
    PutPieces(Family::kRecords, key, checksummed.pieces());
  } else {
    Put(Family::kRecords, key, encoded_batch);
  }
  Put(Family::kTimeIndex, TimeIndexKey(shard, arrival_ms, first_counter), "");
}

void StoreWrite::TrimShard(ShardRef shard, uint64_t keep_from_counter,
                           int64_t horizon_ms) {
  const KeyRange shard_keys = ShardKeys(shard);
  DeleteRange(Family::kRecords, shard_keys.begin,
              RecordKey(shard, keep_from_counter));
  DeleteRange(Family::kTimeIndex, shard_keys.begin,
              TimeIndexKey(shard, horizon_ms, 0));
}

void StoreWrite::PutStreamMeta(const StreamMeta& meta) {
  Put(Family::kMeta, StreamMetaKey(meta.id), EncodeStreamMeta(meta));
}

void StoreWrite::PutStreamLimits(uint32_t stream_id,
                                 const StreamLimits& limits) {
  Put(Family::kMeta, StreamLimitsKey(stream_id), EncodeStreamLimits(limits));
}

void StoreWrite::PutStreamTags(uint32_t stream_id, const StreamTags& tags) {
  Put(Family::kMeta, StreamTagsKey(stream_id), EncodeStreamTags(tags));
}

void StoreWrite::PutStreamSettings(uint32_t stream_id,
                                   const StreamSettings& settings) {
  Put(Family::kMeta, StreamSettingsKey(stream_id),
      EncodeStreamSettings(settings));
}

void StoreWrite::PutStreamEncryption(uint32_t stream_id,
                                     const StreamEncryption& encryption) {
  Put(Family::kMeta, StreamEncryptionKey(stream_id),
      EncodeStreamEncryption(encryption));
}

void StoreWrite::PutNextStreamId(uint32_t next_stream_id) {
  Put(Family::kMeta, kNextStreamIdKey, EncodeNextStreamId(next_stream_id));
}

void StoreWrite::PutCounterReservation(uint64_t reserved_until) {
  Put(Family::kMeta, kCounterReservationKey,
      EncodeCounterReservation(reserved_until));
}

void StoreWrite::PutTokenKey(absl::string_view key) {
  // 32 bytes, once, when a directory is first opened: a directory must open
  // even on a disk below its floor.
  Put(Family::kMeta, kTokenKeyKey, key, /*adds_data=*/false);
}

void StoreWrite::PutConsumer(uint32_t stream_id, absl::string_view name,
                             const ConsumerMeta& consumer) {
  Put(Family::kMeta, ConsumerKey(stream_id, name), EncodeConsumer(consumer));
}

void StoreWrite::DeleteConsumer(uint32_t stream_id, absl::string_view name) {
  Delete(Family::kMeta, ConsumerKey(stream_id, name));
}

void StoreWrite::PutCheckpoint(uint32_t stream_id,
                               absl::string_view application,
                               uint32_t shard_index,
                               const StoredCheckpoint& checkpoint) {
  Put(Family::kMeta, CheckpointKey(stream_id, application, shard_index),
      EncodeCheckpoint(checkpoint));
}

void StoreWrite::PutRemoteCheckpoint(RemoteStreamKey stream,
                                     absl::string_view application,
                                     absl::string_view shard_id,
                                     const StoredRemoteCheckpoint& checkpoint) {
  Put(Family::kMeta, RemoteCheckpointKey(stream, application, shard_id),
      EncodeRemoteCheckpoint(checkpoint));
}

void StoreWrite::DeleteCheckpoints(const KeyRange& checkpoints) {
  DeleteRange(Family::kMeta, checkpoints.begin, checkpoints.end);
}

void StoreWrite::DeleteStream(uint32_t stream_id) {
  Delete(Family::kMeta, StreamMetaKey(stream_id));
  Delete(Family::kMeta, StreamLimitsKey(stream_id));
  Delete(Family::kMeta, StreamTagsKey(stream_id));
  Delete(Family::kMeta, StreamSettingsKey(stream_id));
  Delete(Family::kMeta, StreamEncryptionKey(stream_id));
  for (const KeyRange& range :
       {ConsumerKeys(stream_id), StreamCheckpointKeys(stream_id)}) {
    DeleteRange(Family::kMeta, range.begin, range.end);
  }
  const KeyRange records = StreamKeys(stream_id);
  for (Family family : {Family::kRecords, Family::kTimeIndex}) {
    DeleteRange(family, records.begin, records.end);
  }
}

}  // namespace brook
