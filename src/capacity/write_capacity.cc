#include "capacity/write_capacity.h"

#include <algorithm>

namespace brook {
namespace {

// Milliseconds per slot when `span` is cut into `slots`; at least 1.
int64_t SlotMillis(absl::Duration span, int slots) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(span) / slots);
}

int64_t Bounded(int64_t twice_peak, int64_t floor, int64_t max) {
  return std::min(std::max(twice_peak, floor), max);
}

}  // namespace

WriteCapacity::WriteCapacity()
    : bytes_(TokenBucket::Unlimited()), records_(TokenBucket::Unlimited()) {}

void WriteCapacity::Start(const OnDemandOptions& options, WriteRate floor,
                          int64_t max_record_bytes, absl::Time now) {
  absl::MutexLock lock(&mu_);
  active_ = true;
  options_ = options;
  floor_ = {
      std::max(floor.bytes_per_second, options.initial_write_bytes_per_second),
      std::max(floor.records_per_second,
               options.initial_write_records_per_second)};
  max_record_bytes_ = max_record_bytes;
  recent_.clear();
  eligible_.clear();
  limit_ = LimitFromPeaks();
  FillBuckets(now);
}

void WriteCapacity::FillBuckets(absl::Time now) {
  bytes_ = TokenBucket(limit_.bytes_per_second, BytesBurst(), now);
  records_ =
      TokenBucket(limit_.records_per_second, limit_.records_per_second, now);
}

bool WriteCapacity::TryAdmit(int64_t bytes, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!active_) return true;
  if (!bytes_.Holds(bytes, now) || !records_.Holds(1, now)) return false;
  bytes_.TryTake(bytes, now);
  records_.TryTake(1, now);
  return true;
}

void WriteCapacity::AddPeak(std::deque<Peak>& peaks, int64_t slot,
                            WriteRate rate) {
  if (peaks.empty() || peaks.back().slot < slot) {
    peaks.push_back({slot, rate});
    return;
  }
  // Observations arrive in time order, so a slot is the newest or gone.
  WriteRate& kept = peaks.back().rate;
  kept.bytes_per_second =
      std::max(kept.bytes_per_second, rate.bytes_per_second);
  kept.records_per_second =
      std::max(kept.records_per_second, rate.records_per_second);
}

void WriteCapacity::Observe(WriteRate rate, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!active_) return;
  const int64_t now_ms = absl::ToUnixMillis(now);
  const int64_t recent_ms = SlotMillis(options_.scale_up_delay, kSlots);
  const int64_t eligible_ms = SlotMillis(options_.peak_window, kSlots);
  AddPeak(recent_, now_ms / recent_ms, rate);
  // A slot counts once all of it is scale_up_delay old.
  const int64_t delay_ms = absl::ToInt64Milliseconds(options_.scale_up_delay);
  while (!recent_.empty() &&
         (recent_.front().slot + 1) * recent_ms <= now_ms - delay_ms) {
    AddPeak(eligible_, recent_.front().slot * recent_ms / eligible_ms,
            recent_.front().rate);
    recent_.pop_front();
  }
  const int64_t window_ms = absl::ToInt64Milliseconds(options_.peak_window);
  while (!eligible_.empty() &&
         (eligible_.front().slot + 1) * eligible_ms <= now_ms - window_ms) {
    eligible_.pop_front();
  }
  UpdateLimit(now);
}

WriteRate WriteCapacity::LimitFromPeaks() const {
  WriteRate peak;
  for (const Peak& p : eligible_) {
    peak.bytes_per_second =
        std::max(peak.bytes_per_second, p.rate.bytes_per_second);
    peak.records_per_second =
        std::max(peak.records_per_second, p.rate.records_per_second);
  }
  return {Bounded(2 * peak.bytes_per_second, floor_.bytes_per_second,
                  options_.max_write_bytes_per_second),
          Bounded(2 * peak.records_per_second, floor_.records_per_second,
                  options_.max_write_records_per_second)};
}

int64_t WriteCapacity::BytesBurst() const {
  return std::min(std::max(limit_.bytes_per_second, max_record_bytes_),
                  TokenBucket::kMaxTokens);
}

void WriteCapacity::UpdateLimit(absl::Time now) {
  const WriteRate limit = LimitFromPeaks();
  if (limit.bytes_per_second == limit_.bytes_per_second &&
      limit.records_per_second == limit_.records_per_second) {
    return;
  }
  const bool raised = limit.bytes_per_second > limit_.bytes_per_second ||
                      limit.records_per_second > limit_.records_per_second;
  limit_ = limit;
  // What the stream has scaled to is there at once, a whole second of it;
  // a lower limit keeps only what the smaller buckets hold.
  if (raised) {
    FillBuckets(now);
  } else {
    ResetBuckets(now);
  }
}

void WriteCapacity::ResetBuckets(absl::Time now) {
  bytes_.Reset(limit_.bytes_per_second, BytesBurst(), now);
  records_.Reset(limit_.records_per_second, limit_.records_per_second, now);
}

WriteRate WriteCapacity::limit() const {
  absl::MutexLock lock(&mu_);
  return limit_;
}

void WriteCapacity::SetMaxRecordBytes(int64_t max_record_bytes,
                                      absl::Time now) {
  absl::MutexLock lock(&mu_);
  max_record_bytes_ = max_record_bytes;
  if (active_) ResetBuckets(now);
}

}  // namespace brook
