#include "write/commit_pipeline.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resharding/reshard_planner.h"
#include "routing/hash_key.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;
using ::brook::testing::TempDir;

std::shared_ptr<StreamState> MakeStream(uint32_t id, int shard_count) {
  return std::make_shared<StreamState>(
      NewStreamMeta(id, "stream-" + std::to_string(id), shard_count, 1), "arn",
      StreamLimits::Unlimited(), absl::UnixEpoch());
}

class CommitPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  void OpenStore() {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(temp_.path());
    ASSERT_OK(store);
    store_ = *std::move(store);
    log_ = std::make_unique<ShardLog>(store_.get());
  }

  void StartPipeline(size_t max_pending_bytes = size_t{1} << 20) {
    CommitPipelineOptions options;
    options.durability = Durability::kNoSync;
    options.clock = &clock_;
    options.max_pending_bytes = max_pending_bytes;
    options.tail_cache = &tail_cache_;
    absl::StatusOr<std::unique_ptr<CommitPipeline>> pipeline =
        CommitPipeline::Start(store_.get(), options, 0);
    ASSERT_OK(pipeline);
    pipeline_ = *std::move(pipeline);
  }

  // Submits records (one per data string) to `shard` and waits.
  std::vector<RecordOutcome> SubmitAndWait(
      const std::shared_ptr<StreamState>& stream, uint32_t shard,
      const std::vector<std::string>& data) {
    WriteRequest request;
    request.stream = stream;
    for (const std::string& d : data) {
      request.records.push_back(PendingRecord{stream->shard(shard), 0, "k", d});
    }
    absl::Notification done;
    std::vector<RecordOutcome> outcomes;
    request.done = [&](std::vector<RecordOutcome> o) {
      outcomes = std::move(o);
      done.Notify();
    };
    pipeline_->Submit(std::move(request));
    done.WaitForNotification();
    return outcomes;
  }

  TempDir temp_;
  ManualClock clock_;
  TailCache tail_cache_{size_t{1} << 20};
  std::unique_ptr<Store> store_;
  std::unique_ptr<ShardLog> log_;
  std::unique_ptr<CommitPipeline> pipeline_;
};

TEST_F(CommitPipelineTest, Submit_AssignsGrowingCountersAndPublishes) {
  StartPipeline();
  auto stream = MakeStream(1, 2);
  std::vector<RecordOutcome> first = SubmitAndWait(stream, 0, {"a", "b"});
  std::vector<RecordOutcome> second = SubmitAndWait(stream, 1, {"c"});
  ASSERT_EQ(first.size(), 2u);
  ASSERT_OK(first[0].status);
  ASSERT_OK(first[1].status);
  ASSERT_OK(second[0].status);
  EXPECT_LT(first[0].counter, first[1].counter);
  EXPECT_LT(first[1].counter, second[0].counter);
  EXPECT_EQ(first[0].shard, (ShardRef{1, 0}));
  EXPECT_EQ(second[0].shard, (ShardRef{1, 1}));
  EXPECT_EQ(stream->shard(0)->last_visible_counter(), first[1].counter);
  EXPECT_EQ(stream->shard(1)->last_visible_counter(), second[0].counter);
  EXPECT_GT(pipeline_->next_counter(), second[0].counter);
}

TEST_F(CommitPipelineTest, Submit_PutsEachShardsBatchInItsTail) {
  StartPipeline();
  auto stream = MakeStream(1, 2);
  std::vector<RecordOutcome> first = SubmitAndWait(stream, 0, {"a", "b"});
  SubmitAndWait(stream, 1, {"c"});
  ShardState& shard = *stream->shard(0);
  ASSERT_OK_AND_ASSIGN(
      absl::optional<ShardReadResult> cached,
      shard.tail()->Read(shard.ref(), first[0].counter,
                         shard.last_visible_counter(), 10, 1 << 20));
  ASSERT_TRUE(cached.has_value());
  ASSERT_EQ(cached->records.size(), 2u);
  EXPECT_EQ(cached->records[1].data, "b");
  EXPECT_GT(tail_cache_.bytes(), 0u);
}

TEST_F(CommitPipelineTest, Submit_ToDeletedStreamFailsAndWritesNothing) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  stream->MarkDeleted();
  std::vector<RecordOutcome> outcomes = SubmitAndWait(stream, 0, {"a"});
  EXPECT_THAT(outcomes[0].status,
              HasErrorName(ErrorName::kResourceNotFoundException));
  EXPECT_EQ(stream->shard(0)->last_visible_counter(), 0u);
  ASSERT_OK_AND_ASSIGN(absl::optional<ShardTail> tail,
                       log_->Tail(ShardRef{1, 0}));
  EXPECT_FALSE(tail.has_value());
}

TEST_F(CommitPipelineTest, Submit_AfterStopFailsAtOnce) {
  StartPipeline();
  pipeline_->Stop();
  auto stream = MakeStream(1, 1);
  std::vector<RecordOutcome> outcomes = SubmitAndWait(stream, 0, {"a"});
  EXPECT_THAT(outcomes[0].status, HasErrorName(ErrorName::kInternalFailure));
}

// Splits shard 0 of `stream` at 2^127, as a reshard would, in the
// exclusive section.
void SplitFirstShard(CommitPipeline::Exclusive& section, StreamState& stream) {
  ReshardPlanner planner(stream.meta());
  ASSERT_OK(planner.Split(0, absl::MakeUint128(uint64_t{1} << 63, 0)));
  const uint64_t first = section.next_counter();
  ASSERT_OK(section.SkipCounters(planner.counters_needed()));
  stream.ApplyReshard(std::move(planner).Finish(first, 0), absl::UnixEpoch());
}

