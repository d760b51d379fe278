// The case generator over the march op table: for every row with a limit and every march whose
// cell runs it, one graph of one node that passes the limit and one that violates it. Shared by
// //compiler/check:check_cases_test and a later per-row walk (issue 15).
#ifndef OPENBPU_COMPILER_CHECK_CASES_H_
#define OPENBPU_COMPILER_CHECK_CASES_H_

#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"

namespace openbpu::check {

struct CheckCase {
  std::string row;  // the vendor op
  std::string ir_op;
  march::March march;
  march::Limit limit;
  bool violating = false;
  double value = 0;         // the limit's quantity in this case
  bool at_boundary = true;  // passing cases: at the limit's bound (false: the builder's default)
  std::unique_ptr<ir::Graph> graph;  // one node, named "n"
};

struct CaseSet {
  std::vector<CheckCase> cases;
  int rows_with_limits = 0;          // rows with a limit (their own or a general one) on a march
  int rows_with_own_limits = 0;      // rows whose cells state limits of their own
  std::vector<std::string> skipped;  // "row: why" (no IR form)
};

CaseSet GenerateCases();

}  // namespace openbpu::check

#endif  // OPENBPU_COMPILER_CHECK_CASES_H_
