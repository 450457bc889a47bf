// gMock matchers and macros for absl::Status and absl::StatusOr, which
// Brook's Abseil and GoogleTest versions do not ship.

#ifndef BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
#define BROOK_TESTS_TESTING_STATUS_MATCHERS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "brook/error.h"
#include "gmock/gmock.h"

namespace brook::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << status;
  return status.ok();
}

// Matches a non-OK status (or StatusOr) carrying the Kinesis error `name`.
MATCHER_P(HasErrorName, name,
          "fails with " + std::string(brook::ErrorNameToString(name))) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << status;
  return brook::ErrorNameOf(status) == name;
}

// Matches a non-OK status (or StatusOr) with the canonical `code`.
MATCHER_P(HasCode, code, "fails with code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << status;
  return status.code() == code;
}

}  // namespace brook::testing

#define BROOK_TESTING_CONCAT_INNER_(a, b) a##b
#define BROOK_TESTING_CONCAT_(a, b) BROOK_TESTING_CONCAT_INNER_(a, b)

// Asserts that `rexpr` (an absl::StatusOr) is OK and moves its value into
// `lhs`, which may be a declaration.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                       \
  ASSERT_OK_AND_ASSIGN_IMPL_(BROOK_TESTING_CONCAT_(brook_statusor_, __LINE__), \
                             lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();       \
  lhs = *std::move(statusor)

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::brook::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::brook::testing::IsOk())

#endif  // BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
