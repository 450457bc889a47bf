// Batching that can never let a later record of a key overtake an earlier
// one, whichever records of a batch fail.

#include "mirror/ordered_batcher.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

using ::testing::ElementsAre;

// Records named "<key><n>", with sequence numbers in shard order.
std::vector<Record> Records(const std::vector<std::string>& names) {
  std::vector<Record> records;
  for (size_t i = 0; i < names.size(); ++i) {
    Record record;
    record.partition_key = names[i].substr(0, 1);
    record.data = names[i];
    record.sequence_number = SequenceNumber(i + 1);
    records.push_back(record);
  }
  return records;
}

std::vector<std::string> Names(const std::vector<const Record*>& batch) {
  std::vector<std::string> names;
  for (const Record* record : batch) names.push_back(record->data);
  return names;
}

TEST(OrderedBatcherTest, OneRecordPerKeyAndAFailedRecordHoldsItsKey) {
  OrderedBatcher batcher;
  batcher.Add(Records({"A1", "B1", "A2", "C1", "B2"}));
  EXPECT_THAT(Names(batcher.Batch(500, 1 << 20)),
              ElementsAre("A1", "B1", "C1"));
  batcher.Complete({true, false, true});                        // B1 throttled.
  EXPECT_EQ(batcher.TakeForwardedPrefix(), SequenceNumber(1));  // A1.
  EXPECT_EQ(batcher.pending(), 3u);
  // B2 still waits behind B1; A2 goes now.
  EXPECT_THAT(Names(batcher.Batch(500, 1 << 20)), ElementsAre("B1", "A2"));
  batcher.Complete({true, true});
  EXPECT_EQ(batcher.TakeForwardedPrefix(), SequenceNumber(4));  // Up to C1.
  EXPECT_THAT(Names(batcher.Batch(500, 1 << 20)), ElementsAre("B2"));
  batcher.Complete({true});
  EXPECT_EQ(batcher.TakeForwardedPrefix(), SequenceNumber(5));
  EXPECT_EQ(batcher.pending(), 0u);
  EXPECT_FALSE(batcher.TakeForwardedPrefix().has_value());
}

TEST(OrderedBatcherTest, AWholeFailedBatchIsSentAgainAsItWas) {
  OrderedBatcher batcher;
  batcher.Add(Records({"A1", "B1"}));
  EXPECT_THAT(Names(batcher.Batch(500, 1 << 20)), ElementsAre("A1", "B1"));
  batcher.Complete({false, false});
  EXPECT_FALSE(batcher.TakeForwardedPrefix().has_value());
  EXPECT_THAT(Names(batcher.Batch(500, 1 << 20)), ElementsAre("A1", "B1"));
}

TEST(OrderedBatcherTest, BatchesStopAtTheRecordAndByteBounds) {
  OrderedBatcher batcher;
  batcher.Add(Records({"A1", "B1", "C1", "D1"}));
  EXPECT_THAT(Names(batcher.Batch(2, 1 << 20)), ElementsAre("A1", "B1"));
  batcher.Complete({true, true});
  // Each record is 3 bytes (key plus data): two fit in 6.
  EXPECT_THAT(Names(batcher.Batch(500, 5)), ElementsAre("C1"));
  batcher.Complete({true});
  // A record larger than the bound still goes, alone.
  EXPECT_THAT(Names(batcher.Batch(500, 1)), ElementsAre("D1"));
}

TEST(OrderedBatcherTest, OldestPendingArrival) {
  OrderedBatcher batcher;
  std::vector<Record> records = Records({"A1", "B1"});
  records[0].approximate_arrival_timestamp = absl::FromUnixSeconds(10);
  records[1].approximate_arrival_timestamp = absl::FromUnixSeconds(20);
  batcher.Add(records);
  EXPECT_EQ(batcher.oldest_pending_arrival(), absl::FromUnixSeconds(10));
  batcher.Batch(500, 1 << 20);
  batcher.Complete({true, false});
  EXPECT_EQ(batcher.oldest_pending_arrival(), absl::FromUnixSeconds(20));
}

}  // namespace
}  // namespace brook
