// The disk's sequential write bandwidth, as the reference that brook_bench's
// durable figures are read against. One probe on a virtual disk with caching
// varies by a factor of five within a run, so the reference is several
// probes taken at points of the run where no workload is running (before
// the workload, between its phases, after it), in two variants, and
// reported as a spread:
//   fdatasync  buffered write() of 1 MiB chunks, then one fdatasync(): what
//              a log writer such as RocksDB's does;
//   direct     the same bytes with O_DIRECT from 4 KiB-aligned buffers, then
//              one fdatasync() (for the device's own cache): the page cache
//              left out.
// Before each point the filesystem is synced (syncfs), untimed, so that the
// workload's leftover write-back is not charged to the probe, and the probe
// file is removed after each probe. Probes never overlap a workload, so the
// workload's own figures are unaffected.
//
// Thread safety: DiskReference is not thread-safe; the functions are.

#ifndef BROOK_BENCH_TOOL_DISK_PROBE_H_
#define BROOK_BENCH_TOOL_DISK_PROBE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook::bench {

enum class DiskWriteMode { kFdatasync, kDirect };

// "fdatasync" or "direct".
absl::string_view DiskWriteModeName(DiskWriteMode mode);

// The minimum, median (the mean of the middle two for an even count) and
// maximum of some samples.
struct Spread {
  int samples = 0;
  double min = 0;
  double median = 0;
  double max = 0;
};

// REQUIRES: `values` is not empty.
Spread SpreadOf(std::vector<double> values);

// DiskWriteProbe()
//
// Writes `bytes` (a positive multiple of 1 MiB) of incompressible data to a
// new file under `dir` in 1 MiB writes, as `mode` says, and returns the
// bandwidth including the final fdatasync, in MB/s (10^6 bytes). Fails with
// kInternal if the file cannot be written, kUnimplemented if the
// filesystem refuses O_DIRECT (tmpfs does).
absl::StatusOr<double> DiskWriteProbe(const std::string& dir,
                                      DiskWriteMode mode, int64_t bytes);

// The probes of one run: at each point, `rounds` probes of each mode,
// alternating.
class DiskReference {
 public:
  struct Sample {
    std::string point;
    DiskWriteMode mode;
    double mb_per_s;
  };

  // REQUIRES: `probe_bytes` is a positive multiple of 1 MiB; `rounds` >= 1.
  DiskReference(std::string dir, int64_t probe_bytes, int rounds);

  // Syncs the filesystem, then takes the probes of one point ("before",
  // "between", "after"). A mode that fails is not probed again; its error
  // is kept.
  void ProbeAt(absl::string_view point);

  const std::vector<Sample>& samples() const { return samples_; }
  // The spread of `mode`'s samples; samples == 0 if there are none.
  Spread spread(DiskWriteMode mode) const;
  // Why `mode` has no samples, or OK.
  const absl::Status& error(DiskWriteMode mode) const {
    return mode == DiskWriteMode::kFdatasync ? fdatasync_error_ : direct_error_;
  }
  int64_t probe_bytes() const { return probe_bytes_; }

 private:
  absl::Status& mutable_error(DiskWriteMode mode) {
    return mode == DiskWriteMode::kFdatasync ? fdatasync_error_ : direct_error_;
  }

  const std::string dir_;
  const int64_t probe_bytes_;
  const int rounds_;
  std::vector<Sample> samples_;
  absl::Status fdatasync_error_;
  absl::Status direct_error_;
};

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_DISK_PROBE_H_
