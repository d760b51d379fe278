// Simulator vs quantized reference (issue 4): one-op float graphs are calibrated, converted and run
// on the quantized reference; a hand-built program computing the same op from the node's typed
// parameters (compiler/ops/qparams.h, packed with isa/records.h) runs on the simulator in `both`
// mode and must match bit for bit.
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/graph.h"
#include "compiler/ops/qparams.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/resize.h"
#include "isa/records.h"
#include "simulator/test_programs.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

using test_util::NhwcBytes;

using frontend::Attrs;
using Ints = std::vector<int64_t>;

// Feature SRAM addresses of the programs (all 16-byte aligned, far apart).
constexpr int kFeatX = 0;
constexpr int kFeatY = 0x10000;
constexpr int kFeatOut = 0x20000;

int Align16(int x) { return (x + 15) / 16 * 16; }

int ESize(DType d) {
  switch (d) {
    case DType::kInt8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    default:
      return 8;
  }
}

const char* DName(DType d) {
  switch (d) {
    case DType::kInt8:
      return "s8";
    case DType::kInt16:
      return "s16";
    case DType::kInt32:
      return "s32";
    default:
      return "s64";
  }
}

// A float graph under construction with its float inputs.
struct Ctx {
  frontend::GraphBuilder b;
  std::vector<Tensor> inputs;
  std::mt19937 rng{1234};

  Tensor Uniform(const Shape& shape, float lo, float hi) {
    std::uniform_real_distribution<float> dist(lo, hi);
    Tensor t(DType::kFloat32, shape);
    for (float& v : t.span<float>()) v = dist(rng);
    return t;
  }
  ir::Value* U(const Shape& shape, float lo, float hi) {
    inputs.push_back(Uniform(shape, lo, hi));
    return b.Input(absl::StrCat("x", inputs.size() - 1), DType::kFloat32, shape);
  }
  ir::Value* CU(const Shape& shape, float lo, float hi) {
    return b.Constant(Uniform(shape, lo, hi));
  }
};

// The converted graph, the node under test ("op") and every value of the reference run.
struct Quantized {
  std::unique_ptr<ir::Graph> graph;
  const ir::Node* node = nullptr;
  std::map<std::string, reference::QuantizedValue> values;

  const Tensor& In(int i) const { return values.at(node->input(i)->name()).tensor; }
  const Tensor& Out() const { return values.at(node->output(0)->name()).tensor; }
  const Tensor& Const(int i) const { return node->input(i)->constant(); }
};

// Builds the graph with `build` (which names the node under test "op"), calibrates it with MinMax
// on its seeded inputs, converts it for `march` with `dtype` activations and runs the reference.
void QuantizeCase(const std::function<void(Ctx&)>& build, const std::string& march, DType dtype,
                  Quantized& q) {
  Ctx c;
  build(c);
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = c.b.Build(/*fold_constants=*/false);
  ASSERT_TRUE(graph.ok()) << graph.status();
  q.graph = *std::move(graph);
  absl::StatusOr<quantization::QConfig> qc = quantization::GetDefaultQatQConfig(
      dtype == DType::kInt16 ? quantization::QDType::kQInt16 : quantization::QDType::kQInt8);
  ASSERT_TRUE(qc.ok()) << qc.status();
  qc->activation.observer = quantization::ObserverConfig::MinMax();
  quantization::QConfigMap map;
  map.SetGlobal(*qc);
  quantization::PrepareOptions prepare;
  prepare.fuse = false;
  absl::StatusOr<std::unique_ptr<quantization::CalibrationState>> state =
      quantization::PrepareCalibration(*q.graph, map, prepare);
  ASSERT_TRUE(state.ok()) << state.status();
  quantization::Dataset data;
  ASSERT_TRUE(data.Add(*q.graph, c.inputs, "case").ok());
  ASSERT_TRUE(quantization::Calibrate(**state, data, {nullptr}).ok());
  quantization::ConvertOptions convert;
  convert.march = march;
  convert.fuse = false;
  absl::StatusOr<quantization::ConvertReport> report = quantization::Convert(**state, convert);
  ASSERT_TRUE(report.ok()) << report.status();
  q.node = q.graph->FindNode("op");
  ASSERT_NE(q.node, nullptr);
  ASSERT_TRUE(reference::RunsQuantized(*q.node));
  absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
      reference::RunQuantizedAllValues(*q.graph, c.inputs);
  ASSERT_TRUE(values.ok()) << values.status();
  q.values = *std::move(values);
}

