#include "storage/flush_pacer.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace brook {
namespace {

// The limiter's refill period. Each refill hands out this period's worth of
// budget, and a paced flush may write at most about two refills' worth at
// once: 10 ms of its pace, or 20 MiB just after the maximum.
constexpr int64_t kRefillPeriodMicros = 5'000;
// RocksDB's default share of the budget for low-priority work (compaction)
// while high-priority work (flush) waits.
constexpr int32_t kFairness = 10;
// How many unflushed memtables make RocksDB delay writes (or, with three
// or fewer allowed, stop them), for `max_memtables` allowed in all
// (max_write_buffer_number).
int DelayingMemtables(int max_memtables) {
  return max_memtables > 3 ? max_memtables - 1 : max_memtables;
}

}  // namespace

FlushPacer::FlushPacer(std::string family, uint64_t memtable_bytes,
                       int max_memtables, Clock* clock)
    : family_(std::move(family)),
      memtable_bytes_(memtable_bytes),
      delaying_memtables_(DelayingMemtables(max_memtables)),
      clock_(clock),
      rate_limiter_(rocksdb::NewGenericRateLimiter(
          kMaxBytesPerSecond, kRefillPeriodMicros, kFairness,
          rocksdb::RateLimiter::Mode::kWritesOnly)),
      last_sealed_(clock->Now()) {
  assert(memtable_bytes_ > 0 && max_memtables >= 2);
}

void FlushPacer::InstallIn(rocksdb::DBOptions& options) {
  options.rate_limiter = rate_limiter_;
  // With a rate limiter, RocksDB takes its rate for delayed writes unless
  // one is set: at the pacer's maximum a delay holds nothing back, and
  // writes that outrun the disk ran on into full stops (the put p99 of
  // 1 KiB `nosync` doubled to about a second). This is the rate RocksDB
  // uses without a limiter.
  options.delayed_write_rate = kDelayedWriteBytesPerSecond;
  options.listeners.push_back(shared_from_this());
}

int64_t FlushPacer::PaceFor(int memtables) const {
  if (stalled_ || memtables >= delaying_memtables_) return kMaxBytesPerSecond;
  const double fill_seconds =
      absl::ToDoubleSeconds(std::min(last_fill_, previous_fill_));
  if (fill_seconds <= 0) return kMaxBytesPerSecond;
  const double pace = kPaceFactor * memtables *
                      static_cast<double>(memtable_bytes_) / fill_seconds;
  return static_cast<int64_t>(
      std::clamp<double>(pace, kMinBytesPerSecond, kMaxBytesPerSecond));
}

int64_t FlushPacer::pace() const { return rate_limiter_->GetBytesPerSecond(); }

int64_t FlushPacer::SetPace(int64_t bytes_per_second) {
  assert(bytes_per_second >= kMinBytesPerSecond &&
         bytes_per_second <= kMaxBytesPerSecond);
  // Setting takes the limiter's lock, which its waiting flush also takes.
  if (bytes_per_second != pace()) {
    rate_limiter_->SetBytesPerSecond(bytes_per_second);
  }
  return bytes_per_second;
}

int64_t FlushPacer::MemTableSealed(absl::Time now) {
  absl::MutexLock lock(&mu_);
  previous_fill_ = last_fill_;
  // While RocksDB held writes back, the memtable filled at the rate it
  // allowed, not at the rate records arrive; without a sync, no put waits
  // behind its flush; and a clock stepped back measures nothing. Each
  // counts as filled at once, which asks for the maximum.
  const bool synced = synced_.exchange(false, std::memory_order_relaxed);
  last_fill_ = stalled_during_fill_ || !synced
                   ? absl::ZeroDuration()
                   : std::max(now - last_sealed_, absl::ZeroDuration());
  stalled_during_fill_ = stalled_;
  last_sealed_ = now;
  ++sealed_waiting_;
  const int unflushed = flushing_ + sealed_waiting_;
  if (unflushed == 1) return pace();  // The next flush sets its own pace.
  return SetPace(std::max(pace(), PaceFor(unflushed)));
}

int64_t FlushPacer::FlushBegan(bool memtable_full) {
  absl::MutexLock lock(&mu_);
  flushing_ = std::max(sealed_waiting_, 1);
  sealed_waiting_ = 0;
  if (memtable_full) return SetPace(PaceFor(flushing_));
  // A memtable sealed before it was full (shutdown, an explicit flush, a
  // checkpoint) says nothing of the arrival rate: forget the fills, so
  // that the next pace comes from the next full memtable alone.
  last_fill_ = previous_fill_ = absl::InfiniteDuration();
  return SetPace(kMaxBytesPerSecond);
}

void FlushPacer::FlushEnded() {
  absl::MutexLock lock(&mu_);
  flushing_ = 0;
  // RocksDB may report a stall's start after its end (the writer that
  // started it reports when its write returns, the flush that ended it at
  // once): a stall still in force is seen again through the fills it slows.
  stalled_ = false;
}

void FlushPacer::Unpace() {
  absl::MutexLock lock(&mu_);
  SetPace(kMaxBytesPerSecond);
}

int64_t FlushPacer::WritesStalled(bool stalled) {
  absl::MutexLock lock(&mu_);
  stalled_ = stalled;
  stalled_during_fill_ = stalled_during_fill_ || stalled;
  return stalled ? SetPace(kMaxBytesPerSecond) : pace();
}

void FlushPacer::OnMemTableSealed(const rocksdb::MemTableInfo& info) {
  if (info.cf_name == family_) MemTableSealed(clock_->Now());
}

void FlushPacer::OnFlushBegin(rocksdb::DB* /*db*/,
                              const rocksdb::FlushJobInfo& info) {
  if (info.cf_name != family_) return;
  FlushBegan(info.flush_reason == rocksdb::FlushReason::kWriteBufferFull);
}

void FlushPacer::OnFlushCompleted(rocksdb::DB* /*db*/,
                                  const rocksdb::FlushJobInfo& info) {
  if (info.cf_name == family_) FlushEnded();
}

void FlushPacer::OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) {
  if (info.cf_name != family_) return;
  WritesStalled(info.condition.cur != rocksdb::WriteStallCondition::kNormal);
}

}  // namespace brook
