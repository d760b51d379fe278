// LayerNormalization (ONNX LayerNormalization-17): normalizes over the dims from
// `axis` on, then applies Scale and B (broadcast to those dims); optional
// outputs Mean and InvStdDev. The float kernel and kernels::PlanLayerNorm are in
// common/kernels/norm_ops.cc (the math is kernels::LayerNorm).
#include <cmath>
#include <type_traits>
#include <vector>

#include "common/kernels/layer_norm.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_table_util.h"
#include "isa/numerics/layer_norm.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"

namespace openbpu::ops {
namespace {

ir::OpSchema LayerNormalizationSchema() {
  ir::OpSchema s;
  s.name = "LayerNormalization";
  s.min_inputs = 1;  // Scale is required by ONNX; a missing one acts as ones.
  s.max_inputs = 3;
  s.max_outputs = 3;
  s.attrs = {{"axis", ir::AttrKind::kInt},
             {"epsilon", ir::AttrKind::kFloat},
             {"stash_type", ir::AttrKind::kInt}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const int64_t stash = node.attrs().GetInt("stash_type", 1);
    if (stash != 1) {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'stash_type' = ", stash, " (only 1, float32) is supported"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) continue;
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const ir::Value* scale = node.input(1);
    const ir::Value* bias = node.input(2);
    absl::StatusOr<kernels::LayerNormPlan> plan = kernels::PlanLayerNorm(
        node.attrs(), InputType(node, 0).shape, scale == nullptr ? nullptr : &scale->type().shape,
        bias == nullptr ? nullptr : &bias->type().shape);
    if (!plan.ok()) return plan.status();
    for (size_t i = 0; i < outputs.size(); ++i) {
      outputs[i].dtype = DType::kFloat32;
      outputs[i].shape = i == 0 ? InputType(node, 0).shape : plan->stats;
    }
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("LayerNormalization");  // common/kernels/norm_ops.cc
  s.kernel_from_registry = true;
  return s;
}

// Quantized (docs/NUMERICS.md, "LayerNorm"): qprepare builds, per normalized element, the
// record {m_i, n_i} of sqrt(N) |gamma_i| / s_y, sign_i = sign(gamma_i) and
// B_i = round(beta_i / s_y * 2^16), plus EPS = round(eps N^3 / s_x^2) (as eps_mantissa <<
// eps_exponent) and the rsqrt table; qkernel unpacks them into numerics::LayerNormParams and
// runs numerics::LayerNorm, the integer row loop (isa/numerics/layer_norm.h, where the
// simulator can reach it). Only output Y is quantized.
using numerics::kLayerNormFractionBits;
using numerics::kMaxLayerNormSize;

absl::Status PrepareLayerNorm(ir::Node& node, const ir::QuantOpContext& ctx) {
  if (node.num_outputs() > 1) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": quantized LayerNormalization computes only output Y"));
  }
  absl::StatusOr<std::pair<DType, double>> in = qtable::InputQuant(node, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  for (DType d : {in->first, out->first}) {
    if (absl::Status st = qtable::CheckActivationStorage(node, d, ctx); !st.ok()) return st;
  }
  const ir::Value* scale = node.input(1);
  const ir::Value* bias = node.input(2);
  absl::StatusOr<kernels::LayerNormPlan> plan = kernels::PlanLayerNorm(
      node.attrs(), InputType(node, 0).shape, scale == nullptr ? nullptr : &scale->type().shape,
      bias == nullptr ? nullptr : &bias->type().shape);
  if (!plan.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node, plan.status().message());
  }
  const int64_t n = NumElements(plan->normalized);
  if (n < 1 || n > kMaxLayerNormSize) {
    return absl::UnimplementedError(absl::StrCat(
        node.Describe(), ": quantized LayerNormalization normalizes 1 to 2^20 elements, got ", n));
  }
  std::vector<double> gamma(n, 1.0), beta(n, 0.0);
  for (int i : {1, 2}) {
    if (node.input(i) == nullptr) continue;
    absl::StatusOr<std::vector<double>> v = qtable::ConstantReal(node, i);
    if (!v.ok()) return v.status();
    const std::vector<int64_t> index =
        BroadcastIndex(node.input(i)->type().shape, plan->normalized);
    for (int64_t k = 0; k < n; ++k) (i == 1 ? gamma : beta)[k] = (*v)[index[k]];
  }
  std::vector<int32_t> multipliers(n), shifts(n), signs(n);
  std::vector<int64_t> biases(n);
  const double s_y = out->second;
  for (int64_t k = 0; k < n; ++k) {
    absl::StatusOr<numerics::RequantizeRecord> r = numerics::MakeRequantizeRecord(
        std::sqrt(static_cast<double>(n)) * std::fabs(gamma[k]) / s_y);
    if (!r.ok()) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node, r.status().message());
    }
    multipliers[k] = r->multiplier;
    shifts[k] = r->shift;
    signs[k] = gamma[k] < 0 ? -1 : 1;
    const double b = std::ldexp(beta[k] / s_y, kLayerNormFractionBits);
    biases[k] = std::fabs(b) < 0x1p62 ? std::llround(b)
                                      : (b < 0 ? -(int64_t{1} << 62) : (int64_t{1} << 62));
  }
  // EPS = round(eps N^3 / s_x^2) as a mantissa below 2^31 and a left shift.
  const double eps_term = static_cast<double>(node.attrs().GetFloat("epsilon", 1e-5f)) *
                          std::pow(static_cast<double>(n), 3) / (in->second * in->second);
  int eps_exponent = 0;
  double eps_mantissa = std::round(eps_term);
  while (eps_mantissa >= 0x1p31) {
    ++eps_exponent;
    eps_mantissa = std::round(std::ldexp(eps_term, -eps_exponent));
  }
  if (!std::isfinite(eps_term) || eps_exponent > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": epsilon / s_x^2 is out of range"));
  }
  qparams::LayerNorm p;
  p.gamma_multiplier = std::move(multipliers);
  p.gamma_shift = std::move(shifts);
  p.gamma_sign = std::move(signs);
  p.beta = std::move(biases);
  p.eps_mantissa = static_cast<int32_t>(eps_mantissa);
  p.eps_exponent = eps_exponent;
  p.rsqrt_table = numerics::MakeRsqrtTable();
  return qparams::Store(node, p);
}

