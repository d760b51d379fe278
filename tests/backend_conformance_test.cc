// The back-end conformance suite, shaped like IREE's CTS (issue 10): every agreement case
// (compiler/quantization/agreement_cases_*.cc) of an op the back end lowers is quantized for its
// march, compiled at O0 and at O2, and run on the simulator in func and in both mode; every output
// must equal the quantized reference bit for bit. A case the back end cannot compile yet (a
// broadcast form, a rank, an int16 form without an instruction) is counted with its reason; every
// lowered op must compile at least one case. One line per op:
//   conformance: OP cases=N compiled=K elements=E mismatches=0 skipped=S
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/lowering.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/agreement_case_util.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

using test_util::NhwcBytes;

using quantization::AgreementCase;

struct OpStats {
  int cases = 0, compiled = 0;
  int64_t elements = 0, mismatches = 0;
  std::map<std::string, int> skipped;  // reason -> count
  int64_t accumulating_convs = 0;      // tae.conv with accumulate=1 (K-split chunks after the 1st)
};

// Quantizes the case as the agreement test does (MinMax, no fusion, fixed ranges); the op types
// in `int16_ops` get int16 activations whatever the case's dtype (mixed precision).
absl::Status Quantize(AgreementCase& c, bool fuse = false,
                      const std::vector<std::string>& int16_ops = {}) {
  using namespace quantization;  // NOLINT
  const bool int16 = c.activation_dtype == DType::kInt16;
  QConfig qc = *GetDefaultQatQConfig(int16 ? QDType::kQInt16 : QDType::kQInt8);
  qc.activation.observer = ObserverConfig::MinMax();
  QConfigMap map;
  map.SetGlobal(qc);
  for (const std::string& op : int16_ops) {
    QConfig q16 = *GetDefaultQatQConfig(QDType::kQInt16);
    q16.activation.observer = ObserverConfig::MinMax();
    map.SetOpType(op, q16);
  }
  PrepareOptions prepare;
  prepare.fuse = fuse;
  for (const auto& [value, amax] : c.fixed_ranges) {
    prepare.fixed_scales[value] = FixedQuant{
        int16 ? QDType::kQInt16 : QDType::kQInt8, {amax / ((int16 ? 32767.f : 127.f) + 0.5f)}, -1};
  }
  absl::StatusOr<std::unique_ptr<CalibrationState>> state =
      PrepareCalibration(*c.graph, map, prepare);
  if (!state.ok()) return state.status();
  Dataset data;
  if (absl::Status st = data.Add(
          *c.graph, c.calibration_inputs.empty() ? c.inputs : c.calibration_inputs, c.name);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = Calibrate(**state, data, {nullptr}); !st.ok()) return st;
  ConvertOptions convert;
  convert.march = c.march;
  convert.fuse = fuse;
  return Convert(**state, convert).status();
}

