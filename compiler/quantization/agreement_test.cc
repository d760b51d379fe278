// The per-op agreement harness (docs/NUMERICS.md "What correct means"): for every op with integer
// semantics, each registered case is calibrated (MinMax), converted, run on the quantized
// reference and compared with the float graph run on the dequantized integer inputs (and
// dequantized constants), fake-quantized with the output scale.
//
// Every kArithmetic op also has saturation cases, calibrated on a narrower range than they run
// on (AgreementCase::calibration_inputs / fixed_ranges): inputs are clipped at the border and
// outputs at the int limits; the same bounds hold, and the harness checks that they saturate.
//
// Environment: OPENBPU_AGREEMENT_OPS=Relu,Add restricts the ops run (the coverage check always
// runs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/op_registry.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/quantization/quant_tensor.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

std::set<std::string> OpFilter() {
  const char* env = std::getenv("OPENBPU_AGREEMENT_OPS");
  std::set<std::string> ops;
  if (env == nullptr || *env == '\0') return ops;
  for (absl::string_view s : absl::StrSplit(env, ',', absl::SkipEmpty())) ops.emplace(s);
  return ops;
}

std::vector<std::string> QuantizedOps() {
  std::vector<std::string> ops;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    if (ir::OpRegistry::Global().Find(name)->qkind != ir::QuantKind::kNone) ops.push_back(name);
  }
  return ops;
}

TEST(AgreementTest, EveryQuantizedOpHasCases) {
  std::vector<std::string> missing;
  for (const std::string& op : QuantizedOps()) {
    if (!AgreementCaseRegistry().count(op)) missing.push_back(op);
  }
  EXPECT_TRUE(missing.empty()) << "quantized ops without agreement cases: "
                               << absl::StrJoin(missing, ", ");
  std::vector<std::string> stale;
  for (const auto& [op, gen] : AgreementCaseRegistry()) {
    const ir::OpSchema* s = ir::OpRegistry::Global().Find(op);
    if (s == nullptr || s->qkind == ir::QuantKind::kNone) stale.push_back(op);
  }
  EXPECT_TRUE(stale.empty()) << "agreement cases for ops without integer semantics: "
                             << absl::StrJoin(stale, ", ");
}

struct Stats {
  int cases = 0;
  int64_t elems = 0;
  int64_t within1 = 0;
  int64_t exact = 0;
  int64_t max_lsb = 0;
  int max_lsb_bound = 0;
  // Saturation cases: float input elements the border QuantizeLinear clipped, and output elements
  // whose float value the output range clips, both by more than 1 LSB (see BeyondRange); of those
  // outputs, how many the kernel returned exactly at the int limit.
  int64_t in_clipped = 0;
  int64_t out_clipped = 0;
  int64_t out_at_limit = 0;

  Stats& operator+=(const Stats& o) {
    cases += o.cases;
    elems += o.elems;
    within1 += o.within1;
    exact += o.exact;
    max_lsb = std::max(max_lsb, o.max_lsb);
    max_lsb_bound = std::max(max_lsb_bound, o.max_lsb_bound);
    in_clipped += o.in_clipped;
    out_clipped += o.out_clipped;
    out_at_limit += o.out_at_limit;
    return *this;
  }
  double within1_pct() const { return elems == 0 ? 100.0 : 100.0 * within1 / elems; }
};

// Whether element i of `x` (float32) lies more than 1 LSB beyond the int range of `quant`, i.e.
// x / s > qmax + 1 or < qmin - 1 (x * (1.0f / s) as fake quantization computes it): fake
// quantization clips it by more than 1 LSB, so an integer result that did not saturate (wrapped,
// or clamped to another range) cannot agree within 1 LSB there. +1 above, -1 below, else 0.
class BeyondRange {
 public:
  static absl::StatusOr<BeyondRange> Make(const Tensor& x, const ir::QuantInfo& quant) {
    if (x.dtype() != DType::kFloat32) return absl::InvalidArgumentError("not float32");
    absl::StatusOr<QDType> qd = QDTypeOfStorage(quant.storage);
    if (!qd.ok()) return qd.status();
    BeyondRange r;
    r.x_ = x.data<float>();
    r.qmin_ = static_cast<double>(QMin(*qd));
    r.qmax_ = static_cast<double>(QMax(*qd));
    for (float s : quant.scales) r.inv_.push_back(1.0f / s);
    if (quant.axis >= 0) {
      r.channels_ = x.dim(quant.axis);
      for (int d = quant.axis + 1; d < x.rank(); ++d) r.inner_ *= x.dim(d);
    }
    if (static_cast<int64_t>(r.inv_.size()) != r.channels_) {
      return absl::InvalidArgumentError("scale count does not match the axis");
    }
    return r;
  }
  int operator()(int64_t i) const {
    const double p = static_cast<double>(x_[i] * inv_[(i / inner_) % channels_]);
    return p > qmax_ + 1 ? 1 : (p < qmin_ - 1 ? -1 : 0);
  }
  double qmin() const { return qmin_; }
  double qmax() const { return qmax_; }

