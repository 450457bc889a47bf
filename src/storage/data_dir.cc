#include "storage/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

constexpr char kMarkerName[] = "BROOK";
constexpr char kLockName[] = "LOCK";
constexpr char kRocksDbName[] = "db";
constexpr absl::string_view kMarkerPrefix = "brook-data-dir format ";

std::string MarkerContents(int format_version) {
  return absl::StrCat(kMarkerPrefix, format_version, "\n");
}

std::string MarkerTempName() { return absl::StrCat(kMarkerName, ".tmp"); }

}  // namespace

absl::Status SyncPath(const std::string& path_text) {
  const fs::path path(path_text);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return InternalFailureFrom(
        absl::StrCat("cannot open '", path.string(), "'"),
        std::strerror(errno));
  }
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) {
    return InternalFailureFrom(
        absl::StrCat("cannot sync '", path.string(), "'"),
        std::strerror(error));
  }
  return absl::OkStatus();
}

namespace {

// Writes the marker through a temporary file and a rename, so that a crash
// leaves either no marker or a whole one.
absl::Status WriteMarker(const fs::path& dir, int format_version) {
  const fs::path tmp = dir / MarkerTempName();
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << MarkerContents(format_version);
    out.flush();
    if (!out) {
      return InternalFailureFrom("cannot write the data directory marker",
                                 tmp.string());
    }
  }
  if (absl::Status synced = SyncPath(tmp.string()); !synced.ok()) {
    return synced;
  }
  std::error_code ec;
  fs::rename(tmp, dir / kMarkerName, ec);
  if (ec) {
    return InternalFailureFrom("cannot install the data directory marker",
                               ec.message());
  }
  return SyncPath(dir.string());
}

// Returns the format of the directory's marker.
absl::StatusOr<int> CheckMarker(const fs::path& dir) {
  std::ifstream in(dir / kMarkerName);
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string marker = contents.str();
  absl::string_view text = marker;
  int version = 0;
  // Only the exact form WriteMarker() writes, of a format that exists.
  if (!absl::ConsumePrefix(&text, kMarkerPrefix) ||
      !absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(text), &version) ||
      version < 1 || marker != MarkerContents(version)) {
    return DataLoss(
        absl::StrCat("'", dir.string(), "' has a damaged Brook format marker"));
  }
  if (version > kDataDirFormatVersion) {
    return ResourceInUse(absl::StrCat(
        "'", dir.string(), "' was written in Brook data format ", version,
        "; this build reads format ", kDataDirFormatVersion, " and older"));
  }
  return version;
}

// Whether `dir` holds nothing, or only what a crash while creating it left
// (a marker that was never renamed into place).
bool EmptyOrHalfCreated(const fs::path& dir) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() != MarkerTempName()) return false;
  }
  return !ec;
}

// Validates or creates the directory, without taking the lock; returns its
// format.
absl::StatusOr<int> PrepareDirectory(const fs::path& dir,
                                     bool create_if_missing) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    return InvalidArgument(
        absl::StrCat("'", dir.string(), "' is not a directory"));
  }
  if (exists && fs::exists(dir / kMarkerName, ec)) return CheckMarker(dir);
  if (exists && !EmptyOrHalfCreated(dir)) {
    return InvalidArgument(
        absl::StrCat("'", dir.string(),
                     "' is not empty and is not a Brook data directory (no ",
                     kMarkerName, " file)"));
  }
  if (!create_if_missing) {
    return ResourceNotFound(
        absl::StrCat("data directory '", dir.string(),
                     "' does not exist and create_if_missing is false"));
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return InternalFailureFrom(
        absl::StrCat("cannot create data directory '", dir.string(), "'"),
        ec.message());
  }
  if (absl::Status marked = WriteMarker(dir, kDataDirFormatVersion);
      !marked.ok()) {
    return marked;
  }
  return kDataDirFormatVersion;
}

}  // namespace

std::string StorePathOf(const std::string& dir) {
  return (fs::path(dir) / kRocksDbName).string();
}

absl::Status MarkDataDir(const std::string& dir, int format_version) {
  return WriteMarker(dir, format_version);
}

absl::Status CheckDataDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return ResourceNotFound(
        absl::StrCat("data directory '", dir, "' does not exist"));
  }
  if (!fs::exists(fs::path(dir) / kMarkerName, ec)) {
    return InvalidArgument(absl::StrCat("'", dir,
                                        "' is not a Brook data directory (no ",
                                        kMarkerName, " file)"));
  }
  return CheckMarker(dir).status();
}

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::string& dir, bool create_if_missing) {
  const fs::path path(dir);
  absl::StatusOr<int> format_version =
      PrepareDirectory(path, create_if_missing);
  if (!format_version.ok()) return format_version.status();
  const std::string lock_path = (path / kLockName).string();
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return InternalFailureFrom(absl::StrCat("cannot open '", lock_path, "'"),
                               std::strerror(errno));
  }
  // flock locks belong to the open file description, so a second Open in the
  // same process is refused as well as one in another process.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return ResourceInUse(
          absl::StrCat("data directory '", dir, "' is held by another Broker"));
    }
    return InternalFailureFrom(absl::StrCat("cannot lock '", lock_path, "'"),
                               std::strerror(error));
  }
  return std::unique_ptr<DataDirLock>(
      new DataDirLock(fd, dir, *format_version));
}

DataDirLock::~DataDirLock() { ::close(fd_); }

}  // namespace brook