void RunCase(AgreementCase& c, OpStats& stats, bool fuse = false,
             const std::vector<std::string>& int16_ops = {}) {
  SCOPED_TRACE(absl::StrCat("case '", c.name, "' ", c.march, " ", DTypeName(c.activation_dtype)));
  ++stats.cases;
  const absl::Status quantized = Quantize(c, fuse, int16_ops);
  ASSERT_TRUE(quantized.ok()) << quantized;
  // Each compiled case runs at O0 and O2, each in func and both mode.
  for (const char* opt : {"O0", "O2"}) {
    backend::CompileOptions options;
    options.march = c.march;
    options.opt = opt;
    absl::StatusOr<backend::CompiledModel> model = backend::Compile(*c.graph, options);
    if (!model.ok()) {
      if (std::string(opt) == "O2") continue;  // counted once, at O0
      // Only "not yet" errors and ops the case's march does not run on its BPU (the op table) may
      // skip a case; anything else is a back-end bug.
      const bool off_table = model.status().code() == absl::StatusCode::kInvalidArgument &&
                             absl::StrContains(model.status().message(), "op table does not run");
      ASSERT_TRUE(model.status().code() == absl::StatusCode::kUnimplemented ||
                  model.status().code() == absl::StatusCode::kResourceExhausted || off_table)
          << model.status();
      std::string reason(model.status().message());
      reason = reason.substr(reason.find(')') == std::string::npos ? 0 : reason.find(')') + 2);
      ++stats.skipped[reason.substr(0, 60)];
      return;
    }
    if (std::string(opt) == "O0") ++stats.compiled;
    for (const isa::Instruction& inst : model->program.instructions) {
      const auto* conv = std::get_if<isa::TaeConv>(&inst.payload);
      if (conv != nullptr && conv->accumulate) ++stats.accumulating_convs;
    }
    absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
        reference::RunQuantizedAllValues(*c.graph, c.inputs);
    ASSERT_TRUE(values.ok()) << values.status();
    absl::StatusOr<const isa::March*> march = isa::FindMarch(c.march);
    ASSERT_TRUE(march.ok());
    for (sim::Mode mode : {sim::Mode::kFunc, sim::Mode::kBoth}) {
      sim::SimulatorOptions so;
      so.run.mode = mode;
      absl::StatusOr<std::unique_ptr<sim::Simulator>> s =
          sim::Simulator::Create(model->program, **march, so);
      ASSERT_TRUE(s.ok()) << s.status();
      for (const backend::TensorDesc& in : model->inputs) {
        ASSERT_TRUE((*s)->WriteRegion(isa::Region::kInput, in.offset,
                                      NhwcBytes(values->at(in.value).tensor))
                        .ok());
      }
      absl::StatusOr<sim::RunResult> run = (*s)->Run();
      ASSERT_TRUE(run.ok()) << sim::ModeName(mode) << ": " << run.status();
      for (const backend::TensorDesc& out : model->outputs) {
        const Tensor& want = values->at(out.value).tensor;
        const std::vector<uint8_t> expected = NhwcBytes(want);
        std::vector<uint8_t> got(out.bytes);
        ASSERT_TRUE((*s)->ReadRegion(isa::Region::kOutput, out.offset, absl::MakeSpan(got)).ok());
        ASSERT_EQ(got.size(), expected.size());
        const size_t es = DTypeSize(want.dtype());
        int64_t bad = 0;
        for (size_t k = 0; k < got.size(); k += es) {
          ++stats.elements;
          bad += std::memcmp(&got[k], &expected[k], es) != 0;
        }
        stats.mismatches += bad;
        EXPECT_EQ(bad, 0) << opt << " " << sim::ModeName(mode) << " output '" << out.name << "'";
      }
    }
  }
}

// The case of a graph built in `ctx` (quantized and run by RunCase); false when it does not build.
bool BuildCase(quantization::CaseContext& ctx, const std::string& name, const std::string& march,
               AgreementCase& c) {
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = ctx.b.Build(/*fold_constants=*/false);
  EXPECT_TRUE(g.ok()) << name << ": " << g.status();
  if (!g.ok()) return false;
  c.name = name;
  c.graph = *std::move(g);
  c.inputs = ctx.inputs;
  c.march = march;
  return true;
}