// Little-endian bytes of integer `v` as `esize`-byte elements.
void PutInt(std::vector<uint8_t>& out, int64_t v, int esize) {
  for (int i = 0; i < esize; ++i)
    out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}

// Dense NHWC bytes of an integer [1][C][H][W] tensor.
// Builds the program text of one case step by step.
struct Program {
  std::string march;
  std::string text;
  std::vector<uint8_t> input, params;
  int loads = 0;

  // DMA of a dense NHWC [H][W][C] tensor at DDR input `offset` to feature SRAM `dst` (pixel pitch
  // align16(C * esize)); signals semaphore 1.
  void LoadFeature(int dst, int offset, int h, int w, int c, int esize) {
    absl::StrAppend(&text, "load.shape elem=", esize, " n0=", c, " n1=", w, " n2=", h, "\n",
                    "load.stride ddr_s1=", c * esize, " ddr_s2=", w * c * esize,
                    " sram_s1=", Align16(c * esize), " sram_s2=", w * Align16(c * esize), "\n",
                    "load dst_space=feature dst=", dst, " region=input offset=", offset,
                    " signal=1\n");
    ++loads;
  }
  // Appends `t` (NCHW) to the DDR input and loads it.
  void LoadTensor(int dst, const Tensor& t) {
    const int offset = static_cast<int>(input.size());
    const std::vector<uint8_t> bytes = NhwcBytes(t);
    input.insert(input.end(), bytes.begin(), bytes.end());
    while (input.size() % 16) input.push_back(0);
    LoadFeature(dst, offset, static_cast<int>(t.dim(2)), static_cast<int>(t.dim(3)),
                static_cast<int>(t.dim(1)), ESize(t.dtype()));
  }
  // Appends `bytes` to the param blob (16-byte aligned) and returns their offset.
  int AddParams(const std::vector<uint8_t>& bytes) {
    while (params.size() % 16) params.push_back(0);
    const int at = static_cast<int>(params.size());
    params.insert(params.end(), bytes.begin(), bytes.end());
    return at;
  }
  // Loads the whole param blob to `space` at 0 (so param offsets are SRAM addresses).
  void LoadParams(const char* space) {
    while (params.size() % 16 || params.empty()) params.push_back(0);
    absl::StrAppend(&text, "load.shape elem=1 n0=16 n1=", params.size() / 16, " n2=1\n",
                    "load.stride ddr_s1=16 ddr_s2=0 sram_s1=16 sram_s2=0\n",
                    "load dst_space=", space, " dst=0 region=param offset=0 signal=1\n");
    ++loads;
  }
  // Makes `unit` wait for every load so far (pops semaphore 1 once per load).
  void WaitLoads(const char* unit) {
    for (; loads >= 2; loads -= 2) absl::StrAppend(&text, "sync unit=", unit, " wait=1,1\n");
    if (loads == 1) absl::StrAppend(&text, "sync unit=", unit, " wait=1\n");
    loads = 0;
  }
  // Stores [H][W][C] of esize at feature `src` densely to DDR output 0, after semaphore `wait`.
  void StoreFeature(int src, int h, int w, int c, int esize, int wait, int offset = 0) {
    absl::StrAppend(&text, "store.shape elem=", esize, " n0=", c, " n1=", w, " n2=", h, "\n",
                    "store.stride ddr_s1=", c * esize, " ddr_s2=", w * c * esize,
                    " sram_s1=", Align16(c * esize), " sram_s2=", w * Align16(c * esize), "\n",
                    "store src_space=feature src=", src, " region=output offset=", offset,
                    " wait=", wait, "\n");
  }
};