 private:
  const float* x_ = nullptr;
  std::vector<float> inv_;
  int64_t channels_ = 1, inner_ = 1;
  double qmin_ = 0, qmax_ = 0;
};

absl::StatusOr<std::unique_ptr<ir::Graph>> Clone(const ir::Graph& g) {
  return ir::FromProto(ir::ToProto(g));
}

// Runs one case; adds to `stats`, reports failures with gtest.
void RunCase(const std::string& op, AgreementCase& c, ir::QuantKind kind, Stats& stats) {
  const bool saturation = c.saturation();
  const int64_t type_max = c.activation_dtype == DType::kInt16 ? 32767 : 127;
  SCOPED_TRACE(
      absl::StrCat(op, " case '", c.name, "' ", c.march, " ", DTypeName(c.activation_dtype)));
  absl::StatusOr<std::unique_ptr<ir::Graph>> float_graph = Clone(*c.graph);
  ASSERT_TRUE(float_graph.ok()) << float_graph.status();
  QConfig qc =
      *GetDefaultQatQConfig(c.activation_dtype == DType::kInt16 ? QDType::kQInt16 : QDType::kQInt8);
  qc.activation.observer = ObserverConfig::MinMax();
  QConfigMap map;
  map.SetGlobal(qc);
  PrepareOptions prepare;
  prepare.fuse = false;
  for (const auto& [value, amax] : c.fixed_ranges) {
    prepare.fixed_scales[value] =
        FixedQuant{c.activation_dtype == DType::kInt16 ? QDType::kQInt16 : QDType::kQInt8,
                   {amax / (static_cast<float>(type_max) + 0.5f)},
                   -1};
  }
  absl::StatusOr<std::unique_ptr<CalibrationState>> state =
      PrepareCalibration(*c.graph, map, prepare);
  ASSERT_TRUE(state.ok()) << state.status();
  Dataset data;
  ASSERT_TRUE(
      data.Add(*c.graph, c.calibration_inputs.empty() ? c.inputs : c.calibration_inputs, c.name)
          .ok());
  ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  ConvertOptions convert;
  convert.march = c.march;
  convert.fuse = false;
  absl::StatusOr<ConvertReport> report = Convert(**state, convert);
  ASSERT_TRUE(report.ok()) << report.status();
  const ir::Graph& qg = *c.graph;
  bool op_quantized = false;
  for (const auto& n : qg.nodes())
    op_quantized = op_quantized || (n->op() == op && reference::RunsQuantized(*n));
  ASSERT_TRUE(op_quantized) << "convert left every " << op << " node in float";
  absl::StatusOr<std::map<std::string, reference::QuantizedValue>> q =
      reference::RunQuantizedAllValues(qg, c.inputs);
  ASSERT_TRUE(q.ok()) << q.status();

  // Float inputs: the dequantized integers the quantized graph actually consumed.
  std::vector<Tensor> float_inputs = c.inputs;
  for (size_t i = 0; i < qg.inputs().size(); ++i) {
    for (const ir::Node* user : qg.Users(qg.inputs()[i])) {
      if (user->op() != "QuantizeLinear") continue;
      const reference::QuantizedValue& v = q->at(user->output(0)->name());
      absl::StatusOr<Tensor> dq = DequantizeTensor(v.tensor, *v.quant);
      ASSERT_TRUE(dq.ok()) << dq.status();
      float_inputs[i] = *std::move(dq);
      if (saturation) {
        absl::StatusOr<BeyondRange> beyond = BeyondRange::Make(c.inputs[i], *v.quant);
        ASSERT_TRUE(beyond.ok()) << beyond.status();
        for (int64_t e = 0; e < c.inputs[i].num_elements(); ++e)
          stats.in_clipped += (*beyond)(e) != 0;
      }
    }
  }
  // Float constants: the dequantized integer constants of the quantized nodes.
  for (const auto& node : (*float_graph)->nodes()) {
    const ir::Node* qn = qg.FindNode(node->name());
    if (qn == nullptr) continue;
    for (int i = 0; i < node->num_inputs() && i < qn->num_inputs(); ++i) {
      ir::Value* in = node->input(i);
      const ir::Value* qin = qn->input(i);
      if (in == nullptr || qin == nullptr || !in->is_constant() || !qin->is_constant() ||
          !qin->type().quant.has_value()) {
        continue;
      }
      absl::StatusOr<Tensor> dq = DequantizeTensor(qin->constant(), *qin->type().quant);
      ASSERT_TRUE(dq.ok()) << dq.status();
      in->set_constant(*std::move(dq));
    }
  }
  absl::StatusOr<std::map<std::string, Tensor>> f =
      reference::RunFloatAllValues(**float_graph, float_inputs);
  ASSERT_TRUE(f.ok()) << f.status();

  ++stats.cases;
  for (size_t k = 0; k < qg.outputs().size(); ++k) {
    const std::string name = (*float_graph)->outputs()[k]->name();
    const ir::Value* qout = qg.outputs()[k];
    if (qout->producer() != nullptr && qout->producer()->op() == "DequantizeLinear") {
      qout = qout->producer()->input(0);
    }
    ASSERT_TRUE(q->count(qout->name())) << "output " << name;
    ASSERT_TRUE(f->count(name)) << "output " << name;
    const reference::QuantizedValue& got = q->at(qout->name());
    const Tensor& want_float = f->at(name);
    if (!got.quant.has_value()) {
      // Index / mask outputs: exactly the float graph's.
      EXPECT_EQ(got.tensor, want_float) << "output " << name;
      stats.elems += got.tensor.num_elements();
      stats.within1 += got.tensor.num_elements();
      if (got.tensor == want_float) stats.exact += got.tensor.num_elements();
      continue;
    }
    absl::StatusOr<Tensor> want = QuantizeTensor(want_float, *got.quant);
    ASSERT_TRUE(want.ok()) << want.status();
    const int64_t n = got.tensor.num_elements();
    int64_t max_abs = 0, nonzero = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t a = got.tensor.GetAsInt64(i);
      const int64_t d = std::llabs(a - want->GetAsInt64(i));
      max_abs = std::max<int64_t>(max_abs, std::llabs(a));
      nonzero += a != 0;
      stats.max_lsb = std::max(stats.max_lsb, d);
      stats.within1 += d <= 1;
      stats.exact += d == 0;
    }
    stats.elems += n;
    if (saturation) {
      // Where the float value is beyond the range, the kernel must return the limit exactly: its
      // own result is within 1 LSB of the unclipped value, so it saturates too.
      absl::StatusOr<BeyondRange> beyond = BeyondRange::Make(want_float, *got.quant);
      ASSERT_TRUE(beyond.ok()) << beyond.status();
      int64_t clipped = 0, at_limit = 0, first_miss = -1;
      for (int64_t i = 0; i < n; ++i) {
        const int side = (*beyond)(i);
        if (side == 0) continue;
        ++clipped;
        const double limit = side > 0 ? beyond->qmax() : beyond->qmin();
        if (static_cast<double>(got.tensor.GetAsInt64(i)) == limit) {
          ++at_limit;
        } else if (first_miss < 0) {
          first_miss = i;
        }
      }
      stats.out_clipped += clipped;
      stats.out_at_limit += at_limit;
      EXPECT_EQ(at_limit, clipped)
          << "output " << name << ": the float value is beyond the range but the kernel is not "
          << "at the limit, first at element " << first_miss << " (float "
          << (first_miss < 0 ? 0.0 : want_float.GetAsDouble(first_miss)) << ", integer "
          << (first_miss < 0 ? 0 : got.tensor.GetAsInt64(first_miss)) << ")";
    }
    EXPECT_GE(max_abs, 64) << "degenerate output " << name << ": max |q| = " << max_abs;
    EXPECT_GE(nonzero * 10, n * 9)
        << "degenerate output " << name << ": " << nonzero << " of " << n << " nonzero";
  }
  if (kind == ir::QuantKind::kTable) {
    const int bound = c.max_lsb > 0 ? c.max_lsb : (c.activation_dtype == DType::kInt16 ? 4 : 1);
    stats.max_lsb_bound = std::max(stats.max_lsb_bound, bound);
  }
}

