// Every registered op has its float kernel in common/kernels (registry.h), and its schema runs
// that kernel (kernel_from_registry), so the runtime's CPU segments compute exactly what the
// reference interpreter computes -- or it is listed in float_kernels_pending.txt. The list may
// only shrink: an op listed there that has moved fails the test too. Prints `float-kernels: N
// ops, M in common/kernels, P pending`.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/kernels/registry.h"
#include "common/runfiles_list.h"
#include "compiler/ir/op_registry.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

std::set<std::string> Pending() {
  absl::StatusOr<std::set<std::string>> ops =
      testing::ReadNameList("compiler/ops/float_kernels_pending.txt");
  EXPECT_TRUE(ops.ok()) << ops.status();
  return ops.ok() ? *ops : std::set<std::string>{};
}

TEST(FloatKernelCoverage, EveryOpRunsACommonKernelOrIsPending) {
  const std::set<std::string> pending = Pending();
  int ops = 0, moved = 0;
  for (const std::string& op : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(op);
    ++ops;
    const bool in_common = s.kernel_from_registry && kernels::FindFloatKernel(op) != nullptr;
    moved += in_common ? 1 : 0;
    if (in_common) {
      EXPECT_EQ(pending.count(op), 0u)
          << op << " runs its common/kernels kernel now: remove it from float_kernels_pending.txt";
    } else {
      EXPECT_EQ(pending.count(op), 1u)
          << op << " has no float kernel in common/kernels (and is not pending)";
    }
  }
  for (const std::string& op : pending) {
    EXPECT_NE(ir::OpRegistry::Global().Find(op), nullptr) << op << " is not a registered op";
  }
  // A kernel in common/kernels with no op, or an op whose schema has its own kernel beside it,
  // would be two float semantics for one name.
  for (const std::string& op : kernels::FloatKernelOps()) {
    const ir::OpSchema* s = ir::OpRegistry::Global().Find(op);
    EXPECT_TRUE(s != nullptr && s->kernel_from_registry)
        << "common/kernels has a kernel for '" << op << "' that its op schema does not run";
  }
  std::printf("float-kernels: %d ops, %d in common/kernels, %zu pending\n", ops, moved,
              pending.size());
}

}  // namespace
}  // namespace openbpu::ops