TEST_F(CommitPipelineTest, Submit_QueuedForAClosedShardGoesToItsChild) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  absl::Notification queued;
  std::vector<RecordOutcome> outcomes;
  absl::Notification done;
  ASSERT_OK(pipeline_->RunExclusive([&](CommitPipeline::Exclusive& section) {
    // Routed to shard 0 before the split; commits after it.
    WriteRequest request;
    request.stream = stream;
    request.records.push_back(
        PendingRecord{stream->shard(0), absl::Uint128Max(), "k", "late"});
    request.done = [&](std::vector<RecordOutcome> o) {
      outcomes = std::move(o);
      done.Notify();
    };
    pipeline_->Submit(std::move(request));
    SplitFirstShard(section, *stream);
    return absl::OkStatus();
  }));
  done.WaitForNotification();
  ASSERT_OK(outcomes[0].status);
  EXPECT_EQ(outcomes[0].shard, (ShardRef{1, 2}));
  EXPECT_GT(outcomes[0].counter, *stream->shard(0)->ending_counter());
  EXPECT_EQ(stream->shard(2)->last_visible_counter(), outcomes[0].counter);
}

TEST_F(CommitPipelineTest, RunExclusive_SeesEveryCommittedGroupPublished) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    while (!stop.load()) SubmitAndWait(stream, 0, {"x"});
  });
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(pipeline_->RunExclusive(
        [&](CommitPipeline::Exclusive& section) -> absl::Status {
          // Nothing committed is waiting to be published.
          EXPECT_EQ(section.next_counter(), pipeline_->next_counter());
          EXPECT_LT(stream->shard(0)->last_visible_counter(),
                    section.next_counter());
          absl::StatusOr<absl::optional<ShardTail>> tail =
              log_->Tail(ShardRef{1, 0});
          if (!tail.ok()) return tail.status();
          if (tail->has_value()) {
            EXPECT_EQ((*tail)->last_counter,
                      stream->shard(0)->last_visible_counter());
          }
          return absl::OkStatus();
        }));
  }
  stop = true;
  producer.join();
}

TEST_F(CommitPipelineTest, SkipCounters_SkippedCountersAreNeverHandedOut) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  uint64_t skipped_from = 0;
  ASSERT_OK(pipeline_->RunExclusive([&](CommitPipeline::Exclusive& section) {
    skipped_from = section.next_counter();
    return section.SkipCounters(3);
  }));
  EXPECT_EQ(SubmitAndWait(stream, 0, {"a"})[0].counter, skipped_from + 3);
}

TEST_F(CommitPipelineTest, Restart_NeverReusesACounter) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  const uint64_t before = SubmitAndWait(stream, 0, {"a"})[0].counter;
  pipeline_.reset();
  // Reopening without a clean flush: the reservation alone must protect us.
  ASSERT_OK(store_->Close());
  OpenStore();
  StartPipeline();
  const uint64_t after = SubmitAndWait(stream, 0, {"b"})[0].counter;
  EXPECT_GT(after, before);
}

TEST_F(CommitPipelineTest, Submit_WaitsWhilePendingBytesAreFull) {
  // Each request costs 1 + 400 + overhead bytes: two fit in 1,000.
  StartPipeline(/*max_pending_bytes=*/1000);
  auto stream = MakeStream(1, 1);
  const std::string data(400, 'x');  // Outlives every request.
  std::atomic<int> submitted{0};
  std::atomic<int> completed{0};
  std::vector<std::thread> producers;
  ASSERT_OK(pipeline_->RunExclusive([&](CommitPipeline::Exclusive&) {
    // The commit thread cannot commit while we hold the exclusive section.
    for (int i = 0; i < 3; ++i) {
      producers.emplace_back([&] {
        WriteRequest request;
        request.stream = stream;
        request.records.push_back(
            PendingRecord{stream->shard(0), 0, "k", data});
        request.done = [&](std::vector<RecordOutcome> outcomes) {
          EXPECT_OK(outcomes[0].status);
          ++completed;
        };
        pipeline_->Submit(std::move(request));
        ++submitted;
      });
    }
    while (submitted.load() < 2 || pipeline_->TEST_waiting_submitters() < 1) {
      std::this_thread::yield();
    }
    EXPECT_EQ(submitted.load(), 2);
    EXPECT_EQ(completed.load(), 0);
    return absl::OkStatus();
  }));
  for (std::thread& producer : producers) producer.join();
  pipeline_->Stop();
  EXPECT_EQ(completed.load(), 3);
}

// pending_bytes() is what a request holds from Submit() until it is
// durable and completed.
TEST_F(CommitPipelineTest, PendingBytes_HeldFromSubmitUntilCompletion) {
  StartPipeline();
  auto stream = MakeStream(1, 1);
  const std::string data(400, 'x');  // Outlives the request.
  absl::Notification done;
  EXPECT_EQ(pipeline_->pending_bytes(), 0u);
  ASSERT_OK(pipeline_->RunExclusive([&](CommitPipeline::Exclusive&) {
    // The commit thread cannot take the request while we hold the section.
    WriteRequest request;
    request.stream = stream;
    request.records.push_back(PendingRecord{stream->shard(0), 0, "k", data});
    request.done = [&](std::vector<RecordOutcome>) { done.Notify(); };
    pipeline_->Submit(std::move(request));
    EXPECT_GE(pipeline_->pending_bytes(), 401u);
    return absl::OkStatus();
  }));
  done.WaitForNotification();
  // Completion comes before the bytes are released; Stop() waits for both.
  pipeline_->Stop();
  EXPECT_EQ(pipeline_->pending_bytes(), 0u);
}

}  // namespace
}  // namespace brook
