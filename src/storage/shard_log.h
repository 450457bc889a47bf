// Reading the records of every shard, stored as batches (see keys.h and
// record_batch.h; StoreWrite::AppendBatch() and TrimShard() write them).
// Readers of records read through ShardLog; a damaged batch or key fails a
// read with DataLoss (kDataLoss, InternalFailure), never returns wrong bytes.
// A read that meets a batch it cannot read after it gathered records
// returns those and stops before that batch; the next read starts there and
// fails. So a consumer gets every record up to the damage, and never one
// past it without first being told (design.md, invariant 2).
// Every batch Read() returns is verified by Brook itself (the CRC32C of a
// checksummed batch, the GCM tag of a sealed one), so in a format-2
// directory it reads without RocksDB's checksums; Tail() and OldestCounter()
// read one entry each and keep them.
// Encrypted batches (storage/encrypted_batch.h) are opened with the
// stream's keys on the way; their records say so (EncryptionType kKms).
//
// Positions are counters (see common/shard_ref.h). A shard's counters grow
// but are not contiguous: other shards' commits take the numbers between its
// batches. Reading "from counter c" starts at the first record whose counter
// is c or more. Example: batches at counters 5..7 and 12..13; Read(from=6)
// returns 6, 7, 12, 13; Read(from=9) returns 12, 13.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization. Reads see only what they are told is visible.

#ifndef BROOK_STORAGE_SHARD_LOG_H_
#define BROOK_STORAGE_SHARD_LOG_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/records.h"
#include "common/shard_ref.h"
#include "storage/encrypted_batch.h"
#include "storage/record_batch.h"
#include "storage/store.h"

namespace brook {

// StoredPlaintextBatch()
//
// The batch inside `stored`, the plaintext value of `record_key` in
// `store`: checked against its CRC32C when the store's batches are
// checksummed (format 2), else as it is (format 1, which RocksDB's
// checksums cover). Fails with DataLoss if the checksum does not match.
absl::StatusOr<absl::string_view> StoredPlaintextBatch(
    const Store& store, absl::string_view record_key, absl::string_view stored);

struct ShardReadResult {
  std::vector<Record> records;
  // Where the next read continues.
  uint64_t next_counter = 0;
  // The arrival time of the first visible record not returned (because of
  // a limit); nullopt when the read reached the newest visible record. A
  // read that stopped before a batch it could not read gives the arrival
  // time of its last record, which that batch's records cannot precede.
  absl::optional<int64_t> next_arrival_ms;
};

// How far ShardLog::Tail() trusts the shard's newest batch.
enum class TailCheck {
  // Its header only: enough for MillisBehindLatest, asked on every read.
  kHeader,
  // Its checksum too (a plaintext batch; a sealed one's header is
  // authenticated only with its key): for opening, where the tail sets the
  // shard's visible end, which a damaged header must not move.
  kChecksum,
};

struct ShardTail {
  // The counter of the shard's newest readable position: its newest
  // record, or, if the newest batch is damaged, that batch's first counter
  // (how many records it holds is then unknown).
  uint64_t last_counter = 0;
  int64_t arrival_ms = 0;
};

// Gathers the records of one read from consecutive batches of a shard,
// oldest first, within the read's bounds. ShardLog::Read() and the tail
// cache (read/tail_cache.h) both read through it, so they return the same.
class ShardReadCollector {
 public:
  // A read of `shard` from `from_counter` up to `last_visible_counter`, of
  // at most `max_records` and, after the first record, `max_bytes` of data
  // plus partition keys.
  ShardReadCollector(ShardRef shard, uint64_t from_counter,
                     uint64_t last_visible_counter, size_t max_records,
                     size_t max_bytes);

  // ShardReadCollector::Add()
  //
  // Takes the records of the batch whose first record has `first_counter`,
  // in record_batch.h's encoding (opened already if it was stored
  // encrypted, which `encryption` tells). Returns false once the read is
  // complete (the batch starts past the visible end, or a limit stopped the
  // read): add no batch after that. Fails with DataLoss if the batch is
  // damaged or overlaps the one before; it then takes none of its records.
  absl::StatusOr<bool> Add(uint64_t first_counter,
                           absl::string_view encoded_batch,
                           EncryptionType encryption);

