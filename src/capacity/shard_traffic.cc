#include "capacity/shard_traffic.h"

#include <algorithm>
#include <cassert>

namespace brook {
namespace {

// The fraction of a slice at which the median falls, in 1/2^kFractionBits.
constexpr int kFractionBits = 16;

// 64 bits that tell hash keys apart (MD5 keys are uniform in both halves;
// explicit hash keys may differ in either), never 0.
uint64_t KeyDigest(absl::uint128 hash_key) {
  const uint64_t digest = absl::Uint128High64(hash_key) * 0x9e3779b97f4a7c15u ^
                          absl::Uint128Low64(hash_key);
  return digest == 0 ? 1 : digest;
}

}  // namespace

ShardTraffic::ShardTraffic(const HashKeyRange& range)
    : range_(range),
      slice_width_((range.ending_hash_key - range.starting_hash_key) / kSlices +
                   1) {}

void ShardTraffic::Add(absl::uint128 hash_key, int64_t bytes) {
  assert(hash_key >= range_.starting_hash_key &&
         hash_key <= range_.ending_hash_key);
  const auto slice = static_cast<size_t>(
      absl::Uint128Low64((hash_key - range_.starting_hash_key) / slice_width_));
  bytes_[std::min<size_t>(slice, kSlices - 1)].fetch_add(
      bytes, std::memory_order_relaxed);
  if (several_keys_.load(std::memory_order_relaxed)) return;
  const uint64_t key = KeyDigest(hash_key);
  uint64_t first = 0;
  if (!first_key_.compare_exchange_strong(first, key,
                                          std::memory_order_relaxed) &&
      first != key) {
    several_keys_.store(true, std::memory_order_relaxed);
  }
}

ShardTraffic::Snapshot ShardTraffic::Take() {
  Snapshot snapshot;
  for (int i = 0; i < kSlices; ++i) {
    snapshot.bytes[i] = bytes_[i].exchange(0, std::memory_order_relaxed);
  }
  first_key_.store(0, std::memory_order_relaxed);
  snapshot.several_keys =
      several_keys_.exchange(false, std::memory_order_relaxed);
  return snapshot;
}

absl::optional<absl::uint128> ShardTraffic::SplitPoint(
    const Snapshot& snapshot) const {
  const std::array<int64_t, kSlices>& traffic = snapshot.bytes;
  const absl::uint128 lowest = range_.starting_hash_key + 2;
  const absl::uint128 highest = range_.ending_hash_key - 1;
  if (range_.ending_hash_key - range_.starting_hash_key < 3) {
    return absl::nullopt;
  }
  int64_t total = 0;
  for (int64_t bytes : traffic) total += bytes;
  if (total == 0) return absl::nullopt;
  // The slice holding the median byte, and how far into it the median is.
  const int64_t half = total / 2;
  int64_t below = 0;
  int slice = 0;
  while (below + traffic[slice] < half) below += traffic[slice++];
  const auto fraction = static_cast<uint64_t>(
      traffic[slice] == 0
          ? 0.0
          : static_cast<double>(half - below) /
                static_cast<double>(traffic[slice]) * (1 << kFractionBits));
  const absl::uint128 key = range_.starting_hash_key + slice_width_ * slice +
                            (slice_width_ >> kFractionBits) * fraction;
  return std::clamp(key, lowest, highest);
}

}  // namespace brook
