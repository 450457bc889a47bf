#include "storage/shard_log.h"

#include <cstdint>

#include "encryption/stream_data_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::TempDir;
using ::testing::ElementsAre;

class ShardLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(temp_.path());
    ASSERT_OK(store);
    store_ = *std::move(store);
    log_ = std::make_unique<ShardLog>(store_.get());
  }

  void Append(ShardRef shard, uint64_t first_counter, int64_t arrival_ms,
              std::vector<RecordView> records) {
    std::string encoded;
    EncodeRecordBatch(arrival_ms, records, &encoded);
    StoreWrite write = store_->NewWrite();
    write.AppendBatch(shard, first_counter, arrival_ms, encoded);
    ASSERT_OK(store_->Write(write, Durability::kNoSync));
  }

  std::vector<uint64_t> Counters(ShardRef shard, uint64_t from,
                                 uint64_t visible, size_t max_records = 100,
                                 size_t max_bytes = 1 << 20) {
    absl::StatusOr<ShardReadResult> read =
        log_->Read(shard, from, visible, max_records, max_bytes, no_keys_);
    EXPECT_OK(read);
    std::vector<uint64_t> counters;
    if (!read.ok()) return counters;
    for (const Record& record : read->records) {
      counters.push_back(CounterOf(record.sequence_number));
      EXPECT_EQ(ShardOf(record.sequence_number), shard);
    }
    return counters;
  }

  static std::vector<uint64_t> CountersOf(const ShardReadResult& read) {
    std::vector<uint64_t> counters;
    for (const Record& record : read.records) {
      counters.push_back(CounterOf(record.sequence_number));
    }
    return counters;
  }

  TempDir temp_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ShardLog> log_;
  StreamDataKeys no_keys_;  // No stream here encrypts.
};

const ShardRef kShard{1, 0};
const ShardRef kNeighbour{1, 1};

TEST_F(ShardLogTest, Read_StartsInsideABatchAndSkipsGaps) {
  Append(kShard, 5, 100, {{"a", "5"}, {"a", "6"}, {"a", "7"}});
  Append(kNeighbour, 8, 100, {{"b", "8"}});
  Append(kShard, 12, 200, {{"a", "12"}, {"a", "13"}});
  EXPECT_THAT(Counters(kShard, 0, 13), ElementsAre(5, 6, 7, 12, 13));
  EXPECT_THAT(Counters(kShard, 6, 13), ElementsAre(6, 7, 12, 13));
  EXPECT_THAT(Counters(kShard, 9, 13), ElementsAre(12, 13));
  EXPECT_THAT(Counters(kShard, 14, 13), ElementsAre());
  EXPECT_THAT(Counters(kNeighbour, 0, 13), ElementsAre(8));
}

TEST_F(ShardLogTest, Read_StopsAtTheVisibleWatermark) {
  Append(kShard, 1, 100, {{"a", "1"}, {"a", "2"}});
  Append(kShard, 3, 100, {{"a", "3"}});
  EXPECT_THAT(Counters(kShard, 0, 2), ElementsAre(1, 2));
  EXPECT_THAT(Counters(kShard, 0, 0), ElementsAre());
}

TEST_F(ShardLogTest, Read_HonoursRecordAndByteLimits) {
  Append(kShard, 1, 100, {{"k", "aaaa"}, {"k", "bbbb"}, {"k", "cccc"}});
  EXPECT_THAT(Counters(kShard, 0, 3, /*max_records=*/2), ElementsAre(1, 2));
  // Each record is 5 bytes: a 12-byte budget holds two.
  EXPECT_THAT(Counters(kShard, 0, 3, 100, /*max_bytes=*/12), ElementsAre(1, 2));
  // The first record is returned even if it alone exceeds the budget.
  EXPECT_THAT(Counters(kShard, 0, 3, 100, /*max_bytes=*/1), ElementsAre(1));

  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 0, 3, 2, 100, no_keys_));
  EXPECT_EQ(read.next_counter, 3u);
  EXPECT_EQ(read.next_arrival_ms, 100);
  ASSERT_OK_AND_ASSIGN(read, log_->Read(kShard, 0, 3, 10, 100, no_keys_));
  EXPECT_EQ(read.next_counter, 4u);
  EXPECT_FALSE(read.next_arrival_ms.has_value());
}