TEST(BackendConformance, EveryLoweredOpOnTheSimulator) {
  int ops = 0, cases = 0, compiled = 0, skipped = 0;
  int64_t mismatches = 0;
  for (const auto& [op, generator] : quantization::AgreementCaseRegistry()) {
    if (backend::LoweringRegistry::Global().Find(op) == nullptr) continue;
    std::mt19937 rng(20261202);
    std::vector<AgreementCase> generated = generator(rng);
    OpStats stats;
    for (AgreementCase& c : generated) RunCase(c, stats);
    std::string reasons;
    for (const auto& [why, n] : stats.skipped) absl::StrAppend(&reasons, " [", n, "x ", why, "]");
    int skip = 0;
    for (const auto& [why, n] : stats.skipped) skip += n;
    std::printf("conformance: %s cases=%d compiled=%d elements=%lld mismatches=%lld skipped=%d%s\n",
                op.c_str(), stats.cases, stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches), skip, reasons.c_str());
    EXPECT_GT(stats.compiled, 0) << op << " is lowered but compiles none of its cases";
    ++ops;
    cases += stats.cases;
    compiled += stats.compiled;
    skipped += skip;
    mismatches += stats.mismatches;
  }
  std::printf(
      "backend-conformance: %d ops, %d cases, %d compiled (O0 and O2, func and both), "
      "%d skipped, "
      "%lld mismatches\n",
      ops, cases, compiled, skipped, static_cast<long long>(mismatches));
  EXPECT_GT(ops, 10);
}

// Multi-input, multi-output graphs: two inputs, three outputs, one of them (the conv's ReLU) also
// read by later layers, so a model output region buffer feeds the rest of the program.
TEST(BackendConformance, MultiInputMultiOutput) {
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    std::mt19937 rng(7);
    quantization::CaseContext ctx;
    ctx.rng = &rng;
    ir::Value* x = ctx.U({1, 8, 10, 10});
    ir::Value* z = ctx.U({1, 8, 5, 5}, -1.f, 1.f);
    ir::Value* w = ctx.CU({8, 8, 3, 3}, -0.3f, 0.3f);
    ir::Value* conv =
        ctx.b.Op("Conv", {x, w}, frontend::Attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
    ir::Value* relu = ctx.b.Op("Relu", {conv});
    ir::Value* pool = ctx.b.Op("MaxPool", {relu},
                               frontend::Attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                                                {"strides", std::vector<int64_t>{2, 2}}}));
    ir::Value* sum = ctx.b.Op("Add", {pool, z});
    ctx.Out({relu, sum, ctx.b.Op("GlobalAveragePool", {sum})});
    AgreementCase c;
    ASSERT_TRUE(BuildCase(ctx, "two inputs, three outputs", march, c));
    OpStats stats;
    RunCase(c, stats);
    std::printf("conformance: multi-io %s compiled=%d elements=%lld mismatches=%lld\n", march,
                stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, 1) << march;
    // 3 outputs (8x10x10 + 8x5x5 + 8) at O0 and O2, each in func and both mode.
    EXPECT_EQ(stats.elements, 4 * (800 + 200 + 8)) << march;
  }
}

// A BatchNormalization that folds into no convolution (after a concat) becomes a depthwise 1x1
// convolution at fusion, so it is quantized and runs on the BPU instead of in float.
TEST(BackendConformance, LoneBatchNormRunsOnTheBpu) {
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    std::mt19937 rng(11);
    quantization::CaseContext ctx;
    ctx.rng = &rng;
    ir::Value* x = ctx.U({1, 4, 6, 6});
    ir::Value* y = ctx.U({1, 4, 6, 6}, -1.f, 1.f);
    ir::Value* cat = ctx.b.Op("Concat", {x, y}, frontend::Attrs({{"axis", int64_t{1}}}));
    ir::Value* bn =
        ctx.b.Op("BatchNormalization", {cat, ctx.CU({8}, 0.5f, 1.5f), ctx.CU({8}, -0.5f, 0.5f),
                                        ctx.CU({8}, -0.2f, 0.2f), ctx.CU({8}, 0.5f, 2.f)});
    ctx.Out(ctx.b.Op("Relu", {bn}));
    AgreementCase c;
    ASSERT_TRUE(BuildCase(ctx, "concat, batch norm, relu", march, c));
    OpStats stats;
    RunCase(c, stats, /*fuse=*/true);
    int convs = 0;
    for (const auto& n : c.graph->nodes()) {
      EXPECT_NE(n->op(), "BatchNormalization") << "a BatchNormalization stayed in float";
      convs += n->op() == "FusedConv" ? 1 : 0;
    }
    std::printf(
        "conformance: lone batch norm %s compiled=%d depthwise convs=%d elements=%lld "
        "mismatches=%lld\n",
        march, stats.compiled, convs, static_cast<long long>(stats.elements),
        static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, 1) << march;
    EXPECT_EQ(convs, 1) << march;  // the BN and the ReLU fused into one depthwise conv
  }
}