// Runs `p` in both mode and compares the DDR output with the reference output `expected` (NCHW).
void RunAndCompare(const std::string& name, Program& p, const Tensor& expected) {
  sim::testing::TestProgram t;
  t.name = name;
  const std::vector<uint8_t> want = NhwcBytes(expected);
  t.assembly =
      absl::StrCat(".march ", p.march, "\n.ddr input=", std::max<size_t>(16, p.input.size()),
                   " output=", want.size(), " scratch=0\n", p.text, "end\n");
  t.params = p.params;
  t.input = p.input;
  if (t.input.empty()) t.input.assign(16, 0);
  absl::StatusOr<sim::testing::Outcome> out = sim::testing::RunTestProgram(t, sim::Mode::kBoth);
  ASSERT_TRUE(out.ok()) << name << ": " << out.status() << "\n" << t.assembly;
  ASSERT_EQ(out->output.size(), want.size());
  const int esize = ESize(expected.dtype());
  const int64_t elems = expected.num_elements();
  int64_t mismatches = 0;
  for (int64_t i = 0; i < elems; ++i) {
    bool same = true;
    for (int b = 0; b < esize; ++b)
      same = same && out->output[i * esize + b] == want[i * esize + b];
    if (!same && mismatches++ < 5) {
      int64_t got = 0, exp = 0;
      for (int b = esize - 1; b >= 0; --b) {
        got = (got << 8) | out->output[i * esize + b];
        exp = (exp << 8) | want[i * esize + b];
      }
      ADD_FAILURE() << name << ": NHWC element " << i << " simulator " << got << " reference "
                    << exp << " (raw, " << esize << " bytes)";
    }
  }
  // A degenerate output (all zero, or saturated to a few values) would prove little.
  int64_t nonzero = 0, max_abs = 0;
  for (int64_t v : expected.ToInt64Vector()) {
    nonzero += v != 0;
    max_abs = std::max<int64_t>(max_abs, v < 0 ? -v : v);
  }
  EXPECT_GE(max_abs, 32) << name << ": degenerate reference output";
  EXPECT_GE(nonzero * 2, elems) << name << ": degenerate reference output";
  std::printf("sim-vs-reference: %s elems=%lld mismatches=%lld\n", name.c_str(),
              static_cast<long long>(elems), static_cast<long long>(mismatches));
  EXPECT_EQ(mismatches, 0) << name;
}

// The node's typed parameters (compiler/ops/qparams.h), the ones a lowering will pack.
template <typename T>
T Params(const ir::Node& node) {
  absl::StatusOr<T> p = ops::qparams::Load<T>(node);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : T{};
}

// ------------------------------------------------------------------------- conv

struct ConvCase {
  std::string name, march = "bayes";
  DType dtype = DType::kInt8;
  int64_t c = 8, m = 8, h = 9, w = 9, k = 3, stride = 1, pad = 1;
  std::string activation = "relu";
  bool sumin = false;
  // > 0: stride 1 only, the output is computed in tiles of this many rows, each input tile loaded
  // with the DMA adding the zero padding (the way the back end tiles a layer).
  int64_t tile_rows = 0;
};

// The tiled form of RunConvCase's program: per tile, a padded input load, a conv without padding,
// a requantize and a store of its output rows (separate buffers per tile, so no reuse hazards).
void AppendTiledConv(const ConvCase& s, Program& p, int w_at, int r_at, DType out_dtype) {
  const int es = ESize(s.dtype), oes = ESize(out_dtype);
  const int pitch = Align16(static_cast<int>(s.c) * es);
  absl::StrAppend(&p.text, "tae.kernel kernel_h=", s.k, " kernel_w=", s.k, "\n");
  const char* acc_dtype = s.dtype == DType::kInt16 ? "s64" : "s32";
  absl::StrAppend(&p.text, "vae.cfg pixels=", s.tile_rows * s.w, " channels=", s.m,
                  " x_dtype=", acc_dtype, " out_dtype=", DName(out_dtype), "\n");
  for (int64_t tile = 0; tile * s.tile_rows < s.h; ++tile) {
    const int64_t first = tile * s.tile_rows - s.pad;
    const int64_t last = tile * s.tile_rows + s.tile_rows - 1 + (s.k - 1 - s.pad);
    const int64_t pad_top = std::max<int64_t>(0, -first);
    const int64_t pad_bottom = std::max<int64_t>(0, last - (s.h - 1));
    const int64_t rows = last - first + 1 - pad_top - pad_bottom;
    const int64_t in_h = last - first + 1, in_w = s.w + 2 * s.pad;
    const int buf = static_cast<int>(tile) * 0x4000;
    absl::StrAppend(
        &p.text, "load.shape elem=", es, " n0=", s.c, " n1=", s.w, " n2=", rows,
        " pad_top=", pad_top, " pad_bottom=", pad_bottom, " pad_left=", s.pad, " pad_right=", s.pad,
        "\n", "load.stride ddr_s1=", s.c * es, " ddr_s2=", s.w * s.c * es, " sram_s1=", pitch,
        " sram_s2=", in_w * pitch, "\n", "load dst_space=feature dst=", kFeatX + buf,
        " region=input offset=", std::max<int64_t>(first, 0) * s.w * s.c * es, " signal=1\n");
    absl::StrAppend(&p.text, "tae.tile in_h=", in_h, " in_w=", in_w, " in_c=", s.c, " out_c=", s.m,
                    " in_dtype=", DName(s.dtype), "\n");
    absl::StrAppend(&p.text, "tae.conv in=", kFeatX + buf, " weight=", w_at, " acc=", buf,
                    " wait=1 signal=2\n");
    absl::StrAppend(&p.text, "vae.requant src=", buf, " dst=", kFeatOut + buf, " param=", r_at,
                    " wait=2 signal=3\n");
    p.StoreFeature(kFeatOut + buf, static_cast<int>(s.tile_rows), static_cast<int>(s.w),
                   static_cast<int>(s.m), oes, 3,
                   static_cast<int>(tile * s.tile_rows * s.w * s.m * oes));
  }
}

