// kill -9 of an edge process (a producer and a mirror) at random moments,
// again and again: once a last run has caught up, every record the local
// stream acknowledged is in the remote stream, each key's records in their
// local order, none missing.

#include <memory>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mirror/mirror_check.h"
#include "testing/brookd_process.h"
#include "testing/child_process.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

constexpr char kStream[] = "telemetry";

// The last "forwarded N" count in a child's output.
int64_t LastForwarded(absl::string_view output) {
  const size_t at = output.rfind("forwarded ");
  if (at == absl::string_view::npos) return 0;
  const size_t end = output.find('\n', at);
  if (end == absl::string_view::npos) return 0;
  int64_t count = 0;
  absl::SimpleAtoi(output.substr(at + 10, end - at - 10), &count);
  return count;
}

TEST(MirrorCrashTest, KilledAtRandomMomentsLosesAndReordersNothing) {
  testing::TempDir dir;
  const std::string local_dir = dir.Sub("local");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> local,
                         Broker::Open(BrokerOptions(), local_dir));
    CreateStreamRequest create;
    create.stream_name = kStream;
    create.shard_count = 2;
    create.options.limits = StreamLimits::Unlimited();
    ASSERT_OK(local->CreateStream(create));
    PutRecordsRequest put;
    put.stream = kStream;
    for (int i = 0; i < 5000; ++i) {
      const std::string key = absl::StrCat("device-", i % 50);
      put.records.push_back({key, absl::StrCat(key, "/", i, "/"), ""});
      if (put.records.size() == 500) {
        ASSERT_OK(local->PutRecords(put).status());
        put.records.clear();
      }
    }
    ASSERT_OK(local->Close());
  }
  testing::BrookdProcess brookd(BROOK_BROOKD, dir.Sub("remote"),
                                {"--durability=nosync", "--limits=unlimited"});
  ASSERT_OK(brookd.Start());

  const unsigned seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 random(seed);
  int killed = 0;
  for (int round = 0; round < 6; ++round) {
    const int64_t kill_at =
        std::uniform_int_distribution<int64_t>(100, 6000)(random);
    const testing::ChildRun run = testing::RunChild(
        {BROOK_MIRROR_CHILD, local_dir, brookd.endpoint(), kStream, "run"},
        [&](absl::string_view output) {
          return LastForwarded(output) >= kill_at;
        },
        absl::Milliseconds(
            std::uniform_int_distribution<int>(100, 800)(random)));
    killed += run.killed;
  }
  EXPECT_GT(killed, 0);
  const testing::ChildRun finish = testing::RunChild(
      {BROOK_MIRROR_CHILD, local_dir, brookd.endpoint(), kStream, "finish"},
      [](absl::string_view) { return false; }, absl::Seconds(180));
  ASSERT_FALSE(finish.killed) << finish.output;
  EXPECT_THAT(finish.output, ::testing::HasSubstr("caught-up"));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> local,
                       Broker::Open(BrokerOptions(), local_dir));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Broker> remote,
      Broker::Connect(testing::TestConnectOptions(), brookd.endpoint()));
  testing::ExpectMirrored(*local, *remote, kStream);
}

}  // namespace
}  // namespace brook
