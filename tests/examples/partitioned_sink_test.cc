// The partitioned sink example under crashes: it is killed with SIGKILL
// while it writes a stream's records to files — right after it has put a
// file in place and before it checkpoints it, the moment that could lose or
// duplicate records — and restarted until it reports that everything is
// written. Every record must then be in exactly one file, in its arrival
// hour's partition, and no temporary file may be left.

#include <sys/wait.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/child_process.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

constexpr int kRecords = 4000;
constexpr int kMaxRuns = 80;

// The decompressed text of a gzip file.
std::string ReadGzip(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  EXPECT_NE(gz, nullptr) << path;
  std::string text;
  char buffer[8192];
  int n = 0;
  while (gz != nullptr && (n = gzread(gz, buffer, sizeof(buffer))) > 0) {
    text.append(buffer, n);
  }
  EXPECT_GE(n, 0) << "damaged " << path;
  if (gz != nullptr) gzclose(gz);
  return text;
}

// The value of the JSON string field `name` in `line`, which the sink
// writes; our data holds no characters that JSON escapes.
std::string StringField(absl::string_view line, absl::string_view name) {
  const std::string key = absl::StrCat("\"", name, "\":\"");
  const size_t start = line.find(key);
  if (start == absl::string_view::npos) return "";
  const size_t from = start + key.size();
  return std::string(line.substr(from, line.find('"', from) - from));
}

class PartitionedSinkTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    options().clock = Clock::Real();  // As the sink's own Broker.
    Open();
    CreateStream("deliveries", 2);
    for (int i = 0; i < kRecords; ++i) {
      if (i == kRecords / 2) {
        ASSERT_OK(broker().SplitShard(
            {"deliveries", "shardId-000000000000", "1000000"}));
      }
      Put("deliveries", absl::StrCat("parcel-", i % 31), absl::StrCat("r", i));
    }
    ASSERT_OK(broker().Close());
  }

  // Runs the sink, killing it once it has written `kill_at_file` files.
  testing::ChildRun RunSink(int kill_at_file) {
    return testing::RunChild(
        {BROOK_PARTITIONED_SINK, dir(), output_.string(), "--sink-only"},
        [&](absl::string_view output) {
          int written = 0;
          for (absl::string_view line : absl::StrSplit(output, '\n')) {
            written += absl::StartsWith(line, "wrote ") ? 1 : 0;
          }
          return written >= kill_at_file;
        },
        absl::Seconds(120));
  }

  const fs::path output_ = fs::path(dir()) / "sink";
};

TEST_F(PartitionedSinkTest, KillLoopNeitherLosesNorDuplicates) {
  const unsigned seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 random(seed);
  testing::ChildRun run;
  int runs = 0;
  int crashes = 0;
  do {
    run = RunSink(std::uniform_int_distribution<int>(1, 3)(random));
    crashes += run.killed ? 1 : 0;
  } while (run.killed && ++runs < kMaxRuns);
  ASSERT_FALSE(run.killed) << "the sink never caught up";
  ASSERT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0)
      << run.output;
  EXPECT_TRUE(absl::EndsWith(run.output, "idle\n"));
  EXPECT_GE(crashes, 5);

  std::map<std::string, int> copies;
  for (const auto& entry : fs::recursive_directory_iterator(output_)) {
    if (!entry.is_regular_file()) continue;
    ASSERT_EQ(entry.path().extension(), ".gz") << "left " << entry.path();
    const std::string partition =
        fs::relative(entry.path().parent_path(), output_).string();
    for (absl::string_view line :
         absl::StrSplit(ReadGzip(entry.path()), '\n', absl::SkipEmpty())) {
      ++copies[StringField(line, "data")];
      const size_t at = line.find("\"arrival_ms\":");
      ASSERT_NE(at, absl::string_view::npos);
      int64_t arrival_ms = 0;
      ASSERT_TRUE(absl::SimpleAtoi(
          line.substr(at + 13, line.find(',', at) - at - 13), &arrival_ms));
      EXPECT_EQ(partition, absl::FormatTime("year=%Y/month=%m/day=%d/hour=%H",
                                            absl::FromUnixMillis(arrival_ms),
                                            absl::UTCTimeZone()));
    }
  }
  ASSERT_EQ(copies.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ(copies[absl::StrCat("r", i)], 1) << "record r" << i;
  }
}

}  // namespace
}  // namespace brook