// A read of many batches reserves its result once, sized by its limits: a
// vector regrown batch by batch moves every record again at each doubling
// and ends up to twice the size it needs.
TEST_F(ShardLogTest, Read_ReservesItsRecordsOnceWithinItsLimits) {
  const std::string data(100, 'd');
  for (uint64_t batch = 0; batch < 20; ++batch) {
    std::vector<RecordView> records(50, RecordView{"k", data});
    Append(kShard, 1 + 50 * batch, 100, records);
  }
  // The byte limit stops this read at 300 records.
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 0, 1000, 10000, 300 * 101, no_keys_));
  ASSERT_EQ(read.records.size(), 300u);
  EXPECT_LE(read.records.capacity(), 300u * 9 / 8 + 1);
  // The record limit stops this one at 700.
  ASSERT_OK_AND_ASSIGN(read,
                       log_->Read(kShard, 0, 1000, 700, 1 << 20, no_keys_));
  ASSERT_EQ(read.records.size(), 700u);
  EXPECT_EQ(read.records.capacity(), 700u);
  // A read of three records takes room for three, whatever its limits.
  Append(kNeighbour, 1001, 100, {{"k", data}, {"k", data}, {"k", data}});
  ASSERT_OK_AND_ASSIGN(
      read, log_->Read(kNeighbour, 0, 1003, 10000, 1 << 20, no_keys_));
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records.capacity(), 3u);
}

TEST_F(ShardLogTest, OldestCounter_FollowsTrims) {
  ASSERT_OK_AND_ASSIGN(absl::optional<uint64_t> oldest,
                       log_->OldestCounter(kShard));
  EXPECT_FALSE(oldest.has_value());
  Append(kNeighbour, 2, 100, {{"b", "2"}});
  Append(kShard, 4, 100, {{"a", "4"}, {"a", "5"}});
  Append(kShard, 7, 200, {{"a", "7"}});
  ASSERT_OK_AND_ASSIGN(oldest, log_->OldestCounter(kShard));
  EXPECT_EQ(oldest, 4u);
  StoreWrite trim = store_->NewWrite();
  trim.TrimShard(kShard, 7, 200);
  ASSERT_OK(store_->Write(trim, Durability::kNoSync));
  ASSERT_OK_AND_ASSIGN(oldest, log_->OldestCounter(kShard));
  EXPECT_EQ(oldest, 7u);
}

TEST_F(ShardLogTest, Tail_FindsTheNewestRecord) {
  ASSERT_OK_AND_ASSIGN(absl::optional<ShardTail> tail, log_->Tail(kShard));
  EXPECT_FALSE(tail.has_value());
  Append(kShard, 4, 100, {{"a", "4"}, {"a", "5"}});
  Append(kNeighbour, 6, 300, {{"b", "6"}});
  ASSERT_OK_AND_ASSIGN(tail, log_->Tail(kShard));
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ(tail->last_counter, 5u);
  EXPECT_EQ(tail->arrival_ms, 100);
}

TEST_F(ShardLogTest, Tail_OfADamagedNewestBatchComesFromTheTimeIndex) {
  Append(kShard, 4, 100, {{"a", "4"}});
  Append(kShard, 6, 300, {{"a", "6"}, {"a", "7"}});
  ASSERT_OK(
      store_->TEST_PutRaw(Family::kRecords, RecordKey(kShard, 6), "\x01"));
  // Its first counter: how many records it held is unknown.
  ASSERT_OK_AND_ASSIGN(absl::optional<ShardTail> tail, log_->Tail(kShard));
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ(tail->last_counter, 6u);
  EXPECT_EQ(tail->arrival_ms, 300);
}