void RunConvCase(const ConvCase& s) {
  const int64_t oh = (s.h + 2 * s.pad - s.k) / s.stride + 1;
  const int64_t ow = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  Quantized q;
  QuantizeCase(
      [&](Ctx& c) {
        ir::Value* x = c.U({1, s.c, s.h, s.w}, -2.f, 2.f);
        ir::Value* w = c.CU({s.m, s.c, s.k, s.k}, -0.2f, 0.2f);
        ir::Value* bias = c.CU({s.m}, 0.5f, 1.5f);
        std::vector<ir::Value*> in = {x, w, bias};
        if (s.sumin) in.push_back(c.U({1, s.m, oh, ow}, -1.f, 3.f));
        ir::AttributeMap attrs = Attrs(
            {{"strides", Ints{s.stride, s.stride}}, {"pads", Ints{s.pad, s.pad, s.pad, s.pad}}});
        attrs.Set("activation", s.activation);
        c.b.Output(c.b.Op("FusedConv", in, attrs, "op"));
      },
      s.march, s.dtype, q);
  if (::testing::Test::HasFatalFailure()) return;
  const Tensor& x = q.In(0);
  const Tensor& out = q.Out();
  ASSERT_EQ(x.dtype(), s.dtype);
  ASSERT_EQ(out.dim(2), oh);
  const DType out_dtype = out.dtype();

  Program p;
  p.march = s.march;
  // Weights: ONNX [M][C][kh][kw] -> [M][kh][kw][C] int8, then one RequantParam per channel.
  const Tensor& wt = q.Const(1);
  ASSERT_EQ(wt.dtype(), DType::kInt8);
  const std::vector<int64_t> wv = wt.ToInt64Vector();
  std::vector<uint8_t> wbytes;
  for (int64_t o = 0; o < s.m; ++o)
    for (int64_t ky = 0; ky < s.k; ++ky)
      for (int64_t kx = 0; kx < s.k; ++kx)
        for (int64_t ci = 0; ci < s.c; ++ci)
          PutInt(wbytes, wv[((o * s.c + ci) * s.k + ky) * s.k + kx], 1);
  const int w_at = p.AddParams(wbytes);
  const std::vector<int64_t> bias = q.Const(2).ToInt64Vector();
  const auto requant = Params<ops::qparams::Requant>(*q.node);
  ASSERT_EQ(requant.channels.size(), static_cast<size_t>(s.m));
  std::vector<uint8_t> rbytes(s.m * isa::kRequantParamBytes);
  for (int64_t o = 0; o < s.m; ++o) {
    isa::RequantParam r = requant.channels[o];
    r.bias = static_cast<int32_t>(bias[o]);  // input B, folded into the record by the lowering
    isa::PackRequantParam(r, rbytes.data() + o * isa::kRequantParamBytes);
  }
  const int r_at = p.AddParams(rbytes);
  p.LoadParams("weight");
  if (s.tile_rows > 0) {
    ASSERT_EQ(s.stride, 1);
    ASSERT_FALSE(s.sumin);
    ASSERT_EQ(s.h % s.tile_rows, 0);
    p.input = NhwcBytes(x);
    p.WaitLoads("tae");
    AppendTiledConv(s, p, w_at, r_at, out_dtype);
    RunAndCompare(s.name, p, out);
    return;
  }
  p.LoadTensor(kFeatX, x);
  if (s.sumin) {
    ASSERT_EQ(q.In(3).dtype(), out_dtype);
    p.LoadTensor(kFeatY, q.In(3));
  }
  p.WaitLoads("tae");
  absl::StrAppend(&p.text, "tae.kernel kernel_h=", s.k, " kernel_w=", s.k, " stride_h=", s.stride,
                  " stride_w=", s.stride, " pad_top=", s.pad, " pad_bottom=", s.pad,
                  " pad_left=", s.pad, " pad_right=", s.pad, "\n");
  absl::StrAppend(&p.text, "tae.tile in_h=", s.h, " in_w=", s.w, " in_c=", s.c, " out_c=", s.m,
                  " in_dtype=", DName(s.dtype), "\n");
  absl::StrAppend(&p.text, "tae.conv in=", kFeatX, " weight=", w_at, " acc=0 signal=2\n");
  const char* acc_dtype = s.dtype == DType::kInt16 ? "s64" : "s32";
  absl::StrAppend(&p.text, "vae.cfg pixels=", oh * ow, " channels=", s.m, " x_dtype=", acc_dtype,
                  " y_dtype=", DName(out_dtype), " out_dtype=", DName(out_dtype), "\n");
  if (s.sumin) {
    absl::StrAppend(&p.text, "vae.requant_sumin src=0 dst=", kFeatOut, " param=", r_at,
                    " sumin=", kFeatY, " wait=2 signal=3\n");
  } else {
    absl::StrAppend(&p.text, "vae.requant src=0 dst=", kFeatOut, " param=", r_at,
                    " wait=2 signal=3\n");
  }
  p.StoreFeature(kFeatOut, oh, ow, s.m, ESize(out_dtype), 3);
  RunAndCompare(s.name, p, out);
}

