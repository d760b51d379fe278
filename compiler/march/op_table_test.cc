// Checks the encoded operator table against the vendor's table (spot checks of cells), its
// internal consistency (both marches filled, references resolve, one primary row per IR op),
// that its IR op names exist in the op registry (with integer semantics where the BPU runs
// them), and that docs/MARCH_OP_TABLE.md lists it.
#include "compiler/march/op_table.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compiler/ir/op_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace openbpu::march {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ONNX ops the table maps to that the IR has not registered yet. The table keeps the true
// mapping; once an op lands in compiler/ops, the test below asks to remove it from this list.
const std::set<std::string>& NotYetInIr() {
  static const auto* const ops =
      new std::set<std::string>{"ArgMin", "GridSample", "LSTM", "RoiAlign"};
  return *ops;
}

const OpTableEntry& Row(absl::string_view vendor_name) {
  const OpTableEntry* row = FindByVendorName(vendor_name);
  if (row == nullptr) {
    ADD_FAILURE() << "no row " << vendor_name;
    static const OpTableEntry* const empty = new OpTableEntry();
    return *empty;
  }
  return *row;
}

// The cell's limit called `name` that applies in context `when`; fails the test when absent.
Limit FindLimit(const MarchSupport& cell, absl::string_view name, When when = When::kAlways) {
  for (const Limit& l : cell.limits) {
    if (l.name == name && l.when == when) return l;
  }
  ADD_FAILURE() << "no limit " << name << " (" << WhenName(when) << ") in: " << cell.note_zh;
  return Limit{std::string(name), 0, 0};
}

bool HasRule(const MarchSupport& cell, absl::string_view id) {
  for (const Rule& r : cell.rules) {
    if (r.id == id) return true;
  }
  return false;
}

// ---------------------------------------------------------------- marches

TEST(MarchTest, NamesAndParse) {
  EXPECT_THAT(Marches(), ElementsAre("bernoulli2", "bayes", "bayes-e"));
  for (const std::string& name : Marches()) {
    absl::StatusOr<March> m = ParseMarch(name);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(MarchName(*m), name);
  }
  EXPECT_EQ(*ParseMarch("bayes"), March::kBayes);
  EXPECT_EQ(*ParseMarch("bayes-e"), March::kBayesE);
}

TEST(MarchTest, UnknownMarchIsInvalidArgumentListingValidOnes) {
  for (absl::string_view bad : {"bayes2", "", "Bayes", "bernoulli", "bayes_e", "nash"}) {
    absl::StatusOr<March> m = ParseMarch(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr(absl::StrCat("\"", bad, "\"")));
    EXPECT_THAT(m.status().message(), HasSubstr("bernoulli2, bayes, bayes-e"));
  }
}

// ---------------------------------------------------------------- table shape

TEST(OpTableTest, HasEveryVendorRowOnce) {
  int torch = 0, torchvision = 0;
  std::set<std::string> names;
  for (const OpTableEntry& e : OpTable()) {
    (e.table == VendorTable::kTorch ? torch : torchvision)++;
    EXPECT_TRUE(names.insert(e.vendor_name).second) << "duplicate " << e.vendor_name;
    for (const std::string& a : e.aliases) {
      EXPECT_TRUE(names.insert(a).second) << "duplicate alias " << a;
    }
  }
  // The vendor's "支持的 torch 算子" table has 106 rows and the torchvision one 3 (DeformConv2d
  // is commented out there).
  EXPECT_EQ(torch, 106);
  EXPECT_EQ(torchvision, 3);
  EXPECT_EQ(FindByVendorName("torchvision.ops.DeformConv2d"), nullptr);
}

