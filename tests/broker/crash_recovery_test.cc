// Durability: a producer process is killed with SIGKILL at a random moment;
// every put it saw acknowledged must be there after reopening, in order,
// and new puts must get higher sequence numbers. With resharding running in
// the producer too, the stream must reopen whole: before or after each
// reshard, never between its steps.

#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/child_process.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr int kRounds = 8;

// Rounds per test; BROOK_CRASH_ROUNDS runs more, by hand (see
// docs/reliability.md).
int Rounds() {
  const char* rounds = std::getenv("BROOK_CRASH_ROUNDS");
  return rounds != nullptr ? std::atoi(rounds) : kRounds;
}

struct Ack {
  std::string shard_id;
  SequenceNumber sequence_number;
  std::string data;
};

class CrashRecoveryTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("crash", 3);
    ASSERT_OK(broker().Close());
  }

  // Runs the producer until it has acknowledged `kill_after` puts, kills it,
  // and returns every acknowledgement it wrote before dying.
  std::vector<Ack> RunAndKill(int kill_after, bool reshard = false) {
    std::vector<std::string> argv = {BROOK_CRASH_PRODUCER, dir()};
    if (reshard) argv.push_back("reshard");
    const testing::ChildRun run =
        testing::RunChild(argv, [&](absl::string_view output) {
          if (std::count(output.begin(), output.end(), '\n') < kill_after) {
            return false;
          }
          // While the live producer process holds the directory, this
          // process cannot open it.
          EXPECT_THAT(
              Broker::Open(BrokerOptions(), dir()),
              testing::HasErrorName(ErrorName::kResourceInUseException));
          return true;
        });
    EXPECT_TRUE(run.killed && WIFSIGNALED(run.wait_status))
        << "producer exited early, status " << run.wait_status;
    const std::string& output = run.output;
    std::vector<Ack> acks;
    for (absl::string_view line : absl::StrSplit(output, '\n')) {
      std::vector<std::string> fields = absl::StrSplit(line, ' ');
      if (fields.size() != 3) continue;  // A line cut by the kill.
      absl::StatusOr<SequenceNumber> number = SequenceNumber::Parse(fields[1]);
      EXPECT_OK(number);
      acks.push_back(Ack{fields[0], *number, fields[2]});
    }
    return acks;
  }

  // Every shard the stream keeps, following next tokens.
  std::vector<Shard> AllShards() {
    std::vector<Shard> shards;
    ListShardsRequest request;
    request.stream = "crash";
    for (;;) {
      absl::StatusOr<ListShardsResult> page = broker().ListShards(request);
      EXPECT_OK(page);
      if (!page.ok()) return shards;
      shards.insert(shards.end(), page->shards.begin(), page->shards.end());
      if (page->next_token.empty()) return shards;
      request = ListShardsRequest();
      request.next_token = page->next_token;
    }
  }

  // The lineage is whole: the open shards cover the hash key space without
  // gap or overlap, every parent is closed below its children, and every
  // closed shard ends naming children.
  void ExpectWholeLineage(const std::vector<Shard>& shards) {
    std::map<std::string, const Shard*> by_id;
    std::vector<const Shard*> open;
    for (const Shard& shard : shards) {
      by_id[shard.shard_id] = &shard;
      if (!shard.sequence_number_range.ending_sequence_number.has_value()) {
        open.push_back(&shard);
      }
    }
    std::sort(open.begin(), open.end(), [](const Shard* a, const Shard* b) {
      return a->hash_key_range.starting_hash_key <
             b->hash_key_range.starting_hash_key;
    });
    ASSERT_FALSE(open.empty());
    absl::uint128 next = 0;
    for (const Shard* shard : open) {
      ASSERT_EQ(shard->hash_key_range.starting_hash_key, next)
          << shard->shard_id;
      next = shard->hash_key_range.ending_hash_key + 1;
    }
    EXPECT_EQ(open.back()->hash_key_range.ending_hash_key, absl::Uint128Max());
    for (const Shard& shard : shards) {
      for (const std::string* parent_id :
           {&shard.parent_shard_id, &shard.adjacent_parent_shard_id}) {
        if (parent_id->empty()) continue;
        ASSERT_TRUE(by_id.contains(*parent_id)) << *parent_id;
        const SequenceNumberRange& parent =
            by_id[*parent_id]->sequence_number_range;
        ASSERT_TRUE(parent.ending_sequence_number.has_value()) << *parent_id;
        EXPECT_LT(*parent.ending_sequence_number,
                  shard.sequence_number_range.starting_sequence_number);
      }
      if (!shard.sequence_number_range.ending_sequence_number.has_value()) {
        continue;
      }
      GetRecordsRequest request;
      request.shard_iterator =
          Iterator("crash", shard.shard_id, ShardIteratorType::kLatest);
      ASSERT_OK_AND_ASSIGN(GetRecordsResult end, broker().GetRecords(request));
      EXPECT_TRUE(end.next_shard_iterator.empty()) << shard.shard_id;
      EXPECT_FALSE(end.child_shards.empty()) << shard.shard_id;
    }
  }
};

