// The benchmark process' own memory, for the figures of memory per shard
// and of memory under load.

#ifndef BROOK_BENCH_TOOL_PROCESS_MEMORY_H_
#define BROOK_BENCH_TOOL_PROCESS_MEMORY_H_

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace brook::bench {

// Resident set size now, in bytes (0 if /proc cannot be read).
inline int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0;
  int64_t resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * ::sysconf(_SC_PAGESIZE);
}

// Gives memory that was freed back to the system, so that RSS taken next
// counts what is in use rather than what the allocator kept.
inline void ReleaseFreedMemory() { ::malloc_trim(0); }

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_PROCESS_MEMORY_H_
