// StoreWrite: a set of changes to the store that Store::Write() applies
// atomically (all or none, also across a crash). Callers say what to change
// in Brook's terms (append a batch, trim a shard, put a stream's
// description); the key and value layouts stay inside storage/ (keys.h,
// record_batch.h, meta_values.h).
//
// Thread safety: not thread-safe.
// Lifetime: obtained from Store::NewWrite(); the Store must outlive it.

#ifndef BROOK_STORAGE_STORE_WRITE_H_
#define BROOK_STORAGE_STORE_WRITE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "brook/limits.h"
#include "common/shard_ref.h"
#include "storage/keys.h"
#include "storage/meta_values.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace brook {

class Store;
enum class Family;

class StoreWrite {
 public:
  StoreWrite(StoreWrite&&) noexcept;
  StoreWrite& operator=(StoreWrite&&) noexcept;
  ~StoreWrite();

  // ---------------------------------------------------------------------------
  // Records (storage/shard_log.h reads them)
  // ---------------------------------------------------------------------------

  // StoreWrite::AppendBatch()
  //
  // Appends `encoded_batch` (record_batch.h, arrived at `arrival_ms`; or
  // sealed, encrypted_batch.h) to `shard`, its records taking counters
  // first_counter, first_counter + 1, ..., and indexes it by arrival time.
  // A plaintext batch is stored checksummed when the store's are.
  // REQUIRES: first_counter exceeds every counter the shard holds;
  // arrival_ms is no earlier than the shard's last batch.
  void AppendBatch(ShardRef shard, uint64_t first_counter, int64_t arrival_ms,
                   absl::string_view encoded_batch);

  // StoreWrite::TrimShard()
  //
  // Removes the records of `shard` below `keep_from_counter` and the time
  // index entries of batches that arrived before `horizon_ms`. REQUIRES:
  // they are the same batches (the first batch kept is the first that
  // arrived at or after the horizon).
  void TrimShard(ShardRef shard, uint64_t keep_from_counter,
                 int64_t horizon_ms);

  // ---------------------------------------------------------------------------
  // Metadata (storage/meta_reader.h reads it)
  // ---------------------------------------------------------------------------

  void PutStreamMeta(const StreamMeta& meta);
  void PutStreamLimits(uint32_t stream_id, const StreamLimits& limits);
  void PutStreamTags(uint32_t stream_id, const StreamTags& tags);
  void PutStreamSettings(uint32_t stream_id, const StreamSettings& settings);
  void PutStreamEncryption(uint32_t stream_id,
                           const StreamEncryption& encryption);
  void PutNextStreamId(uint32_t next_stream_id);
  void PutCounterReservation(uint64_t reserved_until);
  void PutTokenKey(absl::string_view key);
  void PutConsumer(uint32_t stream_id, absl::string_view name,
                   const ConsumerMeta& consumer);
  void DeleteConsumer(uint32_t stream_id, absl::string_view name);
  void PutCheckpoint(uint32_t stream_id, absl::string_view application,
                     uint32_t shard_index, const StoredCheckpoint& checkpoint);
  void PutRemoteCheckpoint(RemoteStreamKey stream,
                           absl::string_view application,
                           absl::string_view shard_id,
                           const StoredRemoteCheckpoint& checkpoint);
  // Removes an application's checkpoints of one stream: `checkpoints` is
  // CheckpointKeys() or RemoteCheckpointKeys() (storage/keys.h).
  void DeleteCheckpoints(const KeyRange& checkpoints);

  // StoreWrite::DeleteStream()
  //
  // Removes everything stored for the stream: its description, limits, tags,
  // settings and encryption (its wrapped data keys), its consumers and
  // checkpoints, its records and time index.
  void DeleteStream(uint32_t stream_id);

  // Whether the write stores anything new, as opposed to only deleting (or
  // putting the token key, which a first open needs): such a write may run
  // when space is short (see Store).
  bool adds_data() const { return adds_data_; }

  // StoreWrite::Clear()
  //
  // Empties the write for reuse, keeping its buffer unless a write larger
  // than twice the size reserved at NewWrite() grew it: a caller that writes
  // over and over (the commit pipeline) then allocates and faults in a
  // buffer once rather than per write, and memory stays bounded by the
  // reservation rather than by the largest write seen.
  void Clear();

 private:
  friend class Store;
  StoreWrite(const Store* store, size_t reserved_bytes);

  void Put(Family family, absl::string_view key, absl::string_view value,
           bool adds_data = true);
  // Puts the concatenation of `value_pieces`, without concatenating them
  // first.
  void PutPieces(Family family, absl::string_view key,
                 absl::Span<const absl::string_view> value_pieces);
  void Delete(Family family, absl::string_view key);
  void DeleteRange(Family family, absl::string_view begin,
                   absl::string_view end);
  // Runs `operation` on the batch with the handle of `family`, keeping the
  // first error.
  template <typename Operation>
  void Add(Family family, Operation operation);

  const Store* store_;
  size_t reserved_bytes_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  // The first error in building the batch (only a key or value too large
  // for RocksDB can fail); Store::Write() returns it.
  absl::Status status_;
  bool adds_data_ = false;
};

}  // namespace brook

#endif  // BROOK_STORAGE_STORE_WRITE_H_
