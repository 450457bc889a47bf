// DiskReserve: the free-space floor under a store, and the reserve file that
// backs it.
//
// Brook refuses writes that add data while the data directory's filesystem
// has less than `min_free_bytes` free beyond what flushing its memtables
// will take, so that what it already accepted (the flushes, a compaction,
// the next open) and what frees space (a deletion, retention) always find
// room. A quarter of the floor is held in
// a file, RESERVE in the data directory: when the disk fills anyway
// (another process wrote to it, or the floor was set too low), Brook
// deletes the file, so that the store can finish its flushes, take
// deletions and reopen; it is created again once the disk has room for it
// above the floor.
//
// Thread safety: not thread-safe; the Store serializes its calls.

#ifndef BROOK_STORAGE_DISK_RESERVE_H_
#define BROOK_STORAGE_DISK_RESERVE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace brook {

class DiskReserve {
 public:
  // `file_system` holds `dir`, where the reserve file lives.
  DiskReserve(std::shared_ptr<rocksdb::FileSystem> file_system, std::string dir,
              uint64_t min_free_bytes);

  uint64_t min_free_bytes() const { return min_free_bytes_; }
  uint64_t file_bytes() const { return min_free_bytes_ / 4; }

  // Bytes free for this process on the filesystem of the data directory.
  absl::StatusOr<uint64_t> FreeBytes() const;

  // OK if `free_bytes`, less the `unflushed_bytes` that flushing what is in
  // memory will write, reach the floor; else the NoSpace status (code
  // kResourceExhausted) that says by how much they do not.
  absl::Status CheckFloor(uint64_t free_bytes, uint64_t unflushed_bytes) const;

  // Whether the reserve file is in place at its full size.
  bool file_held() const;

  // Deletes the reserve file, if any, giving its space to the store.
  absl::Status ReleaseFile();

  // Creates the reserve file if it is missing and `usable_bytes` (free less
  // unflushed) leave room for it above the floor.
  absl::Status ReplenishFile(uint64_t usable_bytes);

 private:
  const std::shared_ptr<rocksdb::FileSystem> file_system_;
  const std::string dir_;
  const std::string path_;
  const uint64_t min_free_bytes_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_DISK_RESERVE_H_