// Data movement larger than one feature SRAM chunk: ShuffleNet's channel shuffle (Reshape,
// Transpose, Reshape), a transpose of H and W, a constant-index Gather of channels and a reshape
// that regroups dimensions, on a 2.4 MB tensor (bayes stages at most 2 MiB per chunk, bayes-e 1).
TEST(BackendConformance, DataMovementBeyondOneChunk) {
  for (const char* march : {"bayes", "bayes-e"}) {
    std::mt19937 rng(13);
    quantization::CaseContext ctx;
    ctx.rng = &rng;
    ir::Value* x = ctx.U({1, 48, 224, 224});
    auto ints = [](std::vector<int64_t> v) { return v; };
    ir::Value* split = ctx.b.Op("Reshape", {x, ctx.C(quantization::I64({1, 2, 24, 224, 224}))});
    ir::Value* swapped =
        ctx.b.Op("Transpose", {split}, frontend::Attrs({{"perm", ints({0, 2, 1, 3, 4})}}));
    ir::Value* shuffled =
        ctx.b.Op("Reshape", {swapped, ctx.C(quantization::I64({1, 48, 224, 224}))});
    ir::Value* hw = ctx.b.Op("Transpose", {x}, frontend::Attrs({{"perm", ints({0, 1, 3, 2})}}));
    ir::Value* picked = ctx.b.Op("Gather", {x, ctx.C(quantization::I64({5, 0, 47, 3, 3}))},
                                 frontend::Attrs({{"axis", int64_t{1}}}));
    ir::Value* regrouped = ctx.b.Op("Reshape", {x, ctx.C(quantization::I64({1, 96, 112, 224}))});
    ctx.Out({shuffled, hw, picked, regrouped});
    AgreementCase c;
    ASSERT_TRUE(BuildCase(ctx, "data movement beyond one chunk", march, c));
    OpStats stats;
    RunCase(c, stats);
    std::printf("conformance: data movement %s compiled=%d elements=%lld mismatches=%lld\n", march,
                stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, 1) << march;
    EXPECT_EQ(stats.elements, 4 * (3 * 48 + 5) * 224 * 224) << march;
  }
}