TEST_F(CrashRecoveryTest, AcknowledgedPutsSurviveSigkill) {
  const unsigned seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 random(seed);
  std::vector<Ack> all_acks;
  for (int round = 0; round < Rounds(); ++round) {
    const int kill_after = std::uniform_int_distribution<int>(1, 400)(random);
    std::vector<Ack> acks = RunAndKill(kill_after);
    ASSERT_GE(acks.size(), static_cast<size_t>(kill_after))
        << "round " << round;
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    Open();
    std::map<std::string, std::vector<Record>> shards;
    SequenceNumber newest;
    for (const char* shard : {"shardId-000000000000", "shardId-000000000001",
                              "shardId-000000000002"}) {
      shards[shard] = ReadShard("crash", shard);
      const std::vector<Record>& records = shards[shard];
      for (size_t i = 1; i < records.size(); ++i) {
        ASSERT_LT(records[i - 1].sequence_number, records[i].sequence_number);
      }
      if (!records.empty()) {
        newest = std::max(newest, records.back().sequence_number);
      }
    }
    for (const Ack& ack : all_acks) {
      const std::vector<Record>& records = shards[ack.shard_id];
      auto it = std::find_if(
          records.begin(), records.end(), [&](const Record& record) {
            return record.sequence_number == ack.sequence_number;
          });
      ASSERT_NE(it, records.end())
          << "round " << round << ": lost acknowledged " << ack.data;
      EXPECT_EQ(it->data, ack.data);
    }
    EXPECT_GT(Put("crash", "after", "x").sequence_number, newest);
    ASSERT_OK(broker().Close());
  }
}

TEST_F(CrashRecoveryTest, ReshardsSurviveSigkill) {
  const unsigned seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 random(seed);
  std::vector<Ack> all_acks;
  bool reshards_seen = false;
  for (int round = 0; round < Rounds(); ++round) {
    const int kill_after = std::uniform_int_distribution<int>(1, 200)(random);
    std::vector<Ack> acks = RunAndKill(kill_after, /*reshard=*/true);
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    Open();
    ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                         broker().DescribeStreamSummary({"crash"}));
    EXPECT_EQ(summary.stream_status, StreamStatus::kActive);
    const std::vector<Shard> shards = AllShards();
    ExpectWholeLineage(shards);
    std::map<std::string, std::map<SequenceNumber, std::string>> records;
    for (const Shard& shard : shards) {
      for (const Record& record : ReadShard("crash", shard.shard_id)) {
        records[shard.shard_id][record.sequence_number] = record.data;
      }
    }
    for (const Ack& ack : all_acks) {
      auto& shard = records[ack.shard_id];
      auto it = shard.find(ack.sequence_number);
      ASSERT_NE(it, shard.end())
          << "round " << round << ": lost acknowledged " << ack.data;
      EXPECT_EQ(it->second, ack.data);
    }
    reshards_seen = shards.size() > 3;
    ASSERT_OK(broker().Close());
  }
  // The producer did reshard (each reshard adds shards).
  EXPECT_TRUE(reshards_seen);
}

}  // namespace
}  // namespace brook