TEST(OpTableTest, EveryRowHasBothMarchesFilled) {
  for (const OpTableEntry& e : OpTable()) {
    for (March march : {March::kBernoulli2, March::kBayes}) {
      const MarchSupport& c = e.For(march);
      SCOPED_TRACE(absl::StrCat(e.vendor_name, " @ ", MarchName(march)));
      EXPECT_FALSE(c.note_zh.empty());
      EXPECT_FALSE(c.summary_en.empty());
      // "不支持" alone is the vendor's "not supported".
      if (c.note_zh == "不支持") {
        EXPECT_EQ(c.supported, Supported::kNo);
      }
      if (c.supported == Supported::kYes) {
        EXPECT_FALSE(c.input_dtypes.empty());
        EXPECT_FALSE(c.output_dtypes.empty());
      } else {
        EXPECT_TRUE(c.input_dtypes.empty() && c.output_dtypes.empty());
        EXPECT_TRUE(c.limits.empty());
        EXPECT_FALSE(c.table_based);
      }
      if (c.supported == Supported::kAbsorbed) {
        EXPECT_TRUE(absl::StrContains(c.note_zh, "训练 op") ||
                    absl::StrContains(c.note_zh, "吸收"));
      }
      if (c.copied_from_reference) continue;
      // Cross-checks of the structured reading against the verbatim text.
      EXPECT_EQ(c.table_based, absl::StrContains(c.note_zh, "查表"));
      EXPECT_EQ(c.model_output_only != ModelOutputOnly::kNo,
                absl::StrContains(c.note_zh, "只能作为模型输出"));
      bool int16 = false;
      for (DType d : c.input_dtypes) int16 = int16 || d == DType::kInt16;
      for (DType d : c.output_dtypes) int16 = int16 || d == DType::kInt16;
      EXPECT_EQ(int16, absl::StrContains(c.note_zh, "int16"));
      for (const Rule& r : c.rules) {
        EXPECT_FALSE(r.id.empty());
        EXPECT_FALSE(r.english.empty());
        EXPECT_EQ(r.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"),
                  std::string::npos);
      }
      for (const Limit& l : c.limits) {
        EXPECT_FALSE(l.name.empty());
        EXPECT_LE(l.min, l.max) << l.ToString();
      }
    }
  }
}

TEST(OpTableTest, BayesEFollowsBayes) {
  for (const OpTableEntry& e : OpTable()) {
    EXPECT_EQ(&e.For(March::kBayesE), &e.bayes) << e.vendor_name;
    EXPECT_EQ(&e.For(March::kBayes), &e.bayes) << e.vendor_name;
    EXPECT_EQ(&e.For(March::kBernoulli2), &e.bernoulli2) << e.vendor_name;
  }
}

TEST(OpTableTest, ReferencesResolveAndCopiesMatchTheirSource) {
  for (const OpTableEntry& e : OpTable()) {
    for (March march : {March::kBernoulli2, March::kBayes}) {
      const MarchSupport& c = e.For(march);
      if (c.refers_to.empty()) continue;
      SCOPED_TRACE(absl::StrCat(e.vendor_name, " @ ", MarchName(march)));
      const OpTableEntry* source = FindByVendorName(c.refers_to);
      ASSERT_NE(source, nullptr) << c.refers_to;
      ASSERT_NE(source, &e);
      if (!c.copied_from_reference) continue;
      const MarchSupport& s = source->For(march);
      EXPECT_EQ(c.supported, s.supported);
      EXPECT_EQ(c.input_dtypes, s.input_dtypes);
      EXPECT_EQ(c.output_dtypes, s.output_dtypes);
      EXPECT_EQ(c.table_based, s.table_based);
      EXPECT_EQ(c.model_output_only, s.model_output_only);
      EXPECT_EQ(c.limits.size(), s.limits.size());
      EXPECT_EQ(c.rules.size(), s.rules.size());
    }
  }
}

// ---------------------------------------------------------------- IR mapping

TEST(OpTableTest, EveryIrOpExistsInTheOpRegistry) {
  std::set<std::string> used;
  for (const OpTableEntry& e : OpTable()) {
    for (const IrOpMapping& m : e.ir_ops) {
      used.insert(m.op);
      if (NotYetInIr().count(m.op) != 0) continue;
      EXPECT_NE(ir::OpRegistry::Global().Find(m.op), nullptr)
          << e.vendor_name << " maps to unknown IR op " << m.op;
    }
  }
  for (const std::string& op : NotYetInIr()) {
    EXPECT_EQ(ir::OpRegistry::Global().Find(op), nullptr)
        << op << " is registered now: remove it from NotYetInIr()";
    EXPECT_EQ(used.count(op), 1u) << op << " is in NotYetInIr() but no row maps it";
  }
}