// K-split: a linear layer over 600,000 features and a 3x3 convolution over 70,000 channels on
// bernoulli2, whose 512 KiB weight SRAM cannot hold one output channel's weights (600,000 and
// 630,000 bytes), and on bayes a linear layer over 25,088 features (VGG's first classifier
// layer: more channels than tae.tile's in_c holds): the input channels go in chunks, each
// chunk's weights loaded in turn and tae.conv accumulating into the same accumulators (ISA.md
// "tae.conv": K may be split).
TEST(BackendConformance, KSplitBeyondTheWeightSram) {
  std::mt19937 rng(5);
  quantization::CaseContext ctx;
  ctx.rng = &rng;
  ir::Value* v = ctx.U({1, 600000});
  ir::Value* fc = ctx.b.Op("Gemm", {v, ctx.CU({3, 600000}, -0.01f, 0.01f), ctx.CU({3}, -1.f, 1.f)},
                           frontend::Attrs({{"transB", int64_t{1}}}));
  ir::Value* x = ctx.U({1, 70000, 3, 3});
  ir::Value* conv = ctx.b.Op("Conv", {x, ctx.CU({3, 70000, 3, 3}, -0.01f, 0.01f)},
                             frontend::Attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ctx.Out({fc, conv});
  AgreementCase c;
  ASSERT_TRUE(BuildCase(ctx, "K-split linear and conv", "bernoulli2", c));
  OpStats stats;
  RunCase(c, stats);
  quantization::CaseContext vgg;
  vgg.rng = &rng;
  ir::Value* flat = vgg.U({1, 25088});
  vgg.Out(vgg.b.Op("Gemm", {flat, vgg.CU({8, 25088}, -0.02f, 0.02f), vgg.CU({8}, -1.f, 1.f)},
                   frontend::Attrs({{"transB", int64_t{1}}})));
  AgreementCase c2;
  ASSERT_TRUE(BuildCase(vgg, "K-split 25088 features", "bayes", c2));
  RunCase(c2, stats);
  std::printf(
      "conformance: K-split bernoulli2 and bayes compiled=%d elements=%lld mismatches=%lld "
      "accumulating tae.conv=%lld (O0 and O2)\n",
      stats.compiled, static_cast<long long>(stats.elements),
      static_cast<long long>(stats.mismatches), static_cast<long long>(stats.accumulating_convs));
  EXPECT_EQ(stats.compiled, 2);
  EXPECT_EQ(stats.elements, 4 * (3 + 27 + 8));
  EXPECT_EQ(stats.mismatches, 0);
  EXPECT_GT(stats.accumulating_convs, 0);
}

// Gather with run-time int64 indices (aae.gather, lower/gather.cc) on the layouts it must
// handle: the channel axis (rows of one element), a spatial axis, the last axis with rank-3
// indices (whose NHWC layout is not row-major), a rank-2 value, a scalar index; negative
// indices everywhere; int8 on bayes, int16 on bayes-e.
TEST(BackendConformance, RuntimeGatherForms) {
  struct Form {
    Shape data;
    int64_t axis;
    Shape indices;
    std::vector<int64_t> values;
  };
  const std::vector<Form> forms = {
      {{2, 6, 3, 4}, 1, {3}, {5, -6, 2}},
      {{2, 3, 5, 4}, 2, {2, 3}, {4, -1, 0, 2, -5, 3}},
      {{3, 4, 5}, -1, {1, 2, 2}, {4, -1, 0, 3}},
      {{4, 6}, 1, {2, 2}, {5, -6, 0, 1}},
      {{5, 3}, 0, {}, {-2}},
      {{2, 7, 3}, 0, {3}, {1, -1, 0}},
  };
  for (const auto& [march, dtype] : {std::pair<const char*, DType>{"bayes", DType::kInt8},
                                     std::pair<const char*, DType>{"bayes-e", DType::kInt16}}) {
    OpStats stats;
    for (const Form& f : forms) {
      std::mt19937 rng(11);
      quantization::CaseContext ctx;
      ctx.rng = &rng;
      ir::Value* data = ctx.U(f.data);
      ir::Value* idx = ctx.In(Tensor::FromVector<int64_t>(f.indices, f.values));
      ctx.Out(ctx.b.Op("Gather", {data, idx}, frontend::Attrs({{"axis", f.axis}})));
      AgreementCase c;
      ASSERT_TRUE(BuildCase(ctx, "run-time gather", march, c));
      c.activation_dtype = dtype;
      RunCase(c, stats);
    }
    std::printf("conformance: run-time gather %s compiled=%d elements=%lld mismatches=%lld\n",
                march, stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, static_cast<int>(forms.size())) << march;
    EXPECT_EQ(stats.mismatches, 0) << march;
  }
}

// A vision transformer's patch embedding: kernel = stride = 32 (and 16 with an input that is not
// a multiple of it), above the TAE's 15, lowered as a 1x1 convolution over DMA-gathered patches.
TEST(BackendConformance, PatchEmbeddingConv) {
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    for (int64_t k : {32, 16}) {
      std::mt19937 rng(17);
      quantization::CaseContext ctx;
      ctx.rng = &rng;
      ir::Value* x = ctx.U({1, 3, 64 + (k == 16 ? 5 : 0), 96});
      ir::Value* w = ctx.CU({24, 3, k, k}, -0.05f, 0.05f);
      ctx.Out(ctx.b.Op("Conv", {x, w, ctx.CU({24}, -0.2f, 0.2f)},
                       frontend::Attrs({{"kernel_shape", std::vector<int64_t>{k, k}},
                                        {"strides", std::vector<int64_t>{k, k}}})));
      AgreementCase c;
      ASSERT_TRUE(BuildCase(ctx, absl::StrCat("patch conv ", k), march, c));
      OpStats stats;
      RunCase(c, stats, /*fuse=*/true);
      std::printf("conformance: patch conv k=%lld %s compiled=%d elements=%lld mismatches=%lld\n",
                  static_cast<long long>(k), march, stats.compiled,
                  static_cast<long long>(stats.elements), static_cast<long long>(stats.mismatches));
      EXPECT_EQ(stats.compiled, 1) << march << " k=" << k;
      EXPECT_EQ(stats.elements, 4 * 24 * (64 / k) * (96 / k)) << march << " k=" << k;
    }
  }
}

