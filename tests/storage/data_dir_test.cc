#include "storage/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::brook::testing::TempDir;

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

TEST(DataDirLockTest, Acquire_CreatesMissingDirectory) {
  TempDir temp;
  const std::string dir = temp.Sub("data");
  ASSERT_OK_AND_ASSIGN(auto lock, DataDirLock::Acquire(dir, true));
  EXPECT_TRUE(std::filesystem::exists(dir + "/BROOK"));
  EXPECT_EQ(lock->store_path(), dir + "/db");
}

TEST(DataDirLockTest, Acquire_MissingWithoutCreateIsNotFound) {
  TempDir temp;
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::Acquire(temp.Sub("data"), false);
  EXPECT_THAT(lock, HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_EQ(lock.status().message(),
            absl::StrCat("no Brook data directory at '", temp.Sub("data"),
                         "': it does not exist"));
  EXPECT_FALSE(std::filesystem::exists(temp.Sub("data")));
}

TEST(DataDirLockTest, Acquire_SecondHolderIsRefused) {
  TempDir temp;
  ASSERT_OK_AND_ASSIGN(auto first, DataDirLock::Acquire(temp.path(), true));
  EXPECT_THAT(DataDirLock::Acquire(temp.path(), true),
              HasErrorName(ErrorName::kResourceInUseException));
  first.reset();
  EXPECT_OK(DataDirLock::Acquire(temp.path(), true));
}

TEST(DataDirLockTest, Acquire_ForeignDirectoryIsRefusedUntouched) {
  TempDir temp;
  WriteFile(temp.Sub("notes.txt"), "not brook");
  EXPECT_THAT(DataDirLock::Acquire(temp.path(), true),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("notes.txt"));
}

TEST(DataDirLockTest, Acquire_FinishesADirectoryACrashLeftHalfCreated) {
  // The marker is written to BROOK.tmp and renamed: a crash in between
  // leaves only the temporary file, which is no foreign content.
  TempDir temp;
  WriteFile(temp.Sub("BROOK.tmp"), "brook-data-dir fo");
  ASSERT_OK_AND_ASSIGN(auto lock, DataDirLock::Acquire(temp.path(), true));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("BROOK", "LOCK"));
}

TEST(DataDirLockTest, Acquire_NewDirectoryTakesThisBuildsFormat) {
  TempDir temp;
  ASSERT_OK_AND_ASSIGN(auto lock, DataDirLock::Acquire(temp.path(), true));
  EXPECT_EQ(lock->format_version(), 2);
  std::ifstream in(temp.Sub("BROOK"));
  std::string marker;
  std::getline(in, marker);
  EXPECT_EQ(marker, "brook-data-dir format 2");
}

TEST(DataDirLockTest, Acquire_FormatOneIsReadAndKept) {
  // A directory written before batches carried checksums opens in its own
  // format, and stays in it (so that the build that wrote it still opens it).
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 1\n");
  {
    ASSERT_OK_AND_ASSIGN(auto lock, DataDirLock::Acquire(temp.path(), true));
    EXPECT_EQ(lock->format_version(), 1);
  }
  std::ifstream in(temp.Sub("BROOK"));
  std::string marker;
  std::getline(in, marker);
  EXPECT_EQ(marker, "brook-data-dir format 1");
}

TEST(DataDirLockTest, Acquire_NextFormatIsRefusedUntouched) {
  // What a format-1 build does with this build's directories, one format on.
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), absl::StrCat("brook-data-dir format ",
                                            kDataDirFormatVersion + 1, "\n"));
  EXPECT_THAT(DataDirLock::Acquire(temp.path(), true),
              HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_THAT(CheckDataDir(temp.path()),
              HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("BROOK"));
}

TEST(DataDirLockTest, Acquire_NewerFormatIsRefusedUntouched) {
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 999\n");
  EXPECT_THAT(DataDirLock::Acquire(temp.path(), true),
              HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("BROOK"));
}

TEST(DataDirLockTest, Acquire_FormatBeyond64BitsIsNewerNotDamaged) {
  // However many digits, a number is a format, just a newer one.
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 99999999999999999999\n");
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::Acquire(temp.path(), false);
  EXPECT_THAT(lock, HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_THAT(lock.status().message(),
              ::testing::HasSubstr("format 99999999999999999999;"));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("BROOK"));
}

