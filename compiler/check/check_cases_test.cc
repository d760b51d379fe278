// Every case of the generator over the op table: the passing case of a row's limit checks clean,
// the violating case reports that limit. Prints
// `check-cases: N rows with limits, P passing cases pass, V violating cases caught, per march`.
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "compiler/check/cases.h"
#include "compiler/check/check.h"
#include "gtest/gtest.h"

namespace openbpu::check {
namespace {

TEST(CheckCasesTest, EveryLimitOfEveryRowPassesAndIsCaught) {
  const CaseSet set = GenerateCases();
  ASSERT_GT(set.cases.size(), 0u);
  std::map<std::string, int> pass_ok, pass_n, caught, viol_n, default_by_limit;
  int passing = 0, violating = 0, pass_total = 0, viol_total = 0, defaults = 0;
  for (const CheckCase& cs : set.cases) {
    const std::string m(march::MarchName(cs.march));
    const CheckReport r = CheckGraph(*cs.graph, cs.march);
    const std::string what = absl::StrCat(cs.row, " ", m, " ", cs.limit.ToString(), " at ",
                                          cs.value, cs.violating ? " (violating)" : " (passing)");
    if (!cs.violating) {
      ++pass_total;
      ++pass_n[m];
      defaults += !cs.at_boundary;
      if (!cs.at_boundary) ++default_by_limit[cs.limit.name];
      if (r.violations == 0) {
        ++passing;
        ++pass_ok[m];
      } else {
        ADD_FAILURE() << what << ": " << FormatReport(r, true);
      }
      continue;
    }
    ++viol_total;
    ++viol_n[m];
    bool found = false;
    for (const NodeReport& n : r.nodes) {
      for (const Violation& v : n.violations) found = found || v.limit == cs.limit.ToString();
    }
    if (found) {
      ++violating;
      ++caught[m];
    } else {
      ADD_FAILURE() << what << " not caught: " << FormatReport(r, true);
    }
  }
  std::string per;
  for (const auto& [m, n] : pass_n) {
    absl::StrAppend(&per, per.empty() ? "" : "; ", m, " ", pass_ok[m], "/", n, " pass, ", caught[m],
                    "/", viol_n[m], " caught");
  }
  std::printf(
      "check-cases: %d rows with limits (%d with their own), %d/%d passing cases pass (%d at the "
      "builder's default), %d/%d violating cases caught, per march: %s\n",
      set.rows_with_limits, set.rows_with_own_limits, passing, pass_total, defaults, violating,
      viol_total, per.c_str());
  std::string by;
  for (const auto& [name, n] : default_by_limit) absl::StrAppend(&by, " ", name, "=", n);
  std::printf("check-cases: passing cases at the default (their bound breaks another limit):%s\n",
              by.c_str());
  for (const std::string& s : set.skipped) std::printf("check-cases: skipped %s\n", s.c_str());
}

}  // namespace
}  // namespace openbpu::check
