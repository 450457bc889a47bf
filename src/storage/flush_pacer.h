// FlushPacer: spreads each memtable flush of the records family over most
// of the time the next memtable takes to fill, instead of handing the disk
// the whole flush at once.
//
// Through the page cache, a flush hands a 64 MiB memtable to the kernel in
// tens of milliseconds, and the disk's queue fills with it; every log sync
// issued meanwhile waits behind that queue, and so does every durable put
// and fan-out delivery (in a trace at 100,000 records/s of 1 KiB, log syncs
// took 24-51 ms just after a flush against a median of 1.7 ms). Paced at a
// small multiple of the rate at which records arrive, a flush still ends
// well before the next memtable is full, while the queue ahead of each log
// sync stays short (docs/benchmarks.md, "Flush pacing").
//
// The pace is RocksDB's own rate limiter for background writes, whose rate
// this listener sets as each flush begins: `kPaceFactor` times the rate at
// which memtables filled (the faster of the last two, so that one slow
// spell does not slow the next flush), within `kMinBytesPerSecond` and
// `kMaxBytesPerSecond`. The pace holds until the next flush begins, except
// that it rises at once when flushing falls behind: a memtable sealed while
// a flush still runs or waits raises it until every unflushed memtable
// would be written within the time the last one took to fill, and to the
// maximum once as many are unflushed as make RocksDB delay writes (three of
// the records family's four), or when RocksDB delays or stops writes to the
// family. Some fills count as taking no time, which asks for the maximum:
// one while RocksDB held writes back (its time shows the rate RocksDB let
// writes in, not the rate records arrive), one without a sync of the log
// (`nosync` and `nowal` writes: no put waited behind its flush), and one
// measured across a step back of the clock. A flush that RocksDB reports
// as for another reason than a full memtable (shutdown, an explicit flush,
// a checkpoint) runs at the maximum, and its fill is forgotten.
// Compactions share the limiter at RocksDB's low priority; reads, log and
// manifest writes are never limited.
//
// Limits: it assumes one flush of the family at a time (the store's two
// background jobs give RocksDB one flush thread). RocksDB reports a
// memtable sealed after releasing its lock, so a flush may begin before
// its memtable's report, and a failed flush reports no end; either makes
// the pacer count one memtable too many until the next flush begins, which
// only raises the pace.
//
// Ownership: the Store creates one per open database and installs it in
// the database's options (InstallIn()). `clock` must outlive the pacer.
//
// Thread safety: safe for concurrent use. RocksDB calls the listener's
// methods from writing threads, background threads and threads that flush
// explicitly; they never call into the database.

#ifndef BROOK_STORAGE_FLUSH_PACER_H_
#define BROOK_STORAGE_FLUSH_PACER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/rate_limiter.h"