TEST_F(ShardLogTest, Tail_ChecksummedTrustsNoDamagedHeader) {
  Append(kShard, 4, 100, {{"a", "4"}});
  Append(kShard, 6, 300, {{"a", "6"}, {"a", "7"}});
  ASSERT_TRUE(store_->checksummed_batches());
  ASSERT_OK_AND_ASSIGN(absl::optional<std::string> stored,
                       store_->Get(Family::kRecords, RecordKey(kShard, 6)));
  ASSERT_TRUE(stored.has_value());
  // The count after the 8-byte arrival time says 5 records, not 2; the
  // header still parses, only the checksum tells.
  std::string damaged = *stored;
  ASSERT_EQ(damaged[8], 2);
  damaged[8] = 5;
  ASSERT_OK(
      store_->TEST_PutRaw(Family::kRecords, RecordKey(kShard, 6), damaged));
  ASSERT_OK_AND_ASSIGN(absl::optional<ShardTail> header_only,
                       log_->Tail(kShard));
  ASSERT_TRUE(header_only.has_value());
  EXPECT_EQ(header_only->last_counter, 10u);  // What the header claims.
  ASSERT_OK_AND_ASSIGN(absl::optional<ShardTail> checked,
                       log_->Tail(kShard, TailCheck::kChecksum));
  ASSERT_TRUE(checked.has_value());
  EXPECT_EQ(checked->last_counter, 6u);
  EXPECT_EQ(checked->arrival_ms, 300);
}

// A batch the time index lists but the records family lacks: what damage
// to a table's keys leaves when RocksDB's checksums are off for the read.
TEST_F(ShardLogTest, Read_StopsAtABatchListedInTheTimeIndexButMissing) {
  Append(kShard, 1, 100, {{"a", "1"}});
  Append(kShard, 2, 200, {{"a", "2"}, {"a", "3"}});
  ASSERT_OK(store_->TEST_PutRaw(Family::kTimeIndex,
                                TimeIndexKey(kShard, 300, 4), ""));
  Append(kShard, 6, 400, {{"a", "6"}});
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 1, 6, 100, 1 << 20, no_keys_));
  EXPECT_THAT(CountersOf(read), ElementsAre(1, 2, 3));
  EXPECT_EQ(read.next_counter, 4u);
  // The next read starts at the hole and fails there, as does one that
  // starts inside it.
  for (uint64_t from : {4, 5}) {
    EXPECT_THAT(log_->Read(kShard, from, 6, 100, 1 << 20, no_keys_).status(),
                testing::HasCode(absl::StatusCode::kDataLoss))
        << from;
  }
  // Past the hole, the shard reads on.
  EXPECT_THAT(Counters(kShard, 6, 6), ElementsAre(6));
}

TEST_F(ShardLogTest, Read_PassesOtherShardsCountersThenStopsAtAMissingBatch) {
  // The counters between a shard's batches belong to other shards: each
  // skip of shard A passes until the one that hides a listed batch (7).
  const ShardRef other{1, 1};
  for (uint64_t counter = 1; counter <= 9; ++counter) {
    const int64_t arrival_ms = 100 * static_cast<int64_t>(counter);
    const std::string data = std::to_string(counter);
    if (counter % 2 == 0) {
      Append(other, counter, arrival_ms, {{"b", data}});
    } else if (counter == 7) {
      ASSERT_OK(store_->TEST_PutRaw(Family::kTimeIndex,
                                    TimeIndexKey(kShard, arrival_ms, 7), ""));
    } else {
      Append(kShard, counter, arrival_ms, {{"a", data}});
    }
  }
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 1, 9, 100, 1 << 20, no_keys_));
  EXPECT_THAT(CountersOf(read), ElementsAre(1, 3, 5));
  EXPECT_EQ(read.next_counter, 6u);
  EXPECT_THAT(log_->Read(kShard, 6, 9, 100, 1 << 20, no_keys_).status(),
              testing::HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Counters(other, 1, 9), ElementsAre(2, 4, 6, 8));
}