  // Whether a batch starting at `first_counter` could add records: for
  // skipping the work of opening one that cannot.
  bool Wants(uint64_t first_counter) const {
    return first_counter <= last_visible_counter_;
  }

  // The counter after the last batch added (0 before any), and that
  // batch's arrival time: where the read expects the next batch.
  uint64_t next_batch_counter() const { return next_batch_counter_; }
  int64_t last_batch_arrival_ms() const { return last_batch_arrival_ms_; }

  ShardReadResult Finish() && { return std::move(result_); }

  // ShardReadCollector::FinishBefore()
  //
  // Ends the read at a batch that failed with `error`: the one starting at
  // `batch_counter`, or where the read stands if its key is unknown. With
  // records gathered, returns them, to continue at that batch; with none,
  // or if that batch starts below the records returned (so that no next
  // read would meet it), fails with `error`.
  absl::StatusOr<ShardReadResult> FinishBefore(
      absl::optional<uint64_t> batch_counter, absl::Status error) &&;

 private:
  // Makes room for the records of the batch `reader` reads (of
  // `encoded_bytes`, starting at `first_counter`) and, estimated, for those
  // of the batches after it.
  void Reserve(uint64_t first_counter, const RecordBatchReader& reader,
               size_t encoded_bytes);

  const ShardRef shard_;
  const uint64_t from_counter_;
  const uint64_t last_visible_counter_;
  const size_t max_records_;
  const size_t max_bytes_;
  size_t bytes_ = 0;
  // The lowest counter the next batch may start at.
  uint64_t next_batch_counter_ = 0;
  int64_t last_batch_arrival_ms_ = 0;
  ShardReadResult result_;
};

class ShardLog {
 public:
  // `store` must outlive the ShardLog.
  explicit ShardLog(Store* store) : store_(store) {}

  // ShardLog::Read()
  //
  // Returns the records of `shard` with counters in [from_counter,
  // last_visible_counter], in order, stopping before `max_records` or (after
  // the first record) `max_bytes` of data plus partition keys are exceeded.
  // Encrypted batches are opened with `keys`, the stream's. A batch that
  // cannot be read (DataLoss for a damaged one; a KMS error; an I/O error)
  // ends the read before it: the records before it are returned, or, if
  // there are none, the read fails with that error. So does a batch that
  // the time index lists but the records family no longer holds (DataLoss):
  // damage that hid it must not pass for a gap in the counters.
  absl::StatusOr<ShardReadResult> Read(ShardRef shard, uint64_t from_counter,
                                       uint64_t last_visible_counter,
                                       size_t max_records, size_t max_bytes,
                                       const BatchKeys& keys) const;

  // The counter of the shard's oldest stored record, or nullopt if it has
  // none.
  absl::StatusOr<absl::optional<uint64_t>> OldestCounter(ShardRef shard) const;

  // ShardLog::Tail()
  //
  // The shard's newest record, or nullopt if it has none. Needs no key.
  // A damaged newest batch is found through the time index, which has its
  // first counter and arrival time, so that one damaged batch keeps
  // neither opening nor MillisBehindLatest from working; fails with
  // DataLoss only if the time index cannot tell either. `check` says
  // whether a plaintext newest batch's checksum is verified first.
  absl::StatusOr<absl::optional<ShardTail>> Tail(
      ShardRef shard, TailCheck check = TailCheck::kHeader) const;

  // The counter of the first record of `shard` that arrived at or after
  // `arrival_ms`, or nullopt if none has (yet).
  absl::StatusOr<absl::optional<uint64_t>> FirstCounterArrivedAtOrAfter(
      ShardRef shard, int64_t arrival_ms) const;

 private:
  // Tail() as the newest batch tells it.
  absl::StatusOr<absl::optional<ShardTail>> StoredTail(ShardRef shard,
                                                       TailCheck check) const;
  // Tail() as the newest entry of the time index tells it.
  absl::StatusOr<absl::optional<ShardTail>> IndexedTail(ShardRef shard) const;

  Store* const store_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_SHARD_LOG_H_
