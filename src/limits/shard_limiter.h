// The throughput limits of one shard: the token buckets behind
// brook/limits.h, and the one place that decides their sizes.
//
//   bucket          rate                       capacity (burst)
//   write bytes     write_bytes_per_second     max(1 s of rate, the stream's
//                                              largest record)
//   write records   write_records_per_second   1 s of rate
//   read calls      read_calls_per_second      1 s of rate
//   iterator calls  shard_iterator_calls_per_  1 s of rate
//                   second
//   read bytes      read_bytes_per_second      1 s of rate, plus debt: a read
//                                              is admitted while the balance
//                                              is positive and charged in full
//   fan-out bytes   fan_out_bytes_per_second   as read bytes, one bucket per
//                                              consumer (NewFanOutBucket)
//
// One second of capacity makes "N per second" exact at second boundaries:
// the 1,000th record of a second lands and the 1,001st fails. Letting the
// write-bytes bucket hold one largest record is Kinesis' "tank" for large
// records (a 10 MiB record passes and is repaid at 1 MiB/s). Debt on reads is
// Kinesis' rule that after one 10 MiB GetRecords, calls fail until the bytes
// are paid back at 2 MiB/s.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization; each admission is atomic.

#ifndef BROOK_LIMITS_SHARD_LIMITER_H_
#define BROOK_LIMITS_SHARD_LIMITER_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/limits.h"
#include "limits/token_bucket.h"

namespace brook {

class ShardLimiter {
 public:
  ShardLimiter(const StreamLimits& limits, int64_t max_record_bytes,
               absl::Time now);

  // Admits one record of `bytes` if both write buckets hold it, taking from
  // both; otherwise takes nothing and returns false.
  bool TryAdmitWrite(int64_t bytes, absl::Time now);

  // Admits one GetRecords call if the call bucket holds a token and the byte
  // bucket has credit, taking the token; otherwise takes nothing.
  bool TryAdmitRead(absl::Time now);
  // Admits one GetShardIterator call if the iterator bucket holds a token,
  // taking it; otherwise takes nothing.
  bool TryAdmitIteratorCall(absl::Time now);
  // Charges the bytes an admitted read returned.
  void ChargeRead(int64_t bytes, absl::Time now);

  // A full bucket for one enhanced fan-out consumer of this shard.
  TokenBucket NewFanOutBucket(absl::Time now) const;

  // Applies a new largest record size from `now` on.
  void SetMaxRecordBytes(int64_t max_record_bytes, absl::Time now);

  // Applies new limits from `now` on, keeping current balances.
  void Update(const StreamLimits& limits, absl::Time now);

 private:
  // Set when both write limits are off, so that unlimited streams admit
  // writes without taking the lock (the put path calls this per record).
  std::atomic<bool> writes_unlimited_;
  mutable absl::Mutex mu_;
  int64_t max_record_bytes_ ABSL_GUARDED_BY(mu_);
  StreamLimits limits_ ABSL_GUARDED_BY(mu_);
  TokenBucket write_bytes_ ABSL_GUARDED_BY(mu_);
  TokenBucket write_records_ ABSL_GUARDED_BY(mu_);
  TokenBucket read_calls_ ABSL_GUARDED_BY(mu_);
  TokenBucket iterator_calls_ ABSL_GUARDED_BY(mu_);
  TokenBucket read_bytes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_LIMITS_SHARD_LIMITER_H_
