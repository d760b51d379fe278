// The facts op schemas state for the rest of the compiler (weights, channels, fusion, quantized
// semantics) agree with each other, for every registered op.
#include <cstdio>
#include <string>

#include "compiler/ir/op_registry.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

bool IsInput(const ir::OpSchema& s, int i) { return i >= 0 && i < s.max_inputs; }

TEST(OpFactsTest, WeightedOpsStateTheirChannels) {
  int weighted = 0;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    if (s.weight_input < 0) {
      EXPECT_EQ(s.bias_input, -1) << name << ": a bias without a weight";
      EXPECT_FALSE(s.weight_channel_axis) << name << ": a weight axis without a weight";
      EXPECT_FALSE(s.output_channel_axis.has_value()) << name << ": no accumulator output";
      continue;
    }
    ++weighted;
    EXPECT_TRUE(IsInput(s, s.weight_input)) << name;
    EXPECT_LT(s.weight_input, s.min_inputs) << name << ": the weight is optional";
    EXPECT_TRUE(s.bias_input == -1 || IsInput(s, s.bias_input)) << name;
    EXPECT_NE(s.bias_input, s.weight_input) << name;
    EXPECT_TRUE(s.weight_channel_axis) << name << ": a weight without an output-channel axis";
    EXPECT_TRUE(s.output_channel_axis.has_value()) << name << ": no output channel axis";
    // The weight is quantized per channel and the bias to int32 by convert: integer semantics.
    EXPECT_EQ(s.qkind, ir::QuantKind::kArithmetic) << name;
  }
  EXPECT_GE(weighted, 6);  // Conv, ConvTranspose, Gemm, MatMul, FusedConv, FusedLinear
}

TEST(OpFactsTest, FusionCoresBecomeRegisteredWeightedOps) {
  int cores = 0;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    if (s.fused_op.empty()) continue;
    ++cores;
    EXPECT_GE(s.weight_input, 0) << name << ": a fusion core has a weight";
    const ir::OpSchema* fused = ir::OpRegistry::Global().Find(s.fused_op);
    ASSERT_NE(fused, nullptr) << name << " fuses into unregistered " << s.fused_op;
    EXPECT_TRUE(fused->fused_op.empty()) << s.fused_op << " is fused already";
    EXPECT_EQ(fused->weight_input, s.weight_input) << name;
    EXPECT_GE(fused->bias_input, 0) << s.fused_op << ": fusion always gives a bias";
    EXPECT_EQ(fused->output_channel_axis, s.output_channel_axis) << name;
  }
  EXPECT_GE(cores, 3);  // Conv, Gemm, MatMul
}

TEST(OpFactsTest, TableOpsAreRegisteredWeightedAlike) {
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    if (s.table_op.empty()) continue;
    const ir::OpSchema* row = ir::OpRegistry::Global().Find(s.table_op);
    ASSERT_NE(row, nullptr) << name << " is judged as unregistered " << s.table_op;
    EXPECT_NE(s.table_op, name) << name << ": table_op is for another op's rows";
    EXPECT_TRUE(row->table_op.empty()) << s.table_op;
    EXPECT_EQ(row->weight_input, s.weight_input) << name << " and " << s.table_op;
    EXPECT_EQ(row->output_channel_axis, s.output_channel_axis) << name << " and " << s.table_op;
  }
}

TEST(OpFactsTest, QuantKindMatchesIntegerSemantics) {
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    if (s.qkind == ir::QuantKind::kNone) {
      EXPECT_FALSE(s.qkernel) << name << ": an integer kernel but no quantization family";
      EXPECT_FALSE(s.qprepare) << name;
      EXPECT_EQ(s.qinherit_input, -1) << name;
      EXPECT_TRUE(s.qfloat_inputs.empty()) << name;
      continue;
    }
    EXPECT_TRUE(s.qkernel) << name << ": a quantization family without an integer kernel";
    EXPECT_LT(s.qinherit_input, s.max_inputs) << name;
    for (int i : s.qfloat_inputs) EXPECT_TRUE(IsInput(s, i)) << name << ": qfloat input " << i;
  }
}

// Whatever qprepare stores, the verifier can check (compiler/ops/qparams.h): a qprepare without
// a qcheck would leave a node's parameters unverifiable.
TEST(OpFactsTest, EveryParameterFamilyHasACheck) {
  int with_params = 0;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    EXPECT_EQ(static_cast<bool>(s.qprepare), static_cast<bool>(s.qcheck)) << name;
    with_params += s.qprepare ? 1 : 0;
  }
  std::printf("op-facts: %d ops store typed quantization parameters\n", with_params);
}

// Table ops, and only they, state the error bound of their int16 table.
TEST(OpFactsTest, TableOpsStateTheirInt16ErrorBound) {
  int tables = 0;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    const ir::OpSchema& s = *ir::OpRegistry::Global().Find(name);
    if (s.qkind == ir::QuantKind::kTable) {
      ++tables;
      EXPECT_GE(s.int16_table_error_lsb, 1) << name;
    } else {
      EXPECT_EQ(s.int16_table_error_lsb, -1) << name << ": a table bound on a non-table op";
    }
  }
  EXPECT_GE(tables, 20);
}

}  // namespace
}  // namespace openbpu::ops
