#include "storage/backup.h"

#include <filesystem>
#include <system_error>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/data_dir.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

// Makes sure `destination` can take a data directory: absent (then created)
// or an empty directory. Sets `*created` when it made the directory.
absl::Status PrepareDestination(const fs::path& destination, bool* created) {
  std::error_code ec;
  *created = false;
  if (fs::exists(destination, ec)) {
    if (!fs::is_directory(destination, ec) || !fs::is_empty(destination, ec)) {
      return InvalidArgument(absl::StrCat(
          "'", destination.string(),
          "' exists and is not an empty directory: a backup or a restore "
          "goes to a new directory"));
    }
    return absl::OkStatus();
  }
  fs::create_directories(destination, ec);
  if (ec) {
    return InternalFailureFrom(
        absl::StrCat("cannot create '", destination.string(), "'"),
        ec.message());
  }
  *created = true;
  return absl::OkStatus();
}

// Removes what a failed copy wrote to `destination`.
void Discard(const fs::path& destination, bool created) {
  std::error_code ec;
  if (created) {
    fs::remove_all(destination, ec);
    return;
  }
  for (const fs::directory_entry& entry :
       fs::directory_iterator(destination, ec)) {
    fs::remove_all(entry.path(), ec);
  }
}

// Whether `inner` is `outer` or lies inside it.
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const std::string a = fs::weakly_canonical(inner, ec).string();
  const std::string b = fs::weakly_canonical(outer, ec).string();
  return a == b || absl::StartsWith(a, absl::StrCat(b, "/"));
}

DataDirCopyStats StatsOf(const fs::path& dir) {
  DataDirCopyStats stats;
  std::error_code ec;
  for (const fs::directory_entry& entry :
       fs::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    stats.bytes += static_cast<int64_t>(entry.file_size(ec));
    ++stats.files;
  }
  return stats;
}

// Copies the files of `from` (a store directory, which has no
// subdirectories) to the new directory `to`, syncing each.
absl::Status CopyStoreFiles(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directory(to, ec);
  if (ec) {
    return InternalFailureFrom(
        absl::StrCat("cannot create '", to.string(), "'"), ec.message());
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const fs::path target = to / entry.path().filename();
    fs::copy_file(entry.path(), target, ec);
    if (ec) {
      if (ec == std::errc::no_space_on_device) {
        return NoSpace(absl::StrCat("no space left to copy '",
                                    entry.path().string(), "'"));
      }
      return InternalFailureFrom(
          absl::StrCat("cannot copy '", entry.path().string(), "'"),
          ec.message());
    }
    BROOK_RETURN_IF_ERROR(SyncPath(target.string()));
  }
  if (ec) {
    return InternalFailureFrom(
        absl::StrCat("cannot list '", from.string(), "'"), ec.message());
  }
  return SyncPath(to.string());
}

// Runs `fill` to fill `destination`, then marks it a data directory of
// `format_version`, the source's; undoes everything if either fails.
template <typename Fill>
absl::StatusOr<DataDirCopyStats> FillDataDir(const std::string& destination,
                                             int format_version, Fill fill) {
  const fs::path path(destination);
  bool created = false;
  BROOK_RETURN_IF_ERROR(PrepareDestination(path, &created));
  absl::Cleanup discard = [&] { Discard(path, created); };
  BROOK_RETURN_IF_ERROR(fill());
  BROOK_RETURN_IF_ERROR(MarkDataDir(destination, format_version));
  std::move(discard).Cancel();
  return StatsOf(path);
}

}  // namespace

absl::StatusOr<DataDirCopyStats> BackupStore(Store& store,
                                             const std::string& source_dir,
                                             const std::string& destination) {
  if (IsWithin(destination, source_dir)) {
    return InvalidArgument(absl::StrCat("the backup destination '", destination,
                                        "' lies inside the data directory"));
  }
  return FillDataDir(destination, store.format_version(), [&] {
    return store.Checkpoint(StorePathOf(destination));
  });
}

absl::StatusOr<DataDirCopyStats> RestoreDataDir(
    const std::string& backup, const std::string& destination) {
  if (IsWithin(destination, backup) || IsWithin(backup, destination)) {
    return InvalidArgument(absl::StrCat("cannot restore '", backup, "' to '",
                                        destination,
                                        "': one lies inside the other"));
  }
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<DataDirLock> lock,
                         DataDirLock::AcquireToRead(backup));
  return FillDataDir(destination, lock->format_version(), [&] {
    return CopyStoreFiles(lock->store_path(), StorePathOf(destination));
  });
}

}  // namespace brook