absl::Status LayerNormKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                             std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  absl::StatusOr<kernels::LayerNormPlan> plan =
      kernels::PlanLayerNorm(node.attrs(), x.shape(), nullptr, nullptr);
  if (!plan.ok()) return plan.status();
  const int64_t n = NumElements(plan->normalized);
  const int64_t rows = NumElements(plan->stats);
  absl::StatusOr<qparams::LayerNorm> params = qparams::Load<qparams::LayerNorm>(node);
  if (!params.ok()) return params.status();
  if (static_cast<int64_t>(params->gamma_multiplier.size()) != n) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("'layernorm' parameters normalize ",
                                      params->gamma_multiplier.size(), " elements, the input ", n));
  }
  const std::vector<int64_t> q = x.ToInt64Vector();
  const auto [lo, hi] = qtable::Range(out->first);
  std::vector<int64_t> y(q.size());
  numerics::LayerNorm(*params, q.data(), rows, n, lo, hi, y.data());
  outputs.push_back(qtable::IntTensor(out->first, x.shape(), y));
  return absl::OkStatus();
}

ir::OpSchema QuantizedLayerNormalizationSchema() {
  ir::OpSchema s = LayerNormalizationSchema();
  s.qkind = ir::QuantKind::kTable;
  s.qprepare = PrepareLayerNorm;
  s.qcheck = qparams::CheckFn<qparams::LayerNorm>();
  s.qkernel = LayerNormKernel;
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(LayerNormalization, QuantizedLayerNormalizationSchema());

}  // namespace
}  // namespace openbpu::ops