namespace brook {

class FlushPacer : public rocksdb::EventListener,
                   public std::enable_shared_from_this<FlushPacer> {
 public:
  // How much faster than records arrive a paced flush writes: a flush ends
  // at two thirds of the time the next memtable takes to fill, leaving room
  // for the arrival rate to rise by half before flushes fall behind.
  static constexpr double kPaceFactor = 1.5;
  // Bytes/s: the slowest pace, so that a flush after a quiet spell still
  // ends within about a second.
  static constexpr int64_t kMinBytesPerSecond = int64_t{64} << 20;
  // Bytes/s: the fastest pace, above what one flush thread writes through
  // the page cache. Finite, because RocksDB's limiter may hand a paced
  // flush budget left over from the fastest pace: up to two refill periods'
  // worth (see flush_pacer.cc), which this keeps small.
  static constexpr int64_t kMaxBytesPerSecond = int64_t{2} << 30;
  // Bytes/s: RocksDB's rate for delayed writes when no rate limiter is set
  // (its `delayed_write_rate`, "16MB" in rocksdb/options.h).
  static constexpr uint64_t kDelayedWriteBytesPerSecond = uint64_t{16} << 20;

  // Paces flushes of the column family `family`, whose memtables hold
  // `memtable_bytes` when full and which keeps at most `max_memtables` (its
  // max_write_buffer_number, at least 2). Starts at the maximum; the first
  // memtable's fill time counts from now.
  FlushPacer(std::string family, uint64_t memtable_bytes, int max_memtables,
             Clock* clock);

  // FlushPacer::InstallIn()
  //
  // Sets `options` up for a database the pacer paces: its rate limiter,
  // the pacer among its listeners, and RocksDB's usual rate for delayed
  // writes, which a rate limiter would otherwise replace with its own. The
  // pacer must be owned by a shared_ptr.
  void InstallIn(rocksdb::DBOptions& options);

  // The limiter, and its rate now in bytes/s.
  const std::shared_ptr<rocksdb::RateLimiter>& rate_limiter() const {
    return rate_limiter_;
  }
  int64_t pace() const;

  // FlushPacer::MemTableSealed() / FlushBegan() / FlushEnded()
  //
  // What the listener's callbacks do, with the time given, so that tests
  // drive them with a manual clock. `memtable_full` says whether the flush
  // is for a full memtable (RocksDB's kWriteBufferFull). Each returns the
  // pace set, in bytes/s.
  int64_t MemTableSealed(absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t FlushBegan(bool memtable_full) ABSL_LOCKS_EXCLUDED(mu_);
  void FlushEnded() ABSL_LOCKS_EXCLUDED(mu_);
  // RocksDB began (`stalled`) or stopped delaying or stopping writes to the
  // family.
  int64_t WritesStalled(bool stalled) ABSL_LOCKS_EXCLUDED(mu_);

  // FlushPacer::Unpace()
  //
  // A caller is about to flush and wait (closing, a checkpoint): the flush
  // running now, if paced, goes on at the maximum, so that the caller does
  // not wait for its pace (up to a second at the slowest).
  void Unpace() ABSL_LOCKS_EXCLUDED(mu_);

  // FlushPacer::LogSynced()
  //
  // Writes were made durable by a sync of the log. A memtable that filled
  // with no sync in between is flushed at the maximum: nothing waited
  // behind its flush. Lock-free, for the write path.
  void LogSynced() { synced_.store(true, std::memory_order_relaxed); }

  // rocksdb::EventListener, for `family` only.
  void OnMemTableSealed(const rocksdb::MemTableInfo& info) override;
  void OnFlushBegin(rocksdb::DB* db,
                    const rocksdb::FlushJobInfo& info) override;
  void OnFlushCompleted(rocksdb::DB* db,
                        const rocksdb::FlushJobInfo& info) override;
  void OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) override;

 private:
  // The pace at which `memtables` full memtables are written within the
  // time the faster of the last two took to fill, over kPaceFactor.
  int64_t PaceFor(int memtables) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t SetPace(int64_t bytes_per_second) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string family_;
  const uint64_t memtable_bytes_;
  // Unflushed memtables at which RocksDB delays writes.
  const int delaying_memtables_;
  Clock* const clock_;
  const std::shared_ptr<rocksdb::RateLimiter> rate_limiter_;

  absl::Mutex mu_;
  // When the last memtable was sealed (or the pacer created).
  absl::Time last_sealed_ ABSL_GUARDED_BY(mu_);
  // How long the last two sealed memtables took to fill; infinite until
  // measured.
  absl::Duration last_fill_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();
  absl::Duration previous_fill_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();
  // Memtables sealed and not yet taken by a flush.
  int sealed_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  // Memtables the running flush took; 0 when none runs.
  int flushing_ ABSL_GUARDED_BY(mu_) = 0;
  // Whether the log was synced since the last memtable was sealed.
  std::atomic<bool> synced_{false};
  // Whether RocksDB delays or stops writes now, and whether it did at any
  // time since the last memtable was sealed.
  bool stalled_ ABSL_GUARDED_BY(mu_) = false;
  bool stalled_during_fill_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook

#endif  // BROOK_STORAGE_FLUSH_PACER_H_