TEST_F(ShardLogTest, Read_StopsAtAMissingNewestBatch) {
  Append(kShard, 1, 100, {{"a", "1"}});
  ASSERT_OK(store_->TEST_PutRaw(Family::kTimeIndex,
                                TimeIndexKey(kShard, 200, 2), ""));
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 1, 2, 100, 1 << 20, no_keys_));
  EXPECT_THAT(CountersOf(read), ElementsAre(1));
  EXPECT_THAT(log_->Read(kShard, 2, 2, 100, 1 << 20, no_keys_).status(),
              testing::HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(ShardLogTest, Read_PassesCountersNoBatchWasListedFor) {
  // A restart resumes counters above the reservation: 2..9 never existed,
  // and the visible end may lie past the newest batch.
  Append(kShard, 1, 100, {{"a", "1"}});
  Append(kShard, 10, 200, {{"a", "10"}});
  EXPECT_THAT(Counters(kShard, 1, 12), ElementsAre(1, 10));
  EXPECT_THAT(Counters(kShard, 3, 12), ElementsAre(10));
  EXPECT_THAT(Counters(kShard, 11, 12), ElementsAre());
}

TEST_F(ShardLogTest, TimeIndex_FindsFirstBatchAtOrAfter) {
  Append(kShard, 1, 100, {{"a", "1"}});
  Append(kShard, 2, 200, {{"a", "2"}, {"a", "3"}});
  Append(kShard, 4, 300, {{"a", "4"}});
  auto at = [&](int64_t ms) {
    absl::StatusOr<absl::optional<uint64_t>> found =
        log_->FirstCounterArrivedAtOrAfter(kShard, ms);
    EXPECT_OK(found);
    return found.ok() ? *found : absl::nullopt;
  };
  EXPECT_EQ(at(0), 1u);
  EXPECT_EQ(at(100), 1u);
  EXPECT_EQ(at(101), 2u);
  EXPECT_EQ(at(300), 4u);
  EXPECT_EQ(at(301), absl::nullopt);
}

// A time before 1970 is before every batch, as AT_TIMESTAMP with a
// timestamp older than the trim horizon starts at the oldest record.
TEST_F(ShardLogTest, TimeIndex_TimeBefore1970_FindsTheOldestBatch) {
  Append(kShard, 1, 0, {{"a", "1"}});
  Append(kShard, 2, 100, {{"a", "2"}});
  for (int64_t ms : {int64_t{-1}, int64_t{-5000}, INT64_MIN}) {
    ASSERT_OK_AND_ASSIGN(absl::optional<uint64_t> found,
                         log_->FirstCounterArrivedAtOrAfter(kShard, ms));
    EXPECT_EQ(found, 1u) << ms;
  }
}

// A retention horizon before 1970 (a clock within a period of it) trims
// nothing past the counter given, and keeps the whole time index.
TEST_F(ShardLogTest, TrimShard_HorizonBefore1970_KeepsTheTimeIndex) {
  Append(kShard, 1, 0, {{"a", "1"}});
  Append(kShard, 2, 100, {{"a", "2"}});
  StoreWrite trim = store_->NewWrite();
  trim.TrimShard(kShard, 1, -3600 * 1000);
  ASSERT_OK(store_->Write(trim, Durability::kNoSync));
  ASSERT_OK_AND_ASSIGN(absl::optional<uint64_t> found,
                       log_->FirstCounterArrivedAtOrAfter(kShard, 0));
  EXPECT_EQ(found, 1u);
  EXPECT_THAT(Counters(kShard, 1, 2), ElementsAre(1, 2));
}

TEST_F(ShardLogTest, Read_ReportsOverlappingBatchesAsDataLoss) {
  // Counters 1..3, then a batch that claims to start at 2. The read fails
  // whole: a read continuing after 3 would never meet the overlap.
  Append(kShard, 1, 100, {{"a", "1"}, {"a", "2"}, {"a", "3"}});
  Append(kShard, 2, 100, {{"a", "x"}});
  EXPECT_THAT(log_->Read(kShard, 0, 10, 100, 1 << 20, no_keys_),
              testing::HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(ShardLogTest, Read_StopsBeforeADamagedBatch) {
  Append(kShard, 1, 100, {{"a", "1"}, {"a", "2"}});
  Append(kShard, 4, 200, {{"a", "4"}});
  Append(kShard, 6, 300, {{"a", "6"}, {"a", "7"}});
  ASSERT_OK(store_->TEST_PutRaw(Family::kRecords, RecordKey(kShard, 4),
                                "\x01\x02 not a batch"));
  // The records before the damage, and where to go on: at the damage.
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 0, 7, 100, 1 << 20, no_keys_));
  EXPECT_THAT(CountersOf(read), ElementsAre(1, 2));
  EXPECT_EQ(read.next_counter, 4u);
  // Not at the newest record: the damaged batch arrived no earlier than 2.
  EXPECT_EQ(read.next_arrival_ms, 100);
  // From the damage on, the read fails, whichever counter it starts at.
  for (uint64_t from : {3, 4}) {
    EXPECT_THAT(log_->Read(kShard, from, 7, 100, 1 << 20, no_keys_),
                testing::HasCode(absl::StatusCode::kDataLoss))
        << from;
  }
  EXPECT_THAT(Counters(kShard, 6, 7), ElementsAre(6, 7));
}

TEST_F(ShardLogTest, Read_ADamagedKeyStopsTheReadWhereItStands) {
  Append(kShard, 1, 100, {{"a", "1"}});
  // Sorts after every batch of the shard, and has no counter.
  ASSERT_OK(store_->TEST_PutRaw(Family::kRecords,
                                RecordKey(kShard, 1) + std::string(1, '\0'),
                                "anything"));
  ASSERT_OK_AND_ASSIGN(ShardReadResult read,
                       log_->Read(kShard, 0, 10, 100, 1 << 20, no_keys_));
  EXPECT_THAT(CountersOf(read), ElementsAre(1));
  EXPECT_EQ(read.next_counter, 2u);
  EXPECT_THAT(log_->Read(kShard, 2, 10, 100, 1 << 20, no_keys_),
              testing::HasCode(absl::StatusCode::kDataLoss));
}

TEST(ShardReadCollectorTest, TakesNoRecordOfABatchDamagedPartWay) {
  const std::vector<RecordView> one = {{"a", "1"}};
  const std::vector<RecordView> two = {{"a", "2"}, {"a", "3"}};
  std::string good;
  EncodeRecordBatch(100, one, &good);
  std::string damaged;
  EncodeRecordBatch(200, two, &damaged);
  damaged.resize(damaged.size() - 1);  // The second record is cut short.
  ShardReadCollector collector(kShard, 0, 10, 100, 1 << 20);
  ASSERT_OK(collector.Add(1, good, EncryptionType::kNone));
  EXPECT_THAT(collector.Add(2, damaged, EncryptionType::kNone),
              testing::HasCode(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(
      ShardReadResult read,
      std::move(collector).FinishBefore(2, absl::DataLossError("damaged")));
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].data, "1");
  EXPECT_EQ(read.next_counter, 2u);
}

TEST(ShardReadCollectorTest, FailsWithTheErrorWhenNothingWasRead) {
  ShardReadCollector collector(kShard, 0, 10, 100, 1 << 20);
  EXPECT_THAT(
      std::move(collector).FinishBefore(1, absl::DataLossError("damaged")),
      testing::HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(ShardLogTest, StreamDeletion_RemovesOnlyThatStream) {
  const ShardRef other_stream{2, 0};
  Append(kShard, 1, 100, {{"a", "1"}});
  Append(other_stream, 2, 100, {{"b", "2"}});
  StoreWrite deletion = store_->NewWrite();
  deletion.DeleteStream(kShard.stream_id);
  ASSERT_OK(store_->Write(deletion, Durability::kNoSync));
  EXPECT_THAT(Counters(kShard, 0, 10), ElementsAre());
  EXPECT_THAT(Counters(other_stream, 0, 10), ElementsAre(2));
  ASSERT_OK_AND_ASSIGN(absl::optional<uint64_t> found,
                       log_->FirstCounterArrivedAtOrAfter(kShard, 0));
  EXPECT_FALSE(found.has_value());
}

}  // namespace
}  // namespace brook
