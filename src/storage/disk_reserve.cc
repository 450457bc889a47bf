#include "storage/disk_reserve.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/file_system.h"
#include "storage/rocksdb_status.h"

namespace brook {
namespace {

constexpr char kReserveFileName[] = "RESERVE";
constexpr uint64_t kZeroChunkBytes = uint64_t{1} << 20;

absl::Status FromIo(absl::string_view context, const rocksdb::IOStatus& io) {
  return FromRocksDb(context, io);
}

// Fills `file` with `bytes` of zeros, where the filesystem cannot
// preallocate.
absl::Status WriteZeros(rocksdb::FSWritableFile& file, uint64_t bytes) {
  const std::string zeros(kZeroChunkBytes, '\0');
  for (uint64_t written = 0; written < bytes; written += zeros.size()) {
    const size_t chunk =
        static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - written));
    BROOK_RETURN_IF_ERROR(
        FromIo("writing the reserve file",
               file.Append(rocksdb::Slice(zeros.data(), chunk),
                           rocksdb::IOOptions(), nullptr)));
  }
  return absl::OkStatus();
}

}  // namespace

DiskReserve::DiskReserve(std::shared_ptr<rocksdb::FileSystem> file_system,
                         std::string dir, uint64_t min_free_bytes)
    : file_system_(std::move(file_system)),
      dir_(std::move(dir)),
      path_(absl::StrCat(dir_, "/", kReserveFileName)),
      min_free_bytes_(min_free_bytes) {}

absl::StatusOr<uint64_t> DiskReserve::FreeBytes() const {
  uint64_t free_bytes = 0;
  BROOK_RETURN_IF_ERROR(
      FromIo("measuring free disk space",
             file_system_->GetFreeSpace(dir_, rocksdb::IOOptions(), &free_bytes,
                                        nullptr)));
  return free_bytes;
}

absl::Status DiskReserve::CheckFloor(uint64_t free_bytes,
                                     uint64_t unflushed_bytes) const {
  const uint64_t usable =
      free_bytes > unflushed_bytes ? free_bytes - unflushed_bytes : 0;
  if (usable >= min_free_bytes_) return absl::OkStatus();
  return NoSpace(absl::StrCat(
      "the data directory's filesystem has ", free_bytes, " bytes free, ",
      unflushed_bytes,
      " of them needed to flush what is in memory, below "
      "the floor of ",
      min_free_bytes_,
      " (BrokerOptions::min_free_disk_bytes); delete streams, lower retention "
      "or free space on the disk"));
}

bool DiskReserve::file_held() const {
  uint64_t size = 0;
  return file_bytes() > 0 &&
         file_system_->GetFileSize(path_, rocksdb::IOOptions(), &size, nullptr)
             .ok() &&
         size >= file_bytes();
}

absl::Status DiskReserve::ReleaseFile() {
  if (file_bytes() == 0 ||
      !file_system_->FileExists(path_, rocksdb::IOOptions(), nullptr).ok()) {
    return absl::OkStatus();
  }
  return FromIo("deleting the reserve file",
                file_system_->DeleteFile(path_, rocksdb::IOOptions(), nullptr));
}

absl::Status DiskReserve::ReplenishFile(uint64_t usable_bytes) {
  if (file_bytes() == 0 || file_held() ||
      usable_bytes < min_free_bytes_ + file_bytes()) {
    return absl::OkStatus();
  }
  rocksdb::FileOptions options;
  // Allocated blocks and a file size to match: the space shows as used, and
  // nothing trims it when the file closes.
  options.fallocate_with_keep_size = false;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  BROOK_RETURN_IF_ERROR(
      FromIo("creating the reserve file",
             file_system_->NewWritableFile(path_, options, &file, nullptr)));
  absl::Status written =
      FromIo("allocating the reserve file",
             file->Allocate(0, file_bytes(), rocksdb::IOOptions(), nullptr));
  if (!written.ok() && written.code() != absl::StatusCode::kResourceExhausted) {
    written = WriteZeros(*file, file_bytes());
  }
  if (written.ok()) {
    written = FromIo("syncing the reserve file",
                     file->Fsync(rocksdb::IOOptions(), nullptr));
  }
  written.Update(FromIo("closing the reserve file",
                        file->Close(rocksdb::IOOptions(), nullptr)));
  if (!written.ok()) ReleaseFile().IgnoreError();
  return written;
}

}  // namespace brook
