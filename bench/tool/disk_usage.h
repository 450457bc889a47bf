// How many bytes the regular files under a directory hold, and how many
// this process has written to storage, for the benchmarks' disk figures.

#ifndef BROOK_BENCH_TOOL_DISK_USAGE_H_
#define BROOK_BENCH_TOOL_DISK_USAGE_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace brook::bench {

inline int64_t BytesUnder(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

// Bytes this process (all its threads, RocksDB's included) has caused to be
// written to storage: Linux's write_bytes of /proc/self/io, counted when a
// page is dirtied or a direct write is issued. -1 where it is not available.
inline int64_t ProcessDiskWriteBytes() {
  std::ifstream io("/proc/self/io");
  std::string field;
  int64_t value = 0;
  while (io >> field >> value) {
    if (field == "write_bytes:") return value;
  }
  return -1;
}

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_DISK_USAGE_H_
