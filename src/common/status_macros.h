// Early-return helpers for absl::Status, which Abseil 20220623 lacks.

#ifndef BROOK_COMMON_STATUS_MACROS_H_
#define BROOK_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define BROOK_RETURN_IF_ERROR(expr)                                 \
  do {                                                              \
    if (absl::Status brook_status_ = (expr); !brook_status_.ok()) { \
      return brook_status_;                                         \
    }                                                               \
  } while (false)

#define BROOK_STATUS_CONCAT_INNER_(a, b) a##b
#define BROOK_STATUS_CONCAT_(a, b) BROOK_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK,
// else moves its value into `lhs`, which may be a declaration.
#define BROOK_ASSIGN_OR_RETURN(lhs, rexpr) \
  BROOK_ASSIGN_OR_RETURN_IMPL_(            \
      BROOK_STATUS_CONCAT_(brook_statusor_, __LINE__), lhs, rexpr)

#define BROOK_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // BROOK_COMMON_STATUS_MACROS_H_
