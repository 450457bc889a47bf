// The pace of the records family's flushes: set from how fast memtables
// fill, raised at once when flushing falls behind, never below the floor or
// above the ceiling, and untouched by other families' events.

#include "storage/flush_pacer.h"

#include <cstdint>
#include <memory>

#include "absl/time/time.h"
#include "brook/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"

namespace brook {
namespace {

constexpr uint64_t kMemtableBytes = uint64_t{64} << 20;
// As the records family: RocksDB delays writes at three unflushed.
constexpr int kMaxMemtables = 4;
constexpr bool kFull = true;

// kPaceFactor × `memtables` memtables over `fill_seconds`, in bytes/s.
int64_t Expected(int memtables, double fill_seconds) {
  return static_cast<int64_t>(FlushPacer::kPaceFactor * memtables *
                              static_cast<double>(kMemtableBytes) /
                              fill_seconds);
}

class FlushPacerTest : public ::testing::Test {
 protected:
  // Seals a memtable `fill` after the last one, the log synced meanwhile.
  int64_t SealAfter(absl::Duration fill) {
    clock_.Advance(fill);
    pacer_.LogSynced();
    return pacer_.MemTableSealed(clock_.Now());
  }

  // Seals a full memtable `fill` after the last one and flushes it whole:
  // the pace the flush ran at.
  int64_t FlushFullAfter(absl::Duration fill) {
    SealAfter(fill);
    const int64_t pace = pacer_.FlushBegan(kFull);
    pacer_.FlushEnded();
    return pace;
  }

  int64_t limiter_pace() { return pacer_.rate_limiter()->GetBytesPerSecond(); }