TEST(OpTableTest, ExactlyOnePrimaryRowPerIrOpWithARow) {
  std::map<std::string, int> primaries;
  std::set<std::string> non_part;
  for (const OpTableEntry& e : OpTable()) {
    std::set<std::string> in_row;
    for (const IrOpMapping& m : e.ir_ops) {
      EXPECT_TRUE(in_row.insert(m.op).second) << e.vendor_name << " lists " << m.op << " twice";
      if (m.role == IrRole::kPrimary) primaries[m.op]++;
      if (m.role != IrRole::kPart) non_part.insert(m.op);
    }
  }
  for (const std::string& op : non_part) EXPECT_EQ(primaries[op], 1) << op;
}

// An op the BPU runs must have integer semantics, or convert would leave it in float (on the
// CPU). Counted: the primary and alias mappings (the op is that vendor op) and the parts of a
// composite (GELU's Div/Erf/Add/Mul: the composite runs quantized only if each part does) of
// every row whose bernoulli2 or bayes cell is kYes on the BPU (not a CPU cell); ops not in the
// IR yet are tracked by NotYetInIr() instead.
TEST(OpTableTest, EveryBpuSupportedIrOpHasIntegerSemantics) {
  std::map<std::string, std::set<std::string>> offenders;  // IR op -> vendor rows
  std::set<std::string> checked;
  for (const OpTableEntry& e : OpTable()) {
    bool on_bpu = false;
    for (const MarchSupport* cell : {&e.bernoulli2, &e.bayes}) {
      on_bpu = on_bpu || (cell->supported == Supported::kYes && !cell->runs_on_cpu);
    }
    if (!on_bpu) continue;
    for (const IrOpMapping& m : e.ir_ops) {
      if (NotYetInIr().count(m.op) != 0) continue;
      const ir::OpSchema* schema = ir::OpRegistry::Global().Find(m.op);
      if (schema == nullptr) continue;  // reported by EveryIrOpExistsInTheOpRegistry
      checked.insert(m.op);
      if (schema->qkind == ir::QuantKind::kNone) offenders[m.op].insert(e.vendor_name);
    }
  }
  // Not vacuous: the BPU's conv ops are in the checked set.
  EXPECT_EQ(checked.count("Conv"), 1u);
  EXPECT_EQ(checked.count("ConvTranspose"), 1u);
  std::string list;
  for (const auto& [op, rows] : offenders) {
    absl::StrAppend(&list, "\n  ", op, " (", absl::StrJoin(rows, ", "), ")");
  }
  EXPECT_TRUE(offenders.empty()) << offenders.size()
                                 << " IR ops supported on the BPU have qkind kNone:" << list;
}

TEST(OpTableTest, FindByIrOpListsEveryRole) {
  std::vector<std::string> names;
  for (const OpTableEntry* e : FindByIrOp("Add")) names.push_back(e->vendor_name);
  EXPECT_THAT(names, ElementsAre("torch.add", "torch.add_scalar", "torch.nn.GELU",
                                 "torch.nn.MultiheadAttention"));
  EXPECT_TRUE(FindByIrOp("NoSuchOp").empty());
  EXPECT_EQ(FindPrimary("Add"), FindByVendorName("torch.add"));
}

