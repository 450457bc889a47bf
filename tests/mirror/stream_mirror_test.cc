// StreamMirror from a local Broker to a remote one talking to a brookd the
// test runs: everything arrives in key order, across a destination that
// goes down and comes back, one that throttles, and a mirror that restarts.

#include "brook/stream_mirror.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mirror/mirror_check.h"
#include "testing/brookd_process.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::ExpectMirrored;

constexpr char kStream[] = "telemetry";

class StreamMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(local_,
                         Broker::Open(BrokerOptions(), dir_.Sub("local")));
    CreateStreamRequest create;
    create.stream_name = kStream;
    create.shard_count = 2;
    create.options.limits = StreamLimits::Unlimited();
    ASSERT_OK(local_->CreateStream(create));
  }

  void StartBrookd(std::vector<std::string> flags = {"--limits=unlimited"}) {
    flags.push_back("--durability=nosync");
    brookd_ = std::make_unique<testing::BrookdProcess>(
        BROOK_BROOKD, dir_.Sub("remote"), flags);
    ASSERT_OK(brookd_->Start());
    ConnectOptions options = testing::TestConnectOptions();
    options.max_attempts = 2;
    options.connect_timeout = absl::Seconds(1);
    options.request_timeout = absl::Seconds(5);
    ASSERT_OK_AND_ASSIGN(remote_,
                         Broker::Connect(options, brookd_->endpoint()));
  }

  void StartMirror() {
    StreamMirrorOptions options;
    options.source_stream = kStream;
    options.idle_time_between_reads = absl::Milliseconds(20);
    options.backoff.initial_backoff = absl::Milliseconds(20);
    options.backoff.max_backoff = absl::Milliseconds(500);
    ASSERT_OK_AND_ASSIGN(
        mirror_, StreamMirror::Start(local_.get(), remote_.get(), options));
  }

  // Puts `count` records over `keys` partition keys; data names the key
  // and a running number. Every `large_every`-th record (if not 0) is
  // padded to 64 KiB.
  void PutLocal(int count, int keys, int large_every = 0) {
    PutRecordsRequest request;
    request.stream = kStream;
    for (int i = 0; i < count; ++i) {
      const std::string key = absl::StrCat("device-", next_ % keys);
      std::string data = absl::StrCat(key, "/", next_++, "/");
      if (large_every > 0 && i % large_every == 0) data.resize(64 << 10, 'x');
      request.records.push_back({key, std::move(data), ""});
      if (request.records.size() == 500 || i + 1 == count) {
        ASSERT_OK_AND_ASSIGN(PutRecordsResult result,
                             local_->PutRecords(request));
        ASSERT_EQ(result.failed_record_count, 0);
        request.records.clear();
      }
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<Broker> local_;
  std::unique_ptr<testing::BrookdProcess> brookd_;
  std::unique_ptr<Broker> remote_;
  std::unique_ptr<StreamMirror> mirror_;
  int next_ = 0;
};

TEST_F(StreamMirrorTest, ForwardsEveryRecordInKeyOrder) {
  StartBrookd();
  PutLocal(3000, 20);
  StartMirror();
  PutLocal(1000, 20);
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(60)));
  const StreamMirrorMetrics metrics = mirror_->metrics();
  EXPECT_EQ(metrics.records_forwarded, 4000);
  EXPECT_EQ(metrics.records_pending, 0);
  EXPECT_TRUE(metrics.destination_reachable);
  EXPECT_OK(mirror_->Stop());
  ExpectMirrored(*local_, *remote_, kStream);
  // The destination was made like the source.
  ASSERT_OK_AND_ASSIGN(StreamDescriptionSummary summary,
                       remote_->DescribeStreamSummary({kStream}));
  EXPECT_EQ(summary.open_shard_count, 2);
}

TEST_F(StreamMirrorTest, RestartResumesAtTheCheckpointWithoutRepeats) {
  StartBrookd();
  PutLocal(1000, 7);
  StartMirror();
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(60)));
  ASSERT_OK(mirror_->Stop());
  mirror_.reset();
  PutLocal(1000, 7);
  StartMirror();
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(60)));
  EXPECT_EQ(mirror_->metrics().records_forwarded, 1000);
  ASSERT_OK(mirror_->Stop());
  EXPECT_EQ(testing::ReadStream(*remote_, kStream).size(), 2000u);
  ExpectMirrored(*local_, *remote_, kStream);
}

