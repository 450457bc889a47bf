#include "limits/shard_limiter.h"

#include <algorithm>

namespace brook {
namespace {

// A bucket of `rate` per second holding `capacity`, or an unlimited one.
TokenBucket MakeBucket(int64_t rate, int64_t capacity, absl::Time now) {
  if (rate == StreamLimits::kUnlimited) return TokenBucket::Unlimited();
  return TokenBucket(rate, capacity, now);
}

// Moves `bucket` to a new rate and capacity. A bucket that was unlimited
// starts full, as a new one does.
void UpdateBucket(TokenBucket& bucket, int64_t rate, int64_t capacity,
                  absl::Time now) {
  if (bucket.unlimited() || rate == StreamLimits::kUnlimited) {
    bucket = MakeBucket(rate, capacity, now);
    return;
  }
  bucket.Reset(rate, capacity, now);
}

bool WritesUnlimited(const StreamLimits& limits) {
  return limits.write_bytes_per_second == StreamLimits::kUnlimited &&
         limits.write_records_per_second == StreamLimits::kUnlimited;
}

int64_t WriteBytesCapacity(const StreamLimits& limits,
                           int64_t max_record_bytes) {
  return std::max(limits.write_bytes_per_second, max_record_bytes);
}

}  // namespace

ShardLimiter::ShardLimiter(const StreamLimits& limits, int64_t max_record_bytes,
                           absl::Time now)
    : writes_unlimited_(WritesUnlimited(limits)),
      max_record_bytes_(max_record_bytes),
      limits_(limits),
      write_bytes_(MakeBucket(limits.write_bytes_per_second,
                              WriteBytesCapacity(limits, max_record_bytes),
                              now)),
      write_records_(MakeBucket(limits.write_records_per_second,
                                limits.write_records_per_second, now)),
      read_calls_(MakeBucket(limits.read_calls_per_second,
                             limits.read_calls_per_second, now)),
      iterator_calls_(MakeBucket(limits.shard_iterator_calls_per_second,
                                 limits.shard_iterator_calls_per_second, now)),
      read_bytes_(MakeBucket(limits.read_bytes_per_second,
                             limits.read_bytes_per_second, now)) {}

bool ShardLimiter::TryAdmitWrite(int64_t bytes, absl::Time now) {
  if (writes_unlimited_.load(std::memory_order_acquire)) return true;
  absl::MutexLock lock(&mu_);
  if (!write_records_.Holds(1, now) || !write_bytes_.Holds(bytes, now)) {
    return false;
  }
  write_records_.Charge(1, now);
  write_bytes_.Charge(bytes, now);
  return true;
}

bool ShardLimiter::TryAdmitRead(absl::Time now) {
  absl::MutexLock lock(&mu_);
  return read_bytes_.HasCredit(now) && read_calls_.TryTake(1, now);
}

bool ShardLimiter::TryAdmitIteratorCall(absl::Time now) {
  absl::MutexLock lock(&mu_);
  return iterator_calls_.TryTake(1, now);
}

void ShardLimiter::ChargeRead(int64_t bytes, absl::Time now) {
  absl::MutexLock lock(&mu_);
  read_bytes_.Charge(bytes, now);
}

TokenBucket ShardLimiter::NewFanOutBucket(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  return MakeBucket(limits_.fan_out_bytes_per_second,
                    limits_.fan_out_bytes_per_second, now);
}

void ShardLimiter::SetMaxRecordBytes(int64_t max_record_bytes, absl::Time now) {
  absl::MutexLock lock(&mu_);
  max_record_bytes_ = max_record_bytes;
  UpdateBucket(write_bytes_, limits_.write_bytes_per_second,
               WriteBytesCapacity(limits_, max_record_bytes_), now);
}

void ShardLimiter::Update(const StreamLimits& limits, absl::Time now) {
  absl::MutexLock lock(&mu_);
  writes_unlimited_.store(WritesUnlimited(limits), std::memory_order_release);
  limits_ = limits;
  UpdateBucket(write_bytes_, limits.write_bytes_per_second,
               WriteBytesCapacity(limits, max_record_bytes_), now);
  UpdateBucket(write_records_, limits.write_records_per_second,
               limits.write_records_per_second, now);
  UpdateBucket(read_calls_, limits.read_calls_per_second,
               limits.read_calls_per_second, now);
  UpdateBucket(iterator_calls_, limits.shard_iterator_calls_per_second,
               limits.shard_iterator_calls_per_second, now);
  UpdateBucket(read_bytes_, limits.read_bytes_per_second,
               limits.read_bytes_per_second, now);
}

}  // namespace brook
