// The stream-level write limit of an on-demand stream, as Kinesis' on-demand
// capacity mode sets it: writes are admitted up to twice the stream's
// previous peak write rate, never less than the initial rate (4 MiB/s and
// 4,000 records/s) and never more than the stream-level maximum (200 MiB/s
// and 200,000 records/s); a peak raises the limit only once it is
// `scale_up_delay` old (15 minutes), so traffic that more than doubles
// faster than that is throttled, and it stops counting after `peak_window`
// (30 days). See OnDemandOptions in brook/options.h.
//
// The peak is kept as the highest rate per time slot: 32 slots over the
// last `scale_up_delay` and 32 over `peak_window`, so the memory is fixed
// whatever the traffic. Rates come from the scaling controller, which
// measures each stream once per check.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; each admission is atomic.

#ifndef BROOK_CAPACITY_WRITE_CAPACITY_H_
#define BROOK_CAPACITY_WRITE_CAPACITY_H_

#include <cstdint>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/options.h"
#include "limits/token_bucket.h"

namespace brook {

// A write rate: bytes (data plus partition key) and records per second.
struct WriteRate {
  int64_t bytes_per_second = 0;
  int64_t records_per_second = 0;
};

class WriteCapacity {
 public:
  // Inactive: admits everything until Start().
  WriteCapacity();

  // WriteCapacity::Start()
  //
  // Starts limiting at `now` with no peak seen: the limit is the larger of
  // `options`' initial rate and `floor` (what the stream's shards already
  // carry, when a provisioned stream turns on-demand or a Broker reopens),
  // capped at the maximum. Buckets hold one second of the rate, and at
  // least one record of `max_record_bytes`.
  void Start(const OnDemandOptions& options, WriteRate floor,
             int64_t max_record_bytes, absl::Time now);

  // Admits one record of `bytes` if both buckets hold it, taking from both;
  // otherwise takes nothing and returns false.
  bool TryAdmit(int64_t bytes, absl::Time now);

  // Records that the stream was written at `rate` over an interval ending
  // at `now`, and moves the limit accordingly.
  void Observe(WriteRate rate, absl::Time now);

  // The limit at the last Start() or Observe().
  WriteRate limit() const;

  void SetMaxRecordBytes(int64_t max_record_bytes, absl::Time now);

 private:
  static constexpr int kSlots = 32;
  // The highest rate seen in one slot of time.
  struct Peak {
    int64_t slot = 0;
    WriteRate rate;
  };

  // Adds `rate` at slot `slot` of `peaks`, keeping the highest per slot.
  static void AddPeak(std::deque<Peak>& peaks, int64_t slot, WriteRate rate);
  // Twice the eligible peak, within the bounds.
  WriteRate LimitFromPeaks() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The byte bucket's size: one second of the limit, or one largest record.
  int64_t BytesBurst() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the limit to LimitFromPeaks(), keeping the balances.
  void UpdateLimit(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // New full buckets for limit_, or the same ones keeping their balances.
  void FillBuckets(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResetBuckets(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = false;
  OnDemandOptions options_ ABSL_GUARDED_BY(mu_);
  WriteRate floor_ ABSL_GUARDED_BY(mu_);
  WriteRate limit_ ABSL_GUARDED_BY(mu_);
  int64_t max_record_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Peaks younger than scale_up_delay, by slots of scale_up_delay / kSlots;
  // then peaks that count, by slots of peak_window / kSlots.
  std::deque<Peak> recent_ ABSL_GUARDED_BY(mu_);
  std::deque<Peak> eligible_ ABSL_GUARDED_BY(mu_);
  TokenBucket bytes_ ABSL_GUARDED_BY(mu_);
  TokenBucket records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_CAPACITY_WRITE_CAPACITY_H_