TEST(SimVsReference, FusedConv3x3Relu) {
  ConvCase s;
  s.name = "fusedconv3x3_relu_bayes_int8";
  RunConvCase(s);
  s.name = "fusedconv3x3_relu_bernoulli2_int8";
  s.march = "bernoulli2";
  RunConvCase(s);
}

TEST(SimVsReference, FusedConvRelu6Stride2BayesE) {
  ConvCase s;
  s.name = "fusedconv3x3_stride2_relu6_bayes-e_int8";
  s.march = "bayes-e";
  s.stride = 2;
  s.activation = "relu6";
  s.m = 20;  // two 16-byte channel groups in every pitch
  RunConvCase(s);
}

TEST(SimVsReference, FusedConvTiledWithDmaPadding) {
  ConvCase s;
  s.name = "fusedconv3x3_tiled_relu_bayes_int8";
  s.c = 16;
  s.m = 24;
  s.h = 16;
  s.w = 12;
  s.tile_rows = 4;
  RunConvCase(s);
  s.name = "fusedconv3x3_tiled_relu_bayes_int16";
  s.dtype = DType::kInt16;
  RunConvCase(s);
}

TEST(SimVsReference, FusedConvSuminRelu) {
  ConvCase s;
  s.name = "fusedconv3x3_sumin_relu_bayes_int8";
  s.sumin = true;
  RunConvCase(s);
  s.name = "fusedconv1x1_sumin_none_bernoulli2_int8";
  s.march = "bernoulli2";
  s.k = 1;
  s.pad = 0;
  s.m = 16;
  s.activation = "none";
  RunConvCase(s);
}

TEST(SimVsReference, FusedConvInt16Bayes) {
  ConvCase s;
  s.name = "fusedconv3x3_relu_bayes_int16";
  s.dtype = DType::kInt16;
  RunConvCase(s);
  s.name = "fusedconv3x3_stride2_sumin_bayes_int16";
  s.stride = 2;
  s.sumin = true;
  s.activation = "none";
  RunConvCase(s);
}

// -------------------------------------------------------------------------- add

