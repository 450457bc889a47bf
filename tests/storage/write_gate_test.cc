// The store's fail-stop state: what each failure closes, what a low disk
// still lets through, and what opens it again.

#include "storage/write_gate.h"

#include "common/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(WriteGateTest, Accepting_AdmitsEverything) {
  WriteGate gate;
  EXPECT_OK(gate.Admit(/*adds_data=*/true));
  EXPECT_OK(gate.Admit(/*adds_data=*/false));
  EXPECT_EQ(gate.state().status, WriteStatus::kAccepting);
  EXPECT_OK(gate.state().reason);
}

TEST(WriteGateTest, IoFailure_StopsEveryWriteUntilReopened) {
  WriteGate gate;
  gate.Fail(InternalFailure("syncing the write-ahead log: injected EIO"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
  for (bool adds_data : {true, false}) {
    const absl::Status refused = gate.Admit(adds_data);
    EXPECT_THAT(refused, AllOf(HasCode(absl::StatusCode::kInternal),
                               HasErrorName(ErrorName::kInternalFailure)));
    EXPECT_THAT(refused.message(), HasSubstr("injected EIO"));
    EXPECT_THAT(refused.message(), HasSubstr("reopen"));
  }
  // Neither space coming back nor a resume opens it.
  gate.ClearLowSpace();
  gate.Resumed(absl::OkStatus());
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
}

TEST(WriteGateTest, NoSpaceFailure_StopsUntilResumed) {
  WriteGate gate;
  gate.Fail(NoSpace("writing the write-ahead log: No space left"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStoppedNoSpace);
  EXPECT_THAT(gate.Admit(/*adds_data=*/false),
              AllOf(HasCode(absl::StatusCode::kResourceExhausted),
                    HasErrorName(ErrorName::kInternalFailure)));
  gate.ClearLowSpace();
  EXPECT_EQ(gate.state().status, WriteStatus::kStoppedNoSpace);
  gate.Resumed(absl::OkStatus());
  EXPECT_EQ(gate.state().status, WriteStatus::kAccepting);
  EXPECT_OK(gate.Admit(/*adds_data=*/true));
}

TEST(WriteGateTest, Resumed_BelowTheFloorIsLowSpace) {
  WriteGate gate;
  gate.Fail(NoSpace("full"));
  gate.Resumed(NoSpace("1 MiB free, below the floor"));
  EXPECT_EQ(gate.state().status, WriteStatus::kLowSpace);
  EXPECT_OK(gate.Admit(/*adds_data=*/false));
}

TEST(WriteGateTest, IoFailure_OutranksAndOutlivesNoSpace) {
  WriteGate gate;
  gate.Fail(NoSpace("full"));
  gate.Fail(InternalFailure("EIO"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
  gate.Fail(NoSpace("full again"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
  EXPECT_EQ(gate.state().reason.message(), "EIO");
}

TEST(WriteGateTest, FirstFailure_StaysTheReason) {
  WriteGate gate;
  gate.Fail(InternalFailure("first"));
  gate.Fail(InternalFailure("second"));
  EXPECT_EQ(gate.state().reason.message(), "first");
}

TEST(WriteGateTest, LowSpace_RefusesOnlyWritesThatAddData) {
  WriteGate gate;
  gate.SetLowSpace(NoSpace("10 bytes free, below the floor of 100"));
  EXPECT_EQ(gate.state().status, WriteStatus::kLowSpace);
  EXPECT_OK(gate.Admit(/*adds_data=*/false));
  const absl::Status refused = gate.Admit(/*adds_data=*/true);
  EXPECT_THAT(refused, AllOf(HasCode(absl::StatusCode::kResourceExhausted),
                             HasErrorName(ErrorName::kInternalFailure)));
  EXPECT_THAT(refused.message(), HasSubstr("nothing written"));
  EXPECT_THAT(refused.message(), HasSubstr("below the floor"));
  gate.ClearLowSpace();
  EXPECT_EQ(gate.state().status, WriteStatus::kAccepting);
}

TEST(WriteGateTest, Failure_WhileLowOnSpaceStops) {
  WriteGate gate;
  gate.SetLowSpace(NoSpace("low"));
  gate.Fail(InternalFailure("EIO"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
  gate.SetLowSpace(NoSpace("low"));
  EXPECT_EQ(gate.state().status, WriteStatus::kStopped);
}

}  // namespace
}  // namespace brook