TEST_F(StreamMirrorTest, DestinationDownThenBackAgainAndAgain) {
  StartBrookd();
  StartMirror();
  for (int round = 0; round < 3; ++round) {
    PutLocal(300, 9);
    brookd_->Stop();
    // The local stream keeps taking puts while the destination is down.
    PutLocal(700, 9);
    // The mirror notices, and the records wait.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    StreamMirrorMetrics metrics = mirror_->metrics();
    while ((metrics.destination_reachable || metrics.records_pending == 0) &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
      metrics = mirror_->metrics();
    }
    EXPECT_FALSE(metrics.destination_reachable);
    EXPECT_GT(metrics.records_pending, 0);
    ASSERT_OK(brookd_->Start());  // Same port, same data.
  }
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(60)));
  const StreamMirrorMetrics metrics = mirror_->metrics();
  EXPECT_TRUE(metrics.destination_reachable);
  EXPECT_GT(metrics.failed_requests, 0);
  ASSERT_OK(mirror_->Stop());
  ExpectMirrored(*local_, *remote_, kStream);
}

TEST_F(StreamMirrorTest, ThrottlingDestinationKeepsKeyOrder) {
  // Kinesis' limits on the destination, 1 MiB/s and 1,000 records/s per
  // shard, far below what the local stream takes. With large records among
  // small ones, a throttled large record is followed in its request by
  // small ones that land: a later record of its key must not be one.
  StartBrookd({"--limits=kinesis"});
  PutLocal(700, 5, /*large_every=*/7);
  StartMirror();
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(120)));
  EXPECT_GT(mirror_->metrics().failed_records, 0);
  ASSERT_OK(mirror_->Stop());
  ExpectMirrored(*local_, *remote_, kStream);
}

// The data of each record of `shard_id` of the stream on `broker`, and its
// explicit hash key as read back.
std::vector<std::pair<std::string, std::string>> ShardRecords(
    Broker& broker, const std::string& shard_id) {
  GetShardIteratorRequest get;
  get.stream = kStream;
  get.shard_id = shard_id;
  get.shard_iterator_type = ShardIteratorType::kTrimHorizon;
  absl::StatusOr<GetShardIteratorResult> iterator =
      broker.GetShardIterator(get);
  EXPECT_OK(iterator);
  if (!iterator.ok()) return {};
  absl::StatusOr<GetRecordsResult> read =
      broker.GetRecords({iterator->shard_iterator, 10000});
  EXPECT_OK(read);
  if (!read.ok()) return {};
  std::vector<std::pair<std::string, std::string>> records;
  for (const Record& record : read->records) {
    records.emplace_back(record.data, record.explicit_hash_key);
  }
  return records;
}

TEST_F(StreamMirrorTest, ForwardsExplicitHashKeys) {
  // Of two shards, shard 0 owns hash keys below 2^127 and shard 1 the rest
  // (Kinesis' even split). Each record is aimed by its explicit hash key at
  // the shard its data names, whatever its partition key's MD5 says: half of
  // them would land elsewhere if the copies were routed by partition key.
  const std::string kLow = "12345";
  const std::string kHigh = "340282366920938463463374607431768211455";
  StartBrookd();
  PutRecordsRequest request;
  request.stream = kStream;
  for (int i = 0; i < 100; ++i) {
    const bool high = i % 2 == 1;
    request.records.push_back({absl::StrCat("device-", i),
                               absl::StrCat(high ? "shard-1/" : "shard-0/", i),
                               high ? kHigh : kLow});
  }
  ASSERT_OK_AND_ASSIGN(PutRecordsResult put, local_->PutRecords(request));
  ASSERT_EQ(put.failed_record_count, 0);
  // The local Broker hands the keys back, canonical.
  for (const auto& [data, key] :
       ShardRecords(*local_, "shardId-000000000001")) {
    EXPECT_EQ(key, kHigh) << data;
  }
  StartMirror();
  ASSERT_TRUE(mirror_->WaitUntilCaughtUp(absl::Seconds(60)));
  ASSERT_OK(mirror_->Stop());
  for (int shard = 0; shard < 2; ++shard) {
    const auto records =
        ShardRecords(*remote_, absl::StrCat("shardId-00000000000", shard));
    EXPECT_EQ(records.size(), 50u);
    for (const auto& [data, key] : records) {
      EXPECT_THAT(data, ::testing::StartsWith(absl::StrCat("shard-", shard)));
      // Kinesis' GetRecords does not return explicit hash keys.
      EXPECT_EQ(key, "");
    }
  }
}

TEST_F(StreamMirrorTest, StartRefusesBadOptions) {
  StartBrookd();
  StreamMirrorOptions options;
  EXPECT_THAT(StreamMirror::Start(local_.get(), remote_.get(), options),
              testing::HasErrorName(ErrorName::kInvalidArgumentException));
  options.source_stream = "missing";
  EXPECT_THAT(StreamMirror::Start(local_.get(), remote_.get(), options),
              testing::HasErrorName(ErrorName::kResourceNotFoundException));
  options.source_stream = kStream;
  options.max_batch_records = 501;
  EXPECT_THAT(StreamMirror::Start(local_.get(), remote_.get(), options),
              testing::HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook
