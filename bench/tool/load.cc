#include "tool/load.h"

#include <cstdio>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace brook::bench {
Payloads::Payloads(int record_bytes) : record_bytes_(record_bytes) {
  std::mt19937_64 random(42);
  pool_.resize(size_t{4} << 20);
  for (char& c : pool_) c = static_cast<char>(random());
}

std::string Payloads::Make(int64_t i, absl::Time now) const {
  const size_t offset =
      static_cast<size_t>(i) * record_bytes_ % (pool_.size() - record_bytes_);
  std::string data = pool_.substr(offset, record_bytes_);
  Stamp(now, data);
  return data;
}

void Stamp(absl::Time now, std::string& data) {
  const int64_t stamp = absl::ToUnixNanos(now);
  if (data.size() >= kStampBytes) std::memcpy(data.data(), &stamp, kStampBytes);
}

absl::Time StampOf(absl::string_view data) {
  int64_t stamp = 0;
  if (data.size() >= kStampBytes) std::memcpy(&stamp, data.data(), kStampBytes);
  return absl::FromUnixNanos(stamp);
}

std::string PartitionKey(int64_t i, int64_t distinct_keys) {
  return absl::StrCat("pk-", i % distinct_keys);
}

void Progress::Report(absl::string_view what, absl::Time start,
                      absl::Time until) {
  int64_t last_bytes = 0;
  for (absl::Time next = start + absl::Seconds(1); next <= until;
       next += absl::Seconds(1)) {
    absl::SleepFor(next - absl::Now());
    const int64_t bytes = bytes_.load();
    std::fprintf(stderr, "[%s %3.0fs] %lld records, %.1f MB/s\n",
                 std::string(what).c_str(), absl::ToDoubleSeconds(next - start),
                 static_cast<long long>(records_.load()),
                 (bytes - last_bytes) / 1e6);
    last_bytes = bytes;
  }
  absl::SleepFor(until - absl::Now());
}

}  // namespace brook::bench
