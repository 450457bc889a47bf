// At-least-once processing across crashes: a Worker in a child process
// processes a resharded stream, checkpointing after every batch, and is
// killed with SIGKILL at random moments and restarted until it has processed
// everything. Every record must be processed at least once, and after each
// restart nothing at or before an acknowledged checkpoint may be processed
// again, nor any shard whose end was checkpointed.

#include <sys/wait.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/child_process.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr int kMaxRounds = 30;

class WorkerCrashTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    // The child runs on the real clock: records put on the manual one would
    // be past their retention period there.
    options().clock = Clock::Real();
    Open();
    CreateStream("work", 2);
    PutMany(300);
    ASSERT_OK(broker().SplitShard({"work", "shardId-000000000000",
                                   "85070591730234615865843651857942052864"}));
    PutMany(300);
    ASSERT_OK(broker().MergeShards(
        {"work", "shardId-000000000003", "shardId-000000000001"}));
    PutMany(300);
    ASSERT_OK(broker().Close());
  }

  void PutMany(int n) {
    for (int i = 0; i < n; ++i) {
      put_.insert(Put("work", absl::StrCat("key-", i % 37), "x")
                      .sequence_number.ToString());
    }
  }

  std::set<std::string> put_;  // Sequence numbers of every record.
};

TEST_F(WorkerCrashTest, EveryRecordAtLeastOnceNothingBeforeACheckpointAgain) {
  const unsigned seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 random(seed);
  std::set<std::string> processed;
  // What the killed runs acknowledged: per shard, the last checkpoint.
  std::map<std::string, SequenceNumber> checkpoints;
  std::set<std::string> ended;
  int round = 0;
  for (; round < kMaxRounds && processed.size() < put_.size(); ++round) {
    // Kill after a random number of lines, or, late on, once done.
    const int kill_after =
        round < kMaxRounds / 2
            ? std::uniform_int_distribution<int>(1, 150)(random)
            : INT32_MAX;
    // What this round must respect: the checkpoints acknowledged before.
    const std::map<std::string, SequenceNumber> prior_checkpoints = checkpoints;
    const std::set<std::string> prior_ended = ended;
    int lines = 0;
    testing::ChildRun run = testing::RunChild(
        {BROOK_CRASH_WORKER, dir()}, [&](absl::string_view output) {
          lines =
              static_cast<int>(std::count(output.begin(), output.end(), '\n'));
          if (lines >= kill_after) return true;
          std::set<std::string> done = processed;
          for (absl::string_view line : absl::StrSplit(output, '\n')) {
            std::vector<std::string> f = absl::StrSplit(line, ' ');
            if (f.size() == 3 && f[0] == "P") done.insert(f[2]);
          }
          return done.size() >= put_.size();
        });
    ASSERT_TRUE(run.killed && WIFSIGNALED(run.wait_status))
        << "worker exited by itself, status " << run.wait_status;
    for (absl::string_view line : absl::StrSplit(run.output, '\n')) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      if (f.size() == 2 && f[0] == "E") ended.insert(f[1]);
      if (f.size() != 3) continue;  // A line cut by the kill, or E.
      ASSERT_OK_AND_ASSIGN(SequenceNumber number, SequenceNumber::Parse(f[2]));
      if (f[0] == "C") {
        checkpoints[f[1]] = number;
        continue;
      }
      ASSERT_EQ(f[0], "P");
      ASSERT_TRUE(put_.contains(f[2])) << "processed a record never put";
      EXPECT_FALSE(prior_ended.contains(f[1]))
          << "round " << round << " read " << f[1] << " after its end";
      auto checkpoint = prior_checkpoints.find(f[1]);
      if (checkpoint != prior_checkpoints.end()) {
        EXPECT_GT(number, checkpoint->second)
            << "round " << round << " processed " << f[2] << " of " << f[1]
            << " again, at or before its checkpoint";
      }
      processed.insert(f[2]);
    }
  }
  EXPECT_EQ(processed, put_) << "after " << round << " rounds";
}

}  // namespace
}  // namespace brook