  ManualClock clock_;
  FlushPacer pacer_{"records", kMemtableBytes, kMaxMemtables, &clock_};
};

TEST_F(FlushPacerTest, StartsAtTheMaximum) {
  EXPECT_EQ(limiter_pace(), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, FlushOfAFullMemtable_PacedAtTheFactorOverItsFillRate) {
  // The first memtable's fill time counts from the pacer's creation.
  EXPECT_EQ(SealAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  const int64_t pace = pacer_.FlushBegan(kFull);
  EXPECT_EQ(pace, Expected(1, 1.0));
  EXPECT_EQ(limiter_pace(), pace);
}

TEST_F(FlushPacerTest, SteadyArrival_EachFlushPacedFromItsMemtable) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(FlushFullAfter(absl::Milliseconds(500)), Expected(1, 0.5));
  }
  EXPECT_EQ(limiter_pace(), Expected(1, 0.5));
}

TEST_F(FlushPacerTest, SlowerMemtable_PacedFromTheFasterOfTheLastTwo) {
  FlushFullAfter(absl::Milliseconds(500));
  // A slow spell...
  EXPECT_EQ(FlushFullAfter(absl::Milliseconds(900)), Expected(1, 0.5));
  // ...now the faster of the last two.
  EXPECT_EQ(FlushFullAfter(absl::Milliseconds(800)), Expected(1, 0.8));
}

TEST_F(FlushPacerTest, QuietSpell_PaceNeverBelowTheFloor) {
  SealAfter(absl::Hours(1));
  EXPECT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMinBytesPerSecond);
  EXPECT_EQ(limiter_pace(), FlushPacer::kMinBytesPerSecond);
}

TEST_F(FlushPacerTest, BurstOfArrivals_PaceNeverAboveTheMaximum) {
  SealAfter(absl::Milliseconds(1));
  EXPECT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, SealedWhileFlushing_RaisedForBothUnflushedMemtables) {
  SealAfter(absl::Seconds(1));
  ASSERT_EQ(pacer_.FlushBegan(kFull), Expected(1, 1.0));
  // The next memtable fills before the flush ends: both must now be written
  // within the time it took.
  const int64_t raised = SealAfter(absl::Milliseconds(600));
  EXPECT_EQ(raised, Expected(2, 0.6));
  EXPECT_EQ(limiter_pace(), raised);
}

TEST_F(FlushPacerTest, SealedWhileFlushing_NeverLowersThePace) {
  SealAfter(absl::Seconds(1));
  // An explicit flush runs at the maximum; a memtable sealed meanwhile asks
  // for less, and does not slow it.
  ASSERT_EQ(pacer_.FlushBegan(/*memtable_full=*/false),
            FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(SealAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, SealedAfterTheFlushEnded_PaceLeftForTheNextFlush) {
  SealAfter(absl::Seconds(1));
  const int64_t pace = pacer_.FlushBegan(kFull);
  pacer_.FlushEnded();
  EXPECT_EQ(SealAfter(absl::Milliseconds(100)), pace);
  EXPECT_EQ(pacer_.FlushBegan(kFull), Expected(1, 0.1));
}

TEST_F(FlushPacerTest, ThreeUnflushedMemtables_Maximum) {
  SealAfter(absl::Seconds(1));
  pacer_.FlushBegan(kFull);
  SealAfter(absl::Seconds(1));  // Two unflushed: raised, not yet the maximum.
  EXPECT_LT(limiter_pace(), FlushPacer::kMaxBytesPerSecond);
  // Three: RocksDB delays writes from here on.
  EXPECT_EQ(SealAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
}

TEST(FlushPacerInstallTest, SetsLimiterListenerAndRocksDbsDelayedWriteRate) {
  ManualClock clock;
  auto pacer = std::make_shared<FlushPacer>("records", kMemtableBytes,
                                            kMaxMemtables, &clock);
  rocksdb::DBOptions options;
  pacer->InstallIn(options);
  EXPECT_EQ(options.rate_limiter, pacer->rate_limiter());
  ASSERT_EQ(options.listeners.size(), 1u);
  EXPECT_EQ(options.listeners[0].get(), pacer.get());
  // rocksdb/options.h: without a rate limiter, delayed writes run at
  // "16MB" a second; with one, at its rate unless this is set.
  EXPECT_EQ(options.delayed_write_rate, uint64_t{16} << 20);
}

TEST(FlushPacerLimitTest, TwoMemtablesAllowed_MaximumOnceBothAreUnflushed) {
  // With three or fewer allowed, RocksDB stops writes when all are
  // unflushed, and delays none before.
  ManualClock clock;
  FlushPacer pacer("records", kMemtableBytes, /*max_memtables=*/2, &clock);
  clock.Advance(absl::Seconds(1));
  pacer.LogSynced();
  pacer.MemTableSealed(clock.Now());
  ASSERT_EQ(pacer.FlushBegan(kFull), Expected(1, 1.0));
  clock.Advance(absl::Seconds(1));
  pacer.LogSynced();
  // Two unflushed filling at one a second would ask for 192 MiB/s.
  EXPECT_EQ(pacer.MemTableSealed(clock.Now()), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, FlushTakingTwoMemtables_PacedForBoth) {
  SealAfter(absl::Seconds(2));
  SealAfter(absl::Seconds(2));  // Sealed before any flush began.
  EXPECT_EQ(pacer_.FlushBegan(kFull), Expected(2, 2.0));
}

TEST_F(FlushPacerTest, FlushForAnotherReason_Maximum) {
  SealAfter(absl::Seconds(1));
  // Shutdown, an explicit flush, the log's size bound: nothing waits on a
  // memtable filling, and a caller may be waiting on the flush.
  EXPECT_EQ(pacer_.FlushBegan(/*memtable_full=*/false),
            FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, FlushForAnotherReason_ItsFillForgotten) {
  // A checkpoint seals a memtable a tenth of a second after the last one:
  // that says nothing of how fast records arrive.
  FlushFullAfter(absl::Seconds(1));
  SealAfter(absl::Milliseconds(100));
  pacer_.FlushBegan(/*memtable_full=*/false);
  pacer_.FlushEnded();
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), Expected(1, 1.0));
}

TEST_F(FlushPacerTest, Unpace_RunningFlushGoesOnAtTheMaximum) {
  SealAfter(absl::Seconds(10));
  ASSERT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMinBytesPerSecond);
  pacer_.Unpace();
  EXPECT_EQ(limiter_pace(), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, WritesStalled_MaximumAndItsFillsNotMeasured) {
  SealAfter(absl::Seconds(1));
  ASSERT_EQ(pacer_.FlushBegan(kFull), Expected(1, 1.0));
  EXPECT_EQ(pacer_.WritesStalled(true), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(limiter_pace(), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(pacer_.WritesStalled(false), FlushPacer::kMaxBytesPerSecond);
  pacer_.FlushEnded();
  // This memtable filled at the rate RocksDB let writes in: its flush, and
  // the next one (the faster of the last two fills), run at the maximum.
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), Expected(1, 1.0));
}

TEST_F(FlushPacerTest, WritesStillStalled_FlushAtTheMaximum) {
  SealAfter(absl::Seconds(1));
  pacer_.WritesStalled(true);
  EXPECT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, NoSyncWhileFilling_Maximum) {
  // `nosync` and `nowal` writes: no put waits behind the flush.
  clock_.Advance(absl::Seconds(1));
  pacer_.MemTableSealed(clock_.Now());
  EXPECT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMaxBytesPerSecond);
  pacer_.FlushEnded();
  // Syncs again: paced once the last two memtables both saw one.
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), Expected(1, 1.0));
}

TEST_F(FlushPacerTest, StallReportedAfterItsEnd_ForgottenWhenTheFlushEnds) {
  SealAfter(absl::Seconds(1));
  pacer_.FlushBegan(kFull);
  // The flush that ended the stall reports first, the writer that began
  // it last.
  pacer_.WritesStalled(false);
  EXPECT_EQ(pacer_.WritesStalled(true), FlushPacer::kMaxBytesPerSecond);
  pacer_.FlushEnded();
  // The memtable filling during the report counts as filled at once, and
  // so asks for the maximum twice (the faster of the last two fills)...
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), FlushPacer::kMaxBytesPerSecond);
  // ...but the stall is not taken to last.
  EXPECT_EQ(FlushFullAfter(absl::Seconds(1)), Expected(1, 1.0));
}

