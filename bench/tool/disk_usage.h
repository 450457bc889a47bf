// How many bytes the regular files under a directory hold, for the
// benchmarks' bytes-on-disk figures.

#ifndef BROOK_BENCH_TOOL_DISK_USAGE_H_
#define BROOK_BENCH_TOOL_DISK_USAGE_H_

#include <cstdint>
#include <filesystem>
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

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_DISK_USAGE_H_