void RunAddCase(const std::string& name, const std::string& march, DType dtype,
                const std::string& op = "Add") {
  const int64_t c = 16, h = 6, w = 6;
  Quantized q;
  QuantizeCase(
      [&](Ctx& ctx) {
        ir::Value* a = ctx.U({1, c, h, w}, -2.f, 2.f);
        ir::Value* b = ctx.U({1, c, h, w}, -0.3f, 0.5f);
        ctx.b.Output(ctx.b.Op(op, {a, b}, {}, "op"));
      },
      march, dtype, q);
  if (::testing::Test::HasFatalFailure()) return;
  const auto add = Params<ops::qparams::Add>(*q.node);
  std::vector<uint8_t> rec(isa::kEltwiseParamBytes);
  const char* opcode;
  if (const auto* b2 = std::get_if<numerics::Bernoulli2AddParams>(&add.params)) {
    isa::PackBernoulli2Add(*b2, rec.data());
    opcode = "vae.add_b2";
  } else {
    isa::PackBayesAdd(std::get<numerics::BayesAddParams>(add.params), rec.data());
    opcode = op == "Sub" ? "vae.sub" : "vae.add";
  }
  Program p;
  p.march = march;
  const int r_at = p.AddParams(rec);
  p.LoadParams("weight");
  p.LoadTensor(kFeatX, q.In(0));
  p.LoadTensor(kFeatY, q.In(1));
  p.WaitLoads("vae");
  const DType od = q.Out().dtype();
  absl::StrAppend(&p.text, "vae.cfg pixels=", h * w, " channels=", c,
                  " x_dtype=", DName(q.In(0).dtype()), " y_dtype=", DName(q.In(1).dtype()),
                  " out_dtype=", DName(od), "\n");
  absl::StrAppend(&p.text, opcode, " x=", kFeatX, " y=", kFeatY, " dst=", kFeatOut, " param=", r_at,
                  " signal=3\n");
  p.StoreFeature(kFeatOut, h, w, c, ESize(od), 3);
  RunAndCompare(name, p, q.Out());
}

TEST(SimVsReference, BayesAdd) {
  RunAddCase("add_bayes_int8", "bayes", DType::kInt8);
  RunAddCase("add_bayes_int16", "bayes", DType::kInt16);
}

TEST(SimVsReference, SubBothMarches) {
  RunAddCase("sub_bayes_int8", "bayes", DType::kInt8, "Sub");
  RunAddCase("sub_bernoulli2_int8", "bernoulli2", DType::kInt8, "Sub");
}

TEST(SimVsReference, Bernoulli2Add) {
  RunAddCase("add_bernoulli2_int8", "bernoulli2", DType::kInt8);
}

// ---------------------------------------------------------------------- sigmoid

void RunSigmoidCase(const std::string& name, const std::string& march, DType dtype) {
  const int64_t c = 8, h = 4, w = 8;
  Quantized q;
  QuantizeCase(
      [&](Ctx& ctx) {
        ctx.b.Output(ctx.b.Op("Sigmoid", {ctx.U({1, c, h, w}, -6.f, 6.f)}, {}, "op"));
      },
      march, dtype, q);
  if (::testing::Test::HasFatalFailure()) return;
  Program p;
  p.march = march;
  std::vector<uint8_t> image;
  const char* opcode;
  const auto table = Params<ops::qparams::Table>(*q.node);
  if (dtype == DType::kInt8) {
    for (int32_t e : table.lut) PutInt(image, e, 1);
    ASSERT_EQ(image.size(), 256u);
    opcode = "vae.lut8";
  } else {
    ASSERT_TRUE(table.segment.has_value());
    image = isa::PackSegmentLutImage(*table.segment);
    ASSERT_EQ(image.size(), static_cast<size_t>(isa::kSegmentLutImageBytes));
    opcode = "vae.lut16";
  }
  const int t_at = p.AddParams(image);
  p.LoadParams("lut");
  p.LoadTensor(kFeatX, q.In(0));
  p.WaitLoads("vae");
  absl::StrAppend(&p.text, "vae.cfg pixels=", h * w, " channels=", c, " x_dtype=", DName(dtype),
                  " out_dtype=", DName(dtype), "\n");
  absl::StrAppend(&p.text, opcode, " x=", kFeatX, " dst=", kFeatOut, " table=", t_at,
                  " signal=3\n");
  p.StoreFeature(kFeatOut, h, w, c, ESize(dtype), 3);
  RunAndCompare(name, p, q.Out());
}