// Softmax and LayerNormalization beyond one tile (lower/rows.cc): rows along C in several
// double-buffered row tiles, rows along P with more channels than one vae.cfg holds (channel
// chunks), and a softmax row longer than 16383 (along P, one channel), int8 and int16.
TEST(BackendConformance, RowsBeyondOneTile) {
  struct Form {
    const char* op;
    Shape shape;
    int64_t axis;
  };
  const std::vector<Form> forms = {
      {"Softmax", {1, 64, 128, 160}, 1},
      {"Softmax", {2, 20000}, 1},
      {"LayerNormalization", {2, 20000, 40}, 2},
      {"LayerNormalization", {2, 24, 60, 70}, 1},
  };
  for (DType dtype : {DType::kInt8, DType::kInt16}) {
    OpStats stats;
    for (const Form& f : forms) {
      std::mt19937 rng(23);
      quantization::CaseContext ctx;
      ctx.rng = &rng;
      ir::Value* x = ctx.U(f.shape, -2.f, 2.f);
      ctx.Out(ctx.b.Op(f.op, {x}, frontend::Attrs({{"axis", f.axis}})));
      AgreementCase c;
      ASSERT_TRUE(BuildCase(ctx, absl::StrCat(f.op, " ", ShapeToString(f.shape), " axis ", f.axis),
                            "bayes", c));
      c.activation_dtype = dtype;
      RunCase(c, stats);
    }
    std::printf(
        "conformance: rows beyond one tile bayes %s compiled=%d elements=%lld "
        "mismatches=%lld\n",
        std::string(DTypeName(dtype)).c_str(), stats.compiled,
        static_cast<long long>(stats.elements), static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, static_cast<int>(forms.size())) << DTypeName(dtype);
    EXPECT_EQ(stats.mismatches, 0) << DTypeName(dtype);
  }
}

