// StoreFileSystem: the file system a Store keeps its files on, as a handle
// that code outside storage/ can pass along without knowing RocksDB. By
// default it is the operating system's; fault-injection tests wrap it
// (tests/testing/fault_fs.h) to fail chosen writes, syncs, renames and
// allocations, to lose unsynced data, or to pretend the disk is small.
//
// Thread safety: a plain value; the file system it holds is thread-safe.

#ifndef BROOK_STORAGE_FILE_SYSTEM_H_
#define BROOK_STORAGE_FILE_SYSTEM_H_

#include <memory>
#include <utility>

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace brook {

class StoreFileSystem {
 public:
  // The operating system's file system.
  StoreFileSystem() = default;
  explicit StoreFileSystem(std::shared_ptr<rocksdb::FileSystem> file_system)
      : file_system_(std::move(file_system)) {}

  // The file system to use, or nullptr for the operating system's.
  const std::shared_ptr<rocksdb::FileSystem>& get() const {
    return file_system_;
  }

 private:
  std::shared_ptr<rocksdb::FileSystem> file_system_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_FILE_SYSTEM_H_