TEST(OpTableTest, SupportWithoutARowIsNotFound) {
  absl::StatusOr<MarchSupport> exp = Support("Exp", March::kBayes);
  ASSERT_FALSE(exp.ok());
  EXPECT_EQ(exp.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(exp.status().message(), HasSubstr("Exp"));
  // Erf only appears inside the GELU decomposition.
  absl::StatusOr<MarchSupport> erf = Support("Erf", March::kBernoulli2);
  ASSERT_FALSE(erf.ok());
  EXPECT_EQ(erf.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(erf.status().message(), HasSubstr("torch.nn.GELU"));
  // Rows with no IR form.
  EXPECT_TRUE(Row("horizon.nn.Correlation").ir_ops.empty());
  EXPECT_EQ(Row("horizon.nn.Correlation").vendor_name, "torch 中没有 Correlation 算子");
  EXPECT_TRUE(Row("torch.quantization.QuantStub").ir_ops.empty());
}

// ---------------------------------------------------------------- spot checks (vendor table)

TEST(SpotCheckTest, Conv2dBernoulli2) {
  absl::StatusOr<MarchSupport> c = Support("Conv", March::kBernoulli2);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->supported, Supported::kYes);
  EXPECT_THAT(c->input_dtypes, ElementsAre(DType::kInt8));
  EXPECT_THAT(c->output_dtypes, ElementsAre(DType::kInt8));
  Limit kernel = FindLimit(*c, "kernel");
  EXPECT_TRUE(kernel.Contains(7));
  EXPECT_FALSE(kernel.Contains(8));
  EXPECT_EQ(kernel.ToString(), "kernel <= 7");
  EXPECT_FALSE(FindLimit(*c, "channels_per_group").Contains(2049));
  Limit dilation = FindLimit(*c, "dilation");
  EXPECT_EQ(dilation.ToString(), "dilation in {1, 2, 4}");
  EXPECT_TRUE(dilation.Contains(4));
  EXPECT_FALSE(dilation.Contains(3));
  EXPECT_TRUE(FindLimit(*c, "weight_size").Contains(32768));
  EXPECT_FALSE(FindLimit(*c, "weight_size").Contains(32769));
  EXPECT_TRUE(HasRule(*c, "dilation_needs_stride1"));
  EXPECT_THAT(c->note_zh, HasSubstr("HxWxC <= 32768"));
}

TEST(SpotCheckTest, Conv2dBayes) {
  absl::StatusOr<MarchSupport> c = Support("Conv", March::kBayes);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->input_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
  EXPECT_THAT(c->output_dtypes, ElementsAre(DType::kInt8, DType::kInt16, DType::kInt32));
  EXPECT_TRUE(FindLimit(*c, "kernel").Contains(31));
  EXPECT_FALSE(FindLimit(*c, "kernel").Contains(32));
  EXPECT_FALSE(FindLimit(*c, "out_channels").Contains(8193));
  EXPECT_TRUE(FindLimit(*c, "out_channels", When::kModelOutput).Contains(16384));
  EXPECT_TRUE(FindLimit(*c, "in_channels").Contains(8192));
  EXPECT_TRUE(FindLimit(*c, "dilation").Contains(16));
  EXPECT_FALSE(FindLimit(*c, "dilation").Contains(17));
  EXPECT_EQ(FindLimit(*c, "stride", When::kWithSumin).ToString(), "stride in {1, 2} (when sumin)");
  EXPECT_FALSE(FindLimit(*c, "padding").Contains(257));
  EXPECT_FALSE(FindLimit(*c, "weight_size").Contains(65535));
  EXPECT_TRUE(HasRule(*c, "dilation_needs_stride1"));
  EXPECT_TRUE(HasRule(*c, "int16_input_accumulator_in_int32"));
  // bayes-e reads the same cell.
  EXPECT_EQ(Support("Conv", March::kBayesE)->note_zh, c->note_zh);
}

TEST(SpotCheckTest, LinearOnlyOnBayes) {
  const OpTableEntry& linear = Row("torch.nn.Linear");
  EXPECT_EQ(FindPrimary("Gemm"), &linear);
  EXPECT_EQ(linear.bernoulli2.supported, Supported::kNo);
  EXPECT_EQ(linear.bayes.supported, Supported::kYes);
  EXPECT_TRUE(FindLimit(linear.bayes, "in_features").Contains(8192));
  EXPECT_FALSE(FindLimit(linear.bayes, "in_features").Contains(8193));
  EXPECT_FALSE(FindLimit(linear.bayes, "out_features").Contains(8193));
  EXPECT_EQ(Support("Gemm", March::kBernoulli2)->supported, Supported::kNo);
}

TEST(SpotCheckTest, SoftmaxTableBasedOnBayesOnly) {
  EXPECT_EQ(Support("Softmax", March::kBernoulli2)->supported, Supported::kNo);
  absl::StatusOr<MarchSupport> c = Support("Softmax", March::kBayes);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->supported, Supported::kYes);
  EXPECT_TRUE(c->table_based);
  EXPECT_THAT(c->input_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
}

TEST(SpotCheckTest, AddInt8OnBernoulli2AndInt16OnBayes) {
  absl::StatusOr<MarchSupport> b = Support("Add", March::kBernoulli2);
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(b->input_dtypes, ElementsAre(DType::kInt8));
  EXPECT_THAT(b->output_dtypes, ElementsAre(DType::kInt8));
  EXPECT_FALSE(FindLimit(*b, "in_channels").Contains(2049));
  absl::StatusOr<MarchSupport> y = Support("Add", March::kBayes);
  ASSERT_TRUE(y.ok());
  EXPECT_THAT(y->input_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
  EXPECT_THAT(y->output_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
  EXPECT_TRUE(HasRule(*y, "broadcast_except_n"));
  EXPECT_TRUE(HasRule(*y, "broadcast_one_input"));
  // add with a scalar: only bayes.
  EXPECT_EQ(Row("torch.add_scalar").bernoulli2.supported, Supported::kNo);
  EXPECT_EQ(Row("torch.add_scalar").ir_ops[0].pattern, "scalar_operand");
}

TEST(SpotCheckTest, InterpolateScaleLimits) {
  absl::StatusOr<MarchSupport> b = Support("Resize", March::kBernoulli2);
  ASSERT_TRUE(b.ok());
  Limit scale = FindLimit(*b, "scale");
  EXPECT_EQ(scale.ToString(), "1/256 < scale <= 256");
  EXPECT_FALSE(scale.Contains(1.0 / 256));
  EXPECT_TRUE(scale.Contains(1.0 / 128));
  EXPECT_TRUE(scale.Contains(256));
  EXPECT_FALSE(scale.Contains(257));
  EXPECT_TRUE(HasRule(*b, "resize_nearest_bilinear"));
  absl::StatusOr<MarchSupport> y = Support("Resize", March::kBayes);
  ASSERT_TRUE(y.ok());
  EXPECT_FALSE(FindLimit(*y, "H").Contains(8193));
  EXPECT_TRUE(HasRule(*y, "resize_nearest_bilinear"));
  // Upsample points to interpolate and copies it.
  const OpTableEntry& up = Row("torch.nn.Upsample");
  EXPECT_EQ(up.bernoulli2.refers_to, "torch.nn.functional.interpolate");
  EXPECT_TRUE(up.bernoulli2.copied_from_reference);
  EXPECT_EQ(up.bernoulli2.limits[0].ToString(), "1/256 < scale <= 256");
}

TEST(SpotCheckTest, PoolingKernelAndStride) {
  absl::StatusOr<MarchSupport> max_b = Support("MaxPool", March::kBernoulli2);
  ASSERT_TRUE(max_b.ok());
  EXPECT_EQ(FindLimit(*max_b, "kernel").ToString(), "1 <= kernel <= 64");
  EXPECT_EQ(FindLimit(*max_b, "stride").ToString(), "1 <= stride <= 256");
  EXPECT_EQ(FindLimit(*max_b, "padding").ToString(), "padding >= 0");
  absl::StatusOr<MarchSupport> max_y = Support("MaxPool", March::kBayes);
  ASSERT_TRUE(max_y.ok());
  EXPECT_EQ(FindLimit(*max_y, "padding").ToString(), "0 <= padding <= 255");
  EXPECT_FALSE(FindLimit(*max_y, "C").Contains(8193));

  absl::StatusOr<MarchSupport> avg_b = Support("AveragePool", March::kBernoulli2);
  ASSERT_TRUE(avg_b.ok());
  EXPECT_EQ(FindLimit(*avg_b, "kernel").ToString(), "1 <= kernel <= 7");
  EXPECT_EQ(FindLimit(*avg_b, "stride").ToString(), "1 <= stride <= 185");
  absl::StatusOr<MarchSupport> avg_y = Support("AveragePool", March::kBayes);
  ASSERT_TRUE(avg_y.ok());
  EXPECT_EQ(FindLimit(*avg_y, "kernel").ToString(), "1 <= kernel <= 256");
  // Global pooling is answered by the pooling row (a documented assumption).
  EXPECT_EQ(FindPrimary("GlobalAveragePool"), FindByVendorName("torch.nn.AvgPool2d"));
  EXPECT_EQ(FindPrimary("GlobalMaxPool"), FindByVendorName("torch.nn.MaxPool2d"));
  EXPECT_EQ(Support("GlobalAveragePool", March::kBernoulli2)->limits[0].ToString(),
            "1 <= kernel <= 7");
  EXPECT_EQ(FindPrimary("Flatten"), FindByVendorName("tensor.reshape"));
}

TEST(SpotCheckTest, LayerNorm) {
  EXPECT_EQ(Support("LayerNormalization", March::kBernoulli2)->supported, Supported::kNo);
  absl::StatusOr<MarchSupport> c = Support("LayerNormalization", March::kBayes);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->table_based);
  EXPECT_THAT(c->output_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
  EXPECT_TRUE(FindLimit(*c, "H*W").Contains(16384));
  EXPECT_FALSE(FindLimit(*c, "normalized_H*W").Contains(16384));
  EXPECT_TRUE(HasRule(*c, "layernorm_rsqrt_kwargs"));
  EXPECT_EQ(FindByVendorName("torch.nn.LayerNorm"), FindByVendorName("torch.nn.Layernorm"));
}

TEST(SpotCheckTest, MatMulDtypes) {
  absl::StatusOr<MarchSupport> b = Support("MatMul", March::kBernoulli2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->supported, Supported::kYes);
  EXPECT_THAT(b->output_dtypes, ElementsAre(DType::kInt8));
  absl::StatusOr<MarchSupport> y = Support("MatMul", March::kBayes);
  ASSERT_TRUE(y.ok());
  EXPECT_THAT(y->input_dtypes, ElementsAre(DType::kInt8));
  EXPECT_THAT(y->output_dtypes, ElementsAre(DType::kInt8, DType::kInt16, DType::kInt32));
  EXPECT_FALSE(FindLimit(*y, "C").Contains(8193));
  EXPECT_FALSE(FindLimit(*y, "N").Contains(4097));
  EXPECT_EQ(FindLimit(*y, "input_bytes").ToString(), "input_bytes < 2^30");
  EXPECT_TRUE(HasRule(*y, "matmul_transpose_b"));
}

TEST(SpotCheckTest, TanhAndSigmoidTableFlags) {
  for (absl::string_view op : {"Tanh", "Sigmoid"}) {
    SCOPED_TRACE(op);
    absl::StatusOr<MarchSupport> b = Support(op, March::kBernoulli2);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->supported, Supported::kYes);
    EXPECT_TRUE(b->table_based);
    absl::StatusOr<MarchSupport> y = Support(op, March::kBayes);
    ASSERT_TRUE(y.ok());
    // The vendor does not mark them table-based on bayes; the flag mirrors the text.
    EXPECT_FALSE(y->table_based);
    EXPECT_THAT(y->input_dtypes, ElementsAre(DType::kInt8, DType::kInt16));
  }
  for (absl::string_view op :
       {"Sqrt", "Atan", "Sin", "Cos", "Pow", "Log", "LeakyRelu", "Softplus", "Elu"}) {
    EXPECT_EQ(Support(op, March::kBernoulli2)->supported, Supported::kNo) << op;
    EXPECT_TRUE(Support(op, March::kBayes)->table_based) << op;
  }
  EXPECT_TRUE(Row("torch.nn.SiLU").bernoulli2.table_based);
}

TEST(SpotCheckTest, MaxAndArgMaxOutputs) {
  absl::StatusOr<MarchSupport> b = Support("ReduceMax", March::kBernoulli2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->model_output_only, ModelOutputOnly::kWholeOp);
  EXPECT_TRUE(HasRule(*b, "max_output_layout"));
  absl::StatusOr<MarchSupport> y = Support("ArgMax", March::kBayes);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->model_output_only, ModelOutputOnly::kIndexOutput);
  EXPECT_EQ(y->refers_to, "torch.max");
  EXPECT_THAT(y->output_dtypes, ElementsAre(DType::kInt8, DType::kInt16, DType::kInt32));
  // torch.min: not on bernoulli2; on bayes "限制同 torch.max"; argmin refers to torch.min.
  const OpTableEntry& argmin = Row("torch.argmin");
  EXPECT_EQ(argmin.bernoulli2.supported, Supported::kNo);
  EXPECT_EQ(argmin.bayes.supported, Supported::kYes);
  EXPECT_EQ(argmin.bayes.model_output_only, ModelOutputOnly::kIndexOutput);
  EXPECT_FALSE(FindLimit(argmin.bayes, "H").Contains(65536));
  // The cell's H <= 65535 replaces the general H <= 65536.
  int h_limits = 0;
  for (const Limit& l : EffectiveLimits(*y)) h_limits += l.name == "H";
  EXPECT_EQ(h_limits, 1);
}

TEST(SpotCheckTest, TrainingOpsAreAbsorbed) {
  for (absl::string_view op : {"Dropout", "Identity", "BatchNormalization"}) {
    for (March m : {March::kBernoulli2, March::kBayes, March::kBayesE}) {
      EXPECT_EQ(Support(op, m)->supported, Supported::kAbsorbed) << op;
    }
  }
  EXPECT_EQ(Row("torch.nn.BatchNorm2d").bayes.refers_to, "torch.nn.Conv2d");
  EXPECT_TRUE(HasRule(Row("torch.nn.BatchNorm2d").bernoulli2, "bn_standalone_as_conv"));
  EXPECT_EQ(Row("torch.nn.Dropout2d").bayes.supported, Supported::kAbsorbed);
}

TEST(SpotCheckTest, ConvTranspose) {
  absl::StatusOr<MarchSupport> b = Support("ConvTranspose", March::kBernoulli2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(FindLimit(*b, "kernel").ToString(), "2 <= kernel <= 14");
  EXPECT_EQ(FindLimit(*b, "stride").ToString(), "2 <= stride <= 4");
  EXPECT_TRUE(HasRule(*b, "padding_le_half_kernel_minus1"));
  absl::StatusOr<MarchSupport> y = Support("ConvTranspose", March::kBayes);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(FindLimit(*y, "output_padding").ToString(), "0 <= output_padding <= 1");
  EXPECT_TRUE(HasRule(*y, "kernel_ge_stride"));
  EXPECT_TRUE(HasRule(*y, "group_divides_weight_n_and_channels"));
}

TEST(SpotCheckTest, DivInt16OnlyAndCeilMagnitude) {
  absl::StatusOr<MarchSupport> div = Support("Div", March::kBayes);
  ASSERT_TRUE(div.ok());
  EXPECT_THAT(div->input_dtypes, ElementsAre(DType::kInt16));
  EXPECT_THAT(div->output_dtypes, ElementsAre(DType::kInt16));
  absl::StatusOr<MarchSupport> ceil = Support("Ceil", March::kBayes);
  ASSERT_TRUE(ceil.ok());
  EXPECT_EQ(FindLimit(*ceil, "input_abs", When::kInt8Input).ToString(),
            "input_abs <= 1000000 (when int8_input)");
  EXPECT_TRUE(FindLimit(*ceil, "input_abs", When::kInt16Input).Contains(1e8));
}

TEST(SpotCheckTest, ClipIsClampAndRelu6IsAnAlias) {
  EXPECT_EQ(FindPrimary("Clip"), FindByVendorName("torch.clamp"));
  EXPECT_EQ(FindByVendorName("tensor.clip"), FindByVendorName("torch.clamp"));
  EXPECT_EQ(Support("Clip", March::kBernoulli2)->supported, Supported::kNo);
  const OpTableEntry& relu6 = Row("torch.nn.ReLU6");
  EXPECT_EQ(relu6.vendor_name, "torch.nn.functional.relu6(fused)");
  ASSERT_EQ(relu6.ir_ops.size(), 1u);
  EXPECT_EQ(relu6.ir_ops[0].op, "Clip");
  EXPECT_EQ(relu6.ir_ops[0].role, IrRole::kAlias);
  EXPECT_EQ(relu6.ir_ops[0].pattern, "relu6");
  EXPECT_EQ(relu6.bernoulli2.supported, Supported::kYes);
}

TEST(SpotCheckTest, CatInputsAndComparisons) {
  absl::StatusOr<MarchSupport> cat = Support("Concat", March::kBayes);
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(FindLimit(*cat, "num_inputs").ToString(), "2 <= num_inputs <= 1024");
  EXPECT_FALSE(FindLimit(*cat, "H*W*C").Contains(65537));
  EXPECT_TRUE(HasRule(*cat, "cat_similar_ranges"));
  for (absl::string_view op : {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"}) {
    EXPECT_EQ(Support(op, March::kBernoulli2)->supported, Supported::kNo) << op;
    EXPECT_THAT(Support(op, March::kBayes)->input_dtypes, ElementsAre(DType::kInt8, DType::kInt16))
        << op;
  }
  EXPECT_EQ(FindPrimary("Greater"), FindByVendorName("torch.greater"));
  EXPECT_EQ(FindByIrOp("Greater").size(),
            4u);  // torch.greater, torch.gt, tensor.greater, tensor.gt
}

TEST(SpotCheckTest, CpuAndFloatRows) {
  const OpTableEntry& dq = Row("torch.quantization.DeQuantStub");
  EXPECT_TRUE(dq.bernoulli2.runs_on_cpu);
  EXPECT_THAT(dq.bayes.output_dtypes, ElementsAre(DType::kFloat32));
  EXPECT_TRUE(EffectiveLimits(dq.bayes).empty());
  const OpTableEntry& rcnn = Row("horizon.nn.RcnnPostProcess");
  EXPECT_EQ(rcnn.bernoulli2.supported, Supported::kNo);
  EXPECT_TRUE(rcnn.bayes.runs_on_cpu);
  const OpTableEntry& qs = Row("horizon.quantization.QuantStub");
  EXPECT_THAT(qs.bernoulli2.input_dtypes, ElementsAre(DType::kFloat32));
  EXPECT_THAT(qs.bernoulli2.output_dtypes, ElementsAre(DType::kInt8));
}

// ---------------------------------------------------------------- general limits

TEST(GeneralLimitsTest, MergeWithCellLimits) {
  EXPECT_THAT(GeneralNoteZh(), HasSubstr("1<=N<=4096"));
  std::map<std::string, std::string> general;
  for (const Limit& l : GeneralLimits()) general[l.name] = l.ToString();
  EXPECT_EQ(general["N"], "1 <= N <= 4096");
  EXPECT_EQ(general["C"], "1 <= C <= 65536");
  EXPECT_EQ(general["rank"], "rank in {4}");
  EXPECT_EQ(general["input_bytes"], "input_bytes < 2^30");

  // add on bayes states no dims: all general limits apply.
  EXPECT_EQ(EffectiveLimits(*Support("Add", March::kBayes)).size(), GeneralLimits().size());
  // Conv3d restates rank, N, C, H, W.
  std::map<std::string, std::string> conv3d;
  for (const Limit& l : EffectiveLimits(Row("torch.nn.Conv3d").bayes))
    conv3d[l.name] = l.ToString();
  EXPECT_EQ(conv3d["rank"], "rank in {5}");
  EXPECT_EQ(conv3d["N"], "N <= 128");
  EXPECT_EQ(conv3d["input_bytes"], "input_bytes < 2^30");
  // Not supported: nothing to check against.
  EXPECT_TRUE(EffectiveLimits(Row("torch.nn.Conv3d").bernoulli2).empty());
}

// ---------------------------------------------------------------- docs/MARCH_OP_TABLE.md

std::string ReadDoc() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string path =
      absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                   workspace != nullptr ? workspace : "openbpu", "/docs/MARCH_OP_TABLE.md");
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DocTest, ListsEveryVendorOpRuleAndLimitName) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty());
  std::set<std::string> rules, limits;
  for (const OpTableEntry& e : OpTable()) {
    EXPECT_THAT(doc, HasSubstr(absl::StrCat("| `", e.vendor_name, "` |")))
        << "docs/MARCH_OP_TABLE.md has no table row for " << e.vendor_name;
    for (March m : {March::kBernoulli2, March::kBayes}) {
      for (const Rule& r : e.For(m).rules) rules.insert(r.id);
      for (const Limit& l : e.For(m).limits) limits.insert(l.name);
    }
  }
  for (const std::string& id : rules) {
    EXPECT_THAT(doc, HasSubstr(absl::StrCat("`", id, "`"))) << "rule " << id;
  }
  for (const std::string& name : limits) {
    EXPECT_THAT(doc, HasSubstr(absl::StrCat("`", name, "`"))) << "limit " << name;
  }
  for (const std::string& op : NotYetInIr()) EXPECT_THAT(doc, HasSubstr(op));
}

}  // namespace
}  // namespace openbpu::march