TEST_F(FlushPacerTest, ClockSteppedBack_Maximum) {
  clock_.Advance(absl::Seconds(-5));
  pacer_.LogSynced();
  pacer_.MemTableSealed(clock_.Now());
  EXPECT_EQ(pacer_.FlushBegan(kFull), FlushPacer::kMaxBytesPerSecond);
}

TEST_F(FlushPacerTest, Listener_PacesOnlyItsFamily) {
  clock_.Advance(absl::Seconds(1));
  rocksdb::MemTableInfo sealed;
  rocksdb::FlushJobInfo flush;
  flush.flush_reason = rocksdb::FlushReason::kWriteBufferFull;
  rocksdb::WriteStallInfo stall;
  stall.condition.cur = rocksdb::WriteStallCondition::kDelayed;
  sealed.cf_name = flush.cf_name = stall.cf_name = "time_index";
  pacer_.LogSynced();
  pacer_.OnMemTableSealed(sealed);
  pacer_.OnFlushBegin(nullptr, flush);
  pacer_.OnStallConditionsChanged(stall);
  EXPECT_EQ(limiter_pace(), FlushPacer::kMaxBytesPerSecond);

  sealed.cf_name = flush.cf_name = "records";
  pacer_.LogSynced();
  pacer_.OnMemTableSealed(sealed);
  pacer_.OnFlushBegin(nullptr, flush);
  EXPECT_EQ(limiter_pace(), Expected(1, 1.0));
  pacer_.OnFlushCompleted(nullptr, flush);
  // Ended: the next memtable alone leaves the pace as it is.
  clock_.Advance(absl::Milliseconds(10));
  pacer_.OnMemTableSealed(sealed);
  EXPECT_EQ(limiter_pace(), Expected(1, 1.0));
  // Another family's stall leaves it too; the family's own does not.
  pacer_.OnStallConditionsChanged(stall);
  EXPECT_EQ(limiter_pace(), Expected(1, 1.0));
  stall.cf_name = "records";
  pacer_.OnStallConditionsChanged(stall);
  EXPECT_EQ(limiter_pace(), FlushPacer::kMaxBytesPerSecond);
}

}  // namespace
}  // namespace brook