TEST(AgreementTest, IntegerKernelsAgreeWithFakeQuantizedFloat) {
  const std::set<std::string> filter = OpFilter();
  int ops_run = 0;
  for (const std::string& op : QuantizedOps()) {
    if (!filter.empty() && !filter.count(op)) continue;
    auto gen = AgreementCaseRegistry().find(op);
    if (gen == AgreementCaseRegistry().end()) continue;  // reported by the coverage test
    const ir::OpSchema& schema = *ir::OpRegistry::Global().Find(op);
    const ir::QuantKind kind = schema.qkind;
    std::mt19937 rng(20261127);
    std::vector<AgreementCase> cases = gen->second(rng);
    EXPECT_FALSE(cases.empty()) << op << ": the generator made no cases";
    std::map<std::string, Stats> by_dtype;      // "int8" / "int16": every case
    std::map<std::string, Stats> sat_by_dtype;  // the saturation cases only
    for (AgreementCase& c : cases) {
      // A failed ASSERT inside RunCase ends that case only; the other cases and ops still run.
      const std::string dtype(DTypeName(c.activation_dtype));
      Stats one;
      RunCase(op, c, kind, one);
      by_dtype[dtype] += one;
      if (c.saturation()) sat_by_dtype[dtype] += one;
    }
    ++ops_run;
    for (const auto& [dtype, s] : by_dtype) {
      const double pct = s.within1_pct();
      std::printf("agree: %s %s cases=%d elems=%lld within1=%.2f%% max_lsb=%lld\n", op.c_str(),
                  dtype.c_str(), s.cases, static_cast<long long>(s.elems), pct,
                  static_cast<long long>(s.max_lsb));
      switch (kind) {
        case ir::QuantKind::kExact:
          EXPECT_EQ(s.exact, s.elems) << op << " " << dtype << ": an exact op differs";
          break;
        case ir::QuantKind::kArithmetic:
          EXPECT_GE(pct, 99.9) << op << " " << dtype;
          EXPECT_LE(s.max_lsb, 2) << op << " " << dtype;
          break;
        case ir::QuantKind::kTable:
          std::printf("lut-error: %s %s max_lsb=%lld\n", op.c_str(), dtype.c_str(),
                      static_cast<long long>(s.max_lsb));
          EXPECT_LE(s.max_lsb, s.max_lsb_bound) << op << " " << dtype;
          break;
        case ir::QuantKind::kNone:
          break;
      }
      if (kind == ir::QuantKind::kArithmetic) {
        // Saturation: every arithmetic op, on every dtype, has cases that really clip. An op whose
        // output keeps its input's grid (Clip, Resize) cannot leave the input's range, so there
        // the border clips the inputs; every other op must clip outputs in its own requantize.
        const Stats& sat = sat_by_dtype[dtype];
        const bool inherits = schema.qinherit_input >= 0;
        std::printf(
            "saturate: %s %s cases=%d elems=%lld in_clipped=%lld out_clipped=%lld "
            "out_at_limit=%lld within1=%.2f%% max_lsb=%lld\n",
            op.c_str(), dtype.c_str(), sat.cases, static_cast<long long>(sat.elems),
            static_cast<long long>(sat.in_clipped), static_cast<long long>(sat.out_clipped),
            static_cast<long long>(sat.out_at_limit), sat.within1_pct(),
            static_cast<long long>(sat.max_lsb));
        EXPECT_GT(sat.cases, 0) << op << " " << dtype << ": no saturation cases";
        EXPECT_GE(sat.within1_pct(), 99.9) << op << " " << dtype << " saturation";
        EXPECT_LE(sat.max_lsb, 2) << op << " " << dtype << " saturation";
        if (inherits) {
          EXPECT_GT(sat.in_clipped, 0) << op << " " << dtype << ": saturation cases clip nothing";
        } else {
          EXPECT_GT(sat.out_clipped, 0)
              << op << " " << dtype << ": saturation cases clip no output";
        }
      }
    }
  }
  std::printf("agree: %d ops run\n", ops_run);
  std::fflush(stdout);
}

}  // namespace
}  // namespace openbpu::quantization
