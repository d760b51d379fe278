// Unwrap macros for absl::Status / absl::StatusOr (XLA's RETURN_IF_ERROR / ASSIGN_OR_RETURN):
// return the error to the caller unchanged, or go on with the value.
#ifndef OPENBPU_COMMON_STATUS_MACROS_H_
#define OPENBPU_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) once and returns it from the enclosing function when it is
// not OK. The function may return absl::Status or any absl::StatusOr<T>.
#define OPENBPU_RETURN_IF_ERROR(expr)                         \
  do {                                                        \
    if (::absl::Status openbpu_status_macros_status = (expr); \
        !openbpu_status_macros_status.ok()) {                 \
      return openbpu_status_macros_status;                    \
    }                                                         \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>) once; on error returns its status from the enclosing
// function, else moves the value into `lhs`, which is an existing lvalue or a declaration:
//   OPENBPU_ASSIGN_OR_RETURN(auto graph, frontend::ImportOnnxFile(path));
//   OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> graph, ir::LoadHbir(path));
//   OPENBPU_ASSIGN_OR_RETURN(report.scales, ComputeScales(...));
// A macro argument cannot hold an unparenthesized comma: for a type such as std::map<K, V> use
// `auto` or an alias. Expands to several statements, so it cannot be the body of an unbraced if.
#define OPENBPU_ASSIGN_OR_RETURN(lhs, rexpr)   \
  OPENBPU_STATUS_MACROS_ASSIGN_OR_RETURN_IMPL( \
      OPENBPU_STATUS_MACROS_CONCAT(openbpu_status_macros_statusor_, __LINE__), lhs, rexpr)

#define OPENBPU_STATUS_MACROS_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                                \
  if (!statusor.ok()) return std::move(statusor).status();                \
  lhs = *std::move(statusor)

#define OPENBPU_STATUS_MACROS_CONCAT_INNER(x, y) x##y
#define OPENBPU_STATUS_MACROS_CONCAT(x, y) OPENBPU_STATUS_MACROS_CONCAT_INNER(x, y)

#endif  // OPENBPU_COMMON_STATUS_MACROS_H_