TEST(SimVsReference, SigmoidInt8Lut) {
  RunSigmoidCase("sigmoid_lut8_bayes_int8", "bayes", DType::kInt8);
  RunSigmoidCase("sigmoid_lut8_bernoulli2_int8", "bernoulli2", DType::kInt8);
}

TEST(SimVsReference, SigmoidInt16SegmentLut) {
  RunSigmoidCase("sigmoid_segmentlut_bayes_int16", "bayes", DType::kInt16);
}

// ---------------------------------------------------------------------- pooling

struct PoolCase {
  std::string name, op, march = "bayes";
  DType dtype = DType::kInt8;
  int64_t c = 8, h = 9, w = 9, k = 3, stride = 2, pad = 1;
  bool count_include_pad = false;
};

void RunPoolCase(const PoolCase& s) {
  Quantized q;
  QuantizeCase(
      [&](Ctx& ctx) {
        ir::Value* x = ctx.U({1, s.c, s.h, s.w}, -2.f, 2.f);
        ir::AttributeMap attrs;
        if (s.op != "GlobalAveragePool") {
          attrs = Attrs({{"kernel_shape", Ints{s.k, s.k}},
                         {"strides", Ints{s.stride, s.stride}},
                         {"pads", Ints{s.pad, s.pad, s.pad, s.pad}}});
          if (s.op == "AveragePool")
            attrs.Set("count_include_pad", int64_t{s.count_include_pad ? 1 : 0});
        }
        ctx.b.Output(ctx.b.Op(s.op, {x}, attrs, "op"));
      },
      s.march, s.dtype, q);
  if (::testing::Test::HasFatalFailure()) return;
  const Tensor& out = q.Out();
  const int64_t oh = out.dim(2), ow = out.dim(3);
  Program p;
  p.march = s.march;
  std::string inst;
  const DType od = out.dtype();
  if (s.op == "MaxPool") {
    inst = absl::StrCat("aae.maxpool src=", kFeatX, " dst=", kFeatOut);
  } else {
    std::vector<uint8_t> recs;
    for (const numerics::RequantizeRecord& r : Params<ops::qparams::Divisors>(*q.node).records) {
      recs.resize(recs.size() + isa::kRecordBytes);
      isa::PackRecord(r, recs.data() + recs.size() - isa::kRecordBytes);
    }
    const int r_at = p.AddParams(recs);
    p.LoadParams("weight");
    if (s.op == "AveragePool") {
      inst = absl::StrCat("aae.avgpool src=", kFeatX, " dst=", kFeatOut, " param=", r_at,
                          " count_include_pad=", s.count_include_pad ? 1 : 0);
    } else {
      inst =
          absl::StrCat("aae.reduce op=sum axes=3 src=", kFeatX, " dst=", kFeatOut, " param=", r_at);
    }
  }
  p.LoadTensor(kFeatX, q.In(0));
  p.WaitLoads("aae");
  if (s.op == "GlobalAveragePool") {
    absl::StrAppend(&p.text, "aae.win kernel_h=1 kernel_w=1\n");
  } else {
    absl::StrAppend(&p.text, "aae.win kernel_h=", s.k, " kernel_w=", s.k, " stride_h=", s.stride,
                    " stride_w=", s.stride, " pad_top=", s.pad, " pad_bottom=", s.pad,
                    " pad_left=", s.pad, " pad_right=", s.pad, "\n");
  }
  absl::StrAppend(&p.text, "aae.tile in_h=", s.h, " in_w=", s.w, " channels=", s.c, " out_h=", oh,
                  " out_w=", ow, " in_dtype=", DName(s.dtype), " out_dtype=", DName(od), "\n");
  absl::StrAppend(&p.text, inst, " signal=3\n");
  p.StoreFeature(kFeatOut, oh, ow, s.c, ESize(od), 3);
  RunAndCompare(s.name, p, out);
}

TEST(SimVsReference, MaxPool3x3Stride2) {
  PoolCase s;
  s.op = "MaxPool";
  s.name = "maxpool3x3s2_bayes_int8";
  RunPoolCase(s);
  s.name = "maxpool3x3s2_bayes_int16";
  s.dtype = DType::kInt16;
  RunPoolCase(s);
}

