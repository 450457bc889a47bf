// The server-wide budget of request bytes: admission, waiting, order,
// cancellation and the drained signal.

#include "server/request_budget.h"

#include <vector>

#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(RequestBudgetTest, Acquire_AdmitsAtOnceWhatFits) {
  RequestBudget budget(100);
  int admitted = 0;
  EXPECT_EQ(budget.Acquire(60, [&] { ++admitted; }), 0u);
  EXPECT_EQ(budget.Acquire(40, [&] { ++admitted; }), 0u);
  EXPECT_EQ(admitted, 2);
  EXPECT_EQ(budget.in_use(), 100u);
}

TEST(RequestBudgetTest, Release_AdmitsWaitersThatNowFit_SmallOnesNotHeldUp) {
  RequestBudget budget(100);
  std::vector<int> order;
  ASSERT_EQ(budget.Acquire(90, [] {}), 0u);
  EXPECT_NE(budget.Acquire(80, [&] { order.push_back(80); }), 0u);
  // A small request fits beside the first and is not queued behind 80.
  EXPECT_EQ(budget.Acquire(10, [&] { order.push_back(10); }), 0u);
  EXPECT_EQ(order, std::vector<int>({10}));
  budget.Release(90);  // 10 in use: 80 fits now.
  EXPECT_EQ(order, std::vector<int>({10, 80}));
  EXPECT_EQ(budget.in_use(), 90u);
}

TEST(RequestBudgetTest, Cancel_ForgetsAWaiter_NotAnAdmittedOne) {
  RequestBudget budget(100);
  bool admitted = false;
  ASSERT_EQ(budget.Acquire(100, [] {}), 0u);
  const RequestBudget::Ticket ticket =
      budget.Acquire(50, [&] { admitted = true; });
  ASSERT_NE(ticket, 0u);
  EXPECT_TRUE(budget.Cancel(ticket));
  budget.Release(100);
  EXPECT_FALSE(admitted);
  EXPECT_EQ(budget.in_use(), 0u);

  const RequestBudget::Ticket later = budget.Acquire(100, [] {});
  EXPECT_EQ(later, 0u);
  const RequestBudget::Ticket waiting =
      budget.Acquire(10, [&] { admitted = true; });
  budget.Release(100);
  EXPECT_TRUE(admitted);
  EXPECT_FALSE(budget.Cancel(waiting));  // Admitted already: caller owns it.
}

TEST(RequestBudgetTest, Release_SaysDrainedOnceACapacityWorthHasPassed) {
  RequestBudget budget(100);
  ASSERT_EQ(budget.Acquire(50, [] {}), 0u);
  EXPECT_FALSE(budget.Release(50));  // Empty, but only 50 passed through.
  ASSERT_EQ(budget.Acquire(60, [] {}), 0u);
  ASSERT_EQ(budget.Acquire(40, [] {}), 0u);
  EXPECT_FALSE(budget.Release(60));  // Not empty yet.
  EXPECT_TRUE(budget.Release(40));
  ASSERT_EQ(budget.Acquire(10, [] {}), 0u);
  EXPECT_FALSE(budget.Release(10));  // Counting starts again.
}

}  // namespace
}  // namespace brook
