#include "storage/rocksdb_status.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace brook {

absl::Status FromRocksDb(absl::string_view context,
                         const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsCorruption()) return DataLoss(message);
  if (status.IsIOError() &&
      (status.subcode() == rocksdb::Status::kNoSpace ||
       status.subcode() == rocksdb::Status::kSpaceLimit)) {
    return NoSpace(message);
  }
  return InternalFailure(message);
}

absl::Status FromRocksDbOnStoreFiles(absl::string_view context,
                                     const rocksdb::Status& status) {
  if (status.IsPathNotFound()) {
    return DataLoss(absl::StrCat(
        context, ": a file of the store is missing: ", status.ToString()));
  }
  return FromRocksDb(context, status);
}

}  // namespace brook