TEST(DataDirLockTest, Acquire_OverlongFormatIsShownClipped) {
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), absl::StrCat("brook-data-dir format ",
                                            std::string(5000, '9'), "\n"));
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::Acquire(temp.path(), false);
  EXPECT_THAT(lock, HasErrorName(ErrorName::kResourceInUseException));
  EXPECT_EQ(
      lock.status().message(),
      absl::StrCat("'", temp.path(), "' was written in Brook data format ",
                   std::string(20, '9'), "...; this build reads format ",
                   kDataDirFormatVersion, " and older"));
}

TEST(DataDirLockTest, Acquire_StoreWithoutMarkerIsDamage) {
  // A Brook directory whose marker was deleted: its store is still there.
  TempDir temp;
  std::filesystem::create_directory(temp.Sub("db"));
  WriteFile(temp.Sub("db/IDENTITY"), "x");
  WriteFile(temp.Sub("db/MANIFEST-000005"), "x");
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::Acquire(temp.path(), true);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(lock.status().message(),
              ::testing::HasSubstr("no BROOK format marker"));
  EXPECT_THAT(CheckDataDir(temp.path()),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("db"));
}

TEST(DataDirLockTest, Acquire_EmptyWithoutCreateSaysEmpty) {
  TempDir temp;
  for (const absl::Status& status :
       {DataDirLock::Acquire(temp.path(), false).status(),
        DataDirLock::AcquireToRead(temp.path()).status(),
        CheckDataDir(temp.path())}) {
    EXPECT_THAT(status, HasErrorName(ErrorName::kResourceNotFoundException));
    EXPECT_EQ(status.message(),
              absl::StrCat("no Brook data directory at '", temp.path(),
                           "': the directory is empty"));
  }
  EXPECT_THAT(Listing(temp.path()), ::testing::IsEmpty());
}

TEST(DataDirLockTest, AcquireToRead_CreatesNoFile) {
  // A copy no Broker has opened yet (a backup, a restored directory).
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 2\n");
  ASSERT_OK_AND_ASSIGN(auto reader, DataDirLock::AcquireToRead(temp.path()));
  EXPECT_EQ(reader->format_version(), 2);
  EXPECT_THAT(Listing(temp.path()), ::testing::ElementsAre("BROOK"));
}

TEST(DataDirLockTest, AcquireToRead_ExcludesBrokersBothWays) {
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 2\n");
  {
    // A reader of a directory without LOCK still keeps a Broker out.
    ASSERT_OK_AND_ASSIGN(auto reader, DataDirLock::AcquireToRead(temp.path()));
    EXPECT_THAT(DataDirLock::Acquire(temp.path(), false),
                HasErrorName(ErrorName::kResourceInUseException));
    EXPECT_THAT(DataDirLock::AcquireToRead(temp.path()),
                HasErrorName(ErrorName::kResourceInUseException));
  }
  ASSERT_OK_AND_ASSIGN(auto broker, DataDirLock::Acquire(temp.path(), false));
  EXPECT_THAT(DataDirLock::AcquireToRead(temp.path()),
              HasErrorName(ErrorName::kResourceInUseException));
}

TEST(DataDirLockTest, AcquireToRead_RefusedWhileLockFileIsHeld) {
  // What a Broker of a build that locks only the LOCK file holds.
  TempDir temp;
  WriteFile(temp.Sub("BROOK"), "brook-data-dir format 2\n");
  const int fd = ::open(temp.Sub("LOCK").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_THAT(DataDirLock::AcquireToRead(temp.path()),
              HasErrorName(ErrorName::kResourceInUseException));
  ::close(fd);
  EXPECT_OK(DataDirLock::AcquireToRead(temp.path()));
}

TEST(DataDirLockTest, Acquire_DamagedMarkerIsRefused) {
  // Formats start at 1, and the marker has one exact form.
  for (const char* damaged :
       {"garbage", "brook-data-dir format 0\n", "brook-data-dir format -5\n",
        "brook-data-dir format 02\n", "brook-data-dir format  2\n",
        "brook-data-dir format 2", "brook-data-dir format 3a\n",
        "brook-data-dir format 99999999999999999999x\n"}) {
    TempDir temp;
    WriteFile(temp.Sub("BROOK"), damaged);
    absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
        DataDirLock::Acquire(temp.path(), true);
    EXPECT_THAT(lock, HasErrorName(ErrorName::kInternalFailure)) << damaged;
    EXPECT_EQ(lock.status().code(), absl::StatusCode::kDataLoss) << damaged;
  }
}

TEST(DataDirLockTest, Acquire_FileIsNotADirectory) {
  TempDir temp;
  WriteFile(temp.Sub("file"), "x");
  EXPECT_THAT(DataDirLock::Acquire(temp.Sub("file"), true),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook
