#include "tool/disk_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace brook::bench {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;
// O_DIRECT wants the buffer, the offset and the length aligned to the
// device's logical block; 4 KiB covers every common one.
constexpr size_t kDirectAlignment = 4096;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

// One aligned chunk of incompressible bytes, so that a disk that compresses
// or deduplicates does not flatter the probe.
std::unique_ptr<char, FreeDeleter> NewChunk() {
  std::unique_ptr<char, FreeDeleter> chunk(
      static_cast<char*>(std::aligned_alloc(kDirectAlignment, kChunkBytes)));
  std::mt19937_64 random(7);
  for (size_t i = 0; i < kChunkBytes; i += sizeof(uint64_t)) {
    const uint64_t word = random();
    std::memcpy(chunk.get() + i, &word, sizeof(word));
  }
  return chunk;
}

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Flushes what earlier work left dirty on the filesystem of `dir`, so that
// its write-back does not run during a probe.
void SyncFilesystem(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

}  // namespace

absl::string_view DiskWriteModeName(DiskWriteMode mode) {
  return mode == DiskWriteMode::kFdatasync ? "fdatasync" : "direct";
}

Spread SpreadOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  Spread spread;
  spread.samples = static_cast<int>(n);
  spread.min = values.front();
  spread.max = values.back();
  spread.median =
      n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return spread;
}

absl::StatusOr<double> DiskWriteProbe(const std::string& dir,
                                      DiskWriteMode mode, int64_t bytes) {
  const std::string path = dir + "/disk-probe";
  int flags = O_WRONLY | O_CREAT | O_TRUNC;
  if (mode == DiskWriteMode::kDirect) flags |= O_DIRECT;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    if (mode == DiskWriteMode::kDirect && errno == EINVAL) {
      return absl::UnimplementedError("the filesystem refuses O_DIRECT");
    }
    return ErrnoStatus(path);
  }
  const std::unique_ptr<char, FreeDeleter> chunk = NewChunk();
  absl::Status status;
  const absl::Time began = absl::Now();
  for (int64_t written = 0; written < bytes && status.ok();
       written += kChunkBytes) {
    if (::write(fd, chunk.get(), kChunkBytes) !=
        static_cast<ssize_t>(kChunkBytes)) {
      status = ErrnoStatus("write while probing the disk");
    }
  }
  if (status.ok() && ::fdatasync(fd) != 0) {
    status = ErrnoStatus("fdatasync while probing the disk");
  }
  const absl::Duration elapsed = absl::Now() - began;
  ::close(fd);
  ::unlink(path.c_str());
  if (!status.ok()) return status;
  return bytes / absl::ToDoubleSeconds(elapsed) / 1e6;
}

DiskReference::DiskReference(std::string dir, int64_t probe_bytes, int rounds)
    : dir_(std::move(dir)), probe_bytes_(probe_bytes), rounds_(rounds) {}

void DiskReference::ProbeAt(absl::string_view point) {
  SyncFilesystem(dir_);
  for (int round = 0; round < rounds_; ++round) {
    for (const DiskWriteMode mode :
         {DiskWriteMode::kFdatasync, DiskWriteMode::kDirect}) {
      if (!error(mode).ok()) continue;
      absl::StatusOr<double> mb_per_s =
          DiskWriteProbe(dir_, mode, probe_bytes_);
      if (!mb_per_s.ok()) {
        mutable_error(mode) = mb_per_s.status();
        continue;
      }
      samples_.push_back({std::string(point), mode, *mb_per_s});
    }
  }
}

Spread DiskReference::spread(DiskWriteMode mode) const {
  std::vector<double> values;
  for (const Sample& sample : samples_) {
    if (sample.mode == mode) values.push_back(sample.mb_per_s);
  }
  if (values.empty()) return Spread();
  return SpreadOf(std::move(values));
}

}  // namespace brook::bench
