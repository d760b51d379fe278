// Every op with an integer kernel that the march op table puts on the BPU (a supported row
// mapping it as primary op or alias, on any march) has a lowering, an alias lowering (views), or
// is listed in lowering_pending.txt. The list may only shrink: an op listed there that has a
// lowering fails the test too. Prints `lowering-coverage: N BPU ops, L lowered, A aliases,
// P pending`.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/runfiles_list.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "gtest/gtest.h"

namespace openbpu::backend {
namespace {

std::set<std::string> Pending() {
  absl::StatusOr<std::set<std::string>> ops =
      testing::ReadNameList("compiler/backend/lowering_pending.txt");
  EXPECT_TRUE(ops.ok()) << ops.status();
  return ops.ok() ? *ops : std::set<std::string>{};
}

bool OnTheBpu(const std::string& op) {
  for (const march::OpTableEntry* entry : march::FindByIrOp(op)) {
    for (const march::IrOpMapping& m : entry->ir_ops) {
      if (m.op != op || m.role == march::IrRole::kPart) continue;
      for (march::March arch :
           {march::March::kBernoulli2, march::March::kBayes, march::March::kBayesE}) {
        if (entry->For(arch).supported == march::Supported::kYes) return true;
      }
    }
  }
  return false;
}

TEST(LoweringCoverageTest, EveryBpuOpIsLoweredOrPending) {
  const std::set<std::string> pending = Pending();
  int bpu = 0, lowered = 0, aliases = 0;
  for (const std::string& op : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(op);
    const std::string table_op = s.table_op.empty() ? op : s.table_op;
    if (!s.qkernel || !OnTheBpu(table_op)) continue;
    ++bpu;
    const bool has = LoweringRegistry::Global().Find(op) != nullptr;
    const bool alias = op == "Identity" || op == "Flatten" || op == "Reshape" || op == "Squeeze" ||
                       op == "Unsqueeze";
    lowered += has ? 1 : 0;
    aliases += alias && !has ? 1 : 0;
    if (has || alias) {
      EXPECT_EQ(pending.count(op), 0u)
          << op << " is lowered now: remove it from lowering_pending.txt";
    } else {
      EXPECT_EQ(pending.count(op), 1u)
          << op << " has an integer kernel and a BPU row but no lowering (and is not pending)";
    }
  }
  for (const std::string& op : pending) {
    EXPECT_NE(ir::OpRegistry::Global().Find(op), nullptr) << op << " is not a registered op";
  }
  std::printf("lowering-coverage: %d BPU ops, %d lowered, %d aliases, %zu pending\n", bpu, lowered,
              aliases, pending.size());
}

}  // namespace
}  // namespace openbpu::backend