// FusedLinear on inputs of rank other than 2 (a transformer's [B, L, D] tokens, whose DDR layout
// is [B][D][L]), lowered on the matmul machinery: the bias in the column records, ReLU / ReLU6 in
// their clamps, the residual sumin by vae.requant_sumin; one form whose weights exceed
// bernoulli2's weight SRAM (column tiles). int8 on bernoulli2 and bayes, int16 on bayes-e.
TEST(BackendConformance, LinearBeyondRank2) {
  struct Form {
    Shape x;
    int64_t n;
    const char* act;
    bool sumin;
  };
  const std::vector<Form> forms = {
      {{2, 49, 64}, 48, "relu", false},    {{2, 49, 64}, 64, "none", true},
      {{1, 3, 10, 40}, 24, "relu6", true}, {{40}, 16, "none", false},
      {{1, 40, 700}, 800, "none", true},
  };
  for (const auto& [march, dtype] : {std::pair<const char*, DType>{"bernoulli2", DType::kInt8},
                                     std::pair<const char*, DType>{"bayes", DType::kInt8},
                                     std::pair<const char*, DType>{"bayes-e", DType::kInt16}}) {
    OpStats stats;
    for (const Form& f : forms) {
      std::mt19937 rng(29);
      quantization::CaseContext ctx;
      ctx.rng = &rng;
      const int64_t k = f.x.back();
      const bool positive = std::string(f.act) != "none";
      const float w = (positive ? 0.6f : 1.6f) / std::sqrt(static_cast<float>(k));
      std::vector<ir::Value*> in = {ctx.U(f.x), ctx.CU({f.n, k}, -w, w),
                                    ctx.CU({f.n}, positive ? 0.5f : -0.5f, positive ? 1.f : 0.5f)};
      if (f.sumin) {
        Shape out = f.x;
        out.back() = f.n;
        in.push_back(ctx.U(out, -1.f, 2.f));
      }
      ctx.Out(ctx.b.Op("FusedLinear", in, frontend::Attrs({{"activation", f.act}})));
      AgreementCase c;
      ASSERT_TRUE(BuildCase(ctx,
                            absl::StrCat("FusedLinear ", ShapeToString(f.x), " -> ", f.n, " ",
                                         f.act, f.sumin ? " sumin" : ""),
                            march, c));
      c.activation_dtype = dtype;
      RunCase(c, stats);
    }
    std::printf("conformance: linear beyond rank 2 %s compiled=%d elements=%lld mismatches=%lld\n",
                march, stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, static_cast<int>(forms.size())) << march;
    EXPECT_EQ(stats.mismatches, 0) << march;
  }
}

// Table ops between int8 and int16 (a transformer's GELU with only Erf in int16): an int16 Erf of
// an int8 Tanh (s8 -> s16, then an exact SegmentLUT of the 256-entry table) and an int8 Tanh of
// the Erf (the int16 SegmentLUT, then s16 -> s8), both model outputs, on bayes and bayes-e.
TEST(BackendConformance, MixedPrecisionTables) {
  for (const char* march : {"bayes", "bayes-e"}) {
    OpStats stats;
    for (const Shape& shape : {Shape{2, 5, 7, 9}, Shape{1, 49, 128}}) {
      std::mt19937 rng(31);
      quantization::CaseContext ctx;
      ctx.rng = &rng;
      ir::Value* erf = ctx.b.Op("Erf", {ctx.b.Op("Tanh", {ctx.U(shape, -2.5f, 2.5f)})});
      ctx.Out({erf, ctx.b.Op("Tanh", {erf})});
      AgreementCase c;
      ASSERT_TRUE(
          BuildCase(ctx, absl::StrCat("int8 / int16 tables ", ShapeToString(shape)), march, c));
      RunCase(c, stats, /*fuse=*/false, {"Erf"});
      int mixed = 0;  // the two forms this test is about
      for (const auto& node : c.graph->nodes()) {
        if (node->op() != "Erf" && node->op() != "Tanh") continue;
        const DType in = node->input(0)->type().dtype, out = node->output(0)->type().dtype;
        mixed += (in == DType::kInt8 && out == DType::kInt16 && node->op() == "Erf") ||
                 (in == DType::kInt16 && out == DType::kInt8 && node->op() == "Tanh");
      }
      EXPECT_EQ(mixed, 2);
    }
    std::printf("conformance: int8 / int16 tables %s compiled=%d elements=%lld mismatches=%lld\n",
                march, stats.compiled, static_cast<long long>(stats.elements),
                static_cast<long long>(stats.mismatches));
    EXPECT_EQ(stats.compiled, 2) << march;
    EXPECT_EQ(stats.mismatches, 0) << march;
  }
}

}  // namespace
}  // namespace openbpu
