#include "storage/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

// A format number as a message shows it: whole up to 20 digits (any 64-bit
// number), else its first 20 digits and "...", so that a marker of any
// length gives a message of one readable line.
std::string ShownFormat(absl::string_view digits) {
  constexpr size_t kShownDigits = 20;
  if (digits.size() <= kShownDigits) return std::string(digits);
  return absl::StrCat(digits.substr(0, kShownDigits), "...");
}

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

// Returns the format of the directory's marker. A marker of the exact form
// WriteMarker() writes but of a format above this build's is a newer
// format, however many digits it has (a future format is not damage); any
// other form is damage.
absl::StatusOr<int> CheckMarker(const fs::path& dir) {
  std::ifstream in(dir / kMarkerName);
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string marker = contents.str();
  absl::string_view digits = marker;
  const bool well_formed =
      absl::ConsumePrefix(&digits, kMarkerPrefix) &&
      absl::ConsumeSuffix(&digits, "\n") && !digits.empty() &&
      digits.front() != '0' &&
      std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit);
  if (!well_formed) {
    return DataLoss(
        absl::StrCat("'", dir.string(), "' has a damaged Brook format marker"));
  }
  int version = 0;
  if (!absl::SimpleAtoi(digits, &version) || version > kDataDirFormatVersion) {
    return ResourceInUse(
        absl::StrCat("'", dir.string(), "' was written in Brook data format ",
                     ShownFormat(digits), "; this build reads format ",
                     kDataDirFormatVersion, " and older"));
  }
  return version;
}

// Whether `dir` holds a store's files where a Brook directory keeps them:
// RocksDB's CURRENT, IDENTITY or a MANIFEST file under db/.
bool HoldsStoreFiles(const fs::path& dir) {
  std::error_code ec;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(dir / kRocksDbName, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "CURRENT" || name == "IDENTITY" ||
        absl::StartsWith(name, "MANIFEST-")) {
      return true;
    }
  }
  return false;
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
  // Only the marker is missing: damage (the marker was deleted, or a copy
  // into the directory stopped before its last step), not a stranger's
  // directory.
  if (exists && HoldsStoreFiles(dir)) {
    return DataLoss(absl::StrCat(
        "'", dir.string(), "' holds a Brook store (", kRocksDbName,
        "/) but no ", kMarkerName,
        " format marker: the marker was lost, or a backup or restore into "
        "it did not finish"));
  }
  if (exists && !EmptyOrHalfCreated(dir)) {
    return InvalidArgument(
        absl::StrCat("'", dir.string(),
                     "' is not empty and is not a Brook data directory (no ",
                     kMarkerName, " file)"));
  }
  if (!create_if_missing) {
    return ResourceNotFound(absl::StrCat(
        "no Brook data directory at '", dir.string(),
        "': ", exists ? "the directory is empty" : "it does not exist"));
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
  return PrepareDirectory(dir, /*create_if_missing=*/false).status();
}

namespace {

// Opens `path` (with O_CREAT in `flags`, creating it) and takes an exclusive
// flock() on it, or returns -1 when `path` is absent and not to be created.
// flock() locks belong to the open file description, so a second holder in
// the same process is refused as well as one in another process.
absl::StatusOr<int> LockPath(const std::string& path, int flags,
                             const std::string& dir) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT && (flags & O_CREAT) == 0) return -1;
  if (fd < 0) {
    return InternalFailureFrom(absl::StrCat("cannot open '", path, "'"),
                               std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return ResourceInUse(
          absl::StrCat("data directory '", dir, "' is held by another Broker"));
    }
    return InternalFailureFrom(absl::StrCat("cannot lock '", path, "'"),
                               std::strerror(error));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::string& dir, bool create_if_missing) {
  return Take(dir, create_if_missing ? Mode::kCreateIfMissing : Mode::kOpen);
}

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::AcquireToRead(
    const std::string& dir) {
  return Take(dir, Mode::kRead);
}

// Two locks, both exclusive: the directory's own, which needs no file, and
// the LOCK file's, the only one that earlier builds take. A
// Broker takes both (creating LOCK); a reader takes the directory's, and
// LOCK's when it exists: a directory without LOCK has never been opened
// by a Broker of any build, and one that opens it now is kept out by the
// directory lock.
absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Take(
    const std::string& dir, Mode mode) {
  const fs::path path(dir);
  absl::StatusOr<int> format_version =
      PrepareDirectory(path, mode == Mode::kCreateIfMissing);
  if (!format_version.ok()) return format_version.status();
  absl::StatusOr<int> dir_fd =
      LockPath(path.string(), O_RDONLY | O_DIRECTORY, dir);
  if (!dir_fd.ok()) return dir_fd.status();
  absl::StatusOr<int> lock_fd =
      LockPath((path / kLockName).string(),
               mode == Mode::kRead ? O_RDONLY : O_RDWR | O_CREAT, dir);
  if (!lock_fd.ok()) {
    ::close(*dir_fd);
    return lock_fd.status();
  }
  return std::unique_ptr<DataDirLock>(
      new DataDirLock(*dir_fd, *lock_fd, dir, *format_version));
}

DataDirLock::~DataDirLock() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  ::close(dir_fd_);
}

}  // namespace brook
