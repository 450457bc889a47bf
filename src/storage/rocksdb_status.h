// The one place where a RocksDB status becomes a Brook status:
//   OK                                  -> OK
//   Corruption                          -> DataLoss (kDataLoss)
//   IOError with subcode NoSpace or
//     SpaceLimit                        -> NoSpace (kResourceExhausted)
//   anything else                       -> InternalFailure (kInternal)
// All three carry the Kinesis name InternalFailure, and a message that
// starts with `context` and ends with RocksDB's own text.
// FromRocksDbOnStoreFiles() is the same for opening a store and reading
// from it, where every file RocksDB opens is one the store lists: there a
// missing file (IOError PathNotFound) is damage, DataLoss, as a corrupt
// one is.
//
// Only storage/ includes this header.
//
// Thread safety: pure functions.

#ifndef BROOK_STORAGE_ROCKSDB_STATUS_H_
#define BROOK_STORAGE_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace brook {

absl::Status FromRocksDb(absl::string_view context,
                         const rocksdb::Status& status);
absl::Status FromRocksDbOnStoreFiles(absl::string_view context,
                                     const rocksdb::Status& status);

inline rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

inline absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace brook

#endif  // BROOK_STORAGE_ROCKSDB_STATUS_H_