TEST(SimVsReference, AveragePool) {
  PoolCase s;
  s.op = "AveragePool";
  s.name = "avgpool3x3s2_exclude_pad_bayes_int8";
  RunPoolCase(s);
  s.name = "avgpool3x3s2_include_pad_bernoulli2_int8";
  s.count_include_pad = true;
  s.march = "bernoulli2";
  RunPoolCase(s);
  s.name = "avgpool3x3s2_exclude_pad_bayes_int16";
  s.count_include_pad = false;
  s.march = "bayes";
  s.dtype = DType::kInt16;
  RunPoolCase(s);
}

TEST(SimVsReference, GlobalAveragePool) {
  PoolCase s;
  s.op = "GlobalAveragePool";
  s.name = "globalavgpool_bayes_int8";
  s.c = 16;
  s.h = 7;
  s.w = 7;
  RunPoolCase(s);
  s.name = "globalavgpool_bayes_int16";
  s.dtype = DType::kInt16;
  RunPoolCase(s);
}

// ----------------------------------------------------------------------- resize

void RunResizeCase(const std::string& name, const std::string& mode, DType dtype) {
  const int64_t c = 8, h = 5, w = 6, oh = 10, ow = 12;
  Quantized q;
  QuantizeCase(
      [&](Ctx& ctx) {
        ir::Value* x = ctx.U({1, c, h, w}, -2.f, 2.f);
        ir::Value* scales =
            ctx.b.Constant(Tensor::FromVector<float>({4}, std::vector<float>{1.f, 1.f, 2.f, 2.f}));
        ctx.b.Output(ctx.b.Op(
            "Resize", {x, nullptr, scales},
            Attrs({{"mode", mode}, {"coordinate_transformation_mode", std::string("half_pixel")}}),
            "op"));
      },
      "bayes", dtype, q);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_EQ(q.Out().dim(2), oh);
  ASSERT_EQ(q.Out().dim(3), ow);
  Program p;
  p.march = "bayes";
  const auto coord = numerics::ResizeCoordinateMode::kHalfPixel;
  std::vector<uint8_t> table;
  const char* opcode;
  if (mode == "linear") {
    const auto resize = Params<ops::qparams::Resize>(*q.node);
    ASSERT_EQ(resize.weight_frac_bits, 32);
    table = isa::PackResizeLinearTable(resize.output, numerics::LinearTapTable(coord, h, oh, 2.0),
                                       numerics::LinearTapTable(coord, w, ow, 2.0));
    opcode = "aae.resize_linear";
  } else {
    const auto rounding = numerics::NearestMode::kRoundPreferFloor;
    table = isa::PackResizeNearestTable(numerics::NearestIndexTable(coord, rounding, h, oh, 2.0),
                                        numerics::NearestIndexTable(coord, rounding, w, ow, 2.0));
    opcode = "aae.resize_nearest";
  }
  const int t_at = p.AddParams(table);
  p.LoadParams("weight");
  p.LoadTensor(kFeatX, q.In(0));
  p.WaitLoads("aae");
  const DType od = q.Out().dtype();
  absl::StrAppend(&p.text, "aae.win kernel_h=1 kernel_w=1\n");
  absl::StrAppend(&p.text, "aae.tile in_h=", h, " in_w=", w, " channels=", c, " out_h=", oh,
                  " out_w=", ow, " in_dtype=", DName(dtype), " out_dtype=", DName(od), "\n");
  absl::StrAppend(&p.text, opcode, " src=", kFeatX, " dst=", kFeatOut, " table=", t_at,
                  " signal=3\n");
  p.StoreFeature(kFeatOut, oh, ow, c, ESize(od), 3);
  RunAndCompare(name, p, q.Out());
}

TEST(SimVsReference, ResizeBilinear) {
  RunResizeCase("resize_bilinear_x2_bayes_int8", "linear", DType::kInt8);
  RunResizeCase("resize_bilinear_x2_bayes_int16", "linear", DType::kInt16);
}

TEST(SimVsReference, ResizeNearest) {
  RunResizeCase("resize_nearest_x2_bayes_int8", "nearest", DType::kInt8);
}

}  // namespace
}  // namespace openbpu
