// The newest records of every shard, in memory, so that consumers at the
// tip — fan-out subscriptions, GetRecords polling close behind the
// producers — read them without a RocksDB iterator.
//
// Each shard has a ShardTailCache: its newest batches (in record_batch.h's
// encoding, as written to the log), complete from some counter on. One
// TailCache holds the byte budget of all of them and evicts the oldest
// batches of any shard first: batches enter in commit order across shards,
// so the cache keeps what was written most recently, and an idle shard's
// batches make room for a busy one's.
//
// The tail holds batches in plaintext, also those of encrypted streams,
// which the log holds sealed (storage/encrypted_batch.h): readers at the tip
// then cost no decryption, however many there are. Encryption at rest
// protects the data directory, not the memory of the process, which holds
// every record in plaintext on its way in and out anyway (see
// docs/encryption.md); with tail_cache_bytes set to 0 nothing stays.
//
// A batch enters once the log holds it, before its watermark is published,
// and leaves only by eviction; both are read only up to the watermark. So a
// reader that loads the watermark and then reads the tail finds every
// visible record from where the tail is complete, or misses and reads the
// log.
//
// Thread safety: ShardTailCache::Read() is safe from any thread;
// TailCache::Add() is called by one thread at a time (the commit pipeline's
// commit stage).
// Lifetime: a ShardTailCache may die before the TailCache (its stream was
// deleted); its batches then stop counting once the queue reaches them.

#ifndef BROOK_READ_TAIL_CACHE_H_
#define BROOK_READ_TAIL_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "common/shard_ref.h"
#include "storage/shard_log.h"

namespace brook {

// One shard's records with counters first_counter..last_counter.
struct CachedBatch {
  uint64_t first_counter = 0;
  uint64_t last_counter = 0;
  std::string encoded;  // As record_batch.h encodes it: plaintext.
  // How the log stores it; its records report this.
  EncryptionType encryption = EncryptionType::kNone;
};

class ShardTailCache {
 public:
  ShardTailCache() = default;
  ShardTailCache(const ShardTailCache&) = delete;
  ShardTailCache& operator=(const ShardTailCache&) = delete;

  // ShardTailCache::Read()
  //
  // Reads as ShardLog::Read() does, if the tail holds every record of the
  // shard from `from_counter` on; nullopt if it does not (read the log).
  absl::StatusOr<absl::optional<ShardReadResult>> Read(
      ShardRef shard, uint64_t from_counter, uint64_t last_visible_counter,
      size_t max_records, size_t max_bytes) const;

 private:
  friend class TailCache;

  void Append(std::shared_ptr<const CachedBatch> batch);
  void DropOldest();

  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<const CachedBatch>> batches_ ABSL_GUARDED_BY(mu_);
  // Every record of the shard with a counter at or above this entered the
  // tail. Nothing has entered yet: no counter qualifies.
  uint64_t complete_from_ ABSL_GUARDED_BY(mu_) = UINT64_MAX;
};

class TailCache {
 public:
  // `budget_bytes` of encoded batches for all shards; 0 caches nothing.
  explicit TailCache(size_t budget_bytes) : budget_bytes_(budget_bytes) {}
  TailCache(const TailCache&) = delete;
  TailCache& operator=(const TailCache&) = delete;

  // TailCache::Add()
  //
  // Appends `batch` to `tail`, then evicts the oldest batches of any shard
  // until the cache is within its budget (which may evict `batch` itself).
  // REQUIRES: `batch` is above every batch that entered `tail`; calls come
  // from one thread, in commit order.
  void Add(const std::shared_ptr<ShardTailCache>& tail,
           std::shared_ptr<const CachedBatch> batch);

  // Bytes of batches counted against the budget.
  size_t bytes() const {
    absl::MutexLock lock(&mu_);
    return bytes_;
  }

 private:
  struct Entry {
    std::weak_ptr<ShardTailCache> tail;
    size_t bytes;
  };

  const size_t budget_bytes_;
  mutable absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);  // Oldest first.
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace brook

#endif  // BROOK_READ_TAIL_CACHE_H_
