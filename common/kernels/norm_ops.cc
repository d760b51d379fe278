// Float kernels of BatchNormalization (inference mode) and LayerNormalization (outputs Y, Mean,
// InvStdDev) with their shape checks (batch_norm.h, layer_norm.h); the math is kernels::BatchNorm
// and kernels::LayerNorm.
#include "absl/strings/str_cat.h"
#include "common/kernels/batch_norm.h"
#include "common/kernels/broadcast.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/layer_norm.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::Status CheckBatchNormShapes(const Shape& x, const std::vector<const Shape*>& params) {
  static constexpr const char* kParamNames[] = {"scale", "B", "input_mean", "input_var"};
  if (x.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("input X must have rank >= 2 (N, C, ...), got ", ShapeToString(x)));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (*params[i] != Shape{x[1]}) {
      return absl::InvalidArgumentError(absl::StrCat("input '", kParamNames[i],
                                                     "' must have shape [", x[1], "], got ",
                                                     ShapeToString(*params[i])));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LayerNormPlan> PlanLayerNorm(const AttributeMap& attrs, const Shape& x,
                                            const Shape* scale, const Shape* bias) {
  LayerNormPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", -1), static_cast<int>(x.size()));
  if (!axis.ok()) return axis.status();
  if (x.empty()) return absl::InvalidArgumentError("LayerNormalization needs rank >= 1");
  plan.axis = *axis;
  plan.normalized.assign(x.begin() + plan.axis, x.end());
  plan.stats = x;
  for (size_t d = plan.axis; d < x.size(); ++d) plan.stats[d] = 1;
  for (const Shape* p : {scale, bias}) {
    if (p == nullptr) continue;
    // Unidirectional broadcast to the normalized dims.
    bool ok = p->size() <= plan.normalized.size();
    for (size_t i = 0; ok && i < p->size(); ++i) {
      const int64_t d = (*p)[p->size() - 1 - i];
      ok = d == 1 || d == plan.normalized[plan.normalized.size() - 1 - i];
    }
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          p == scale ? "Scale " : "B ", ShapeToString(*p),
          " does not broadcast to the normalized shape ", ShapeToString(plan.normalized)));
    }
  }
  return plan;
}

namespace {

// Inputs X, scale, B, input_mean, input_var (all float32); attribute epsilon.
absl::Status BatchNormalization(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                                std::vector<Tensor>& outputs) {
  if (inputs.size() < 5) return absl::InvalidArgumentError("expects five inputs");
  const Tensor& x = *inputs[0];
  std::vector<const Shape*> params;
  for (int i = 1; i < 5; ++i) params.push_back(&inputs[i]->shape());
  if (absl::Status st = CheckBatchNormShapes(x.shape(), params); !st.ok()) return st;
  int64_t inner = 1;
  for (int d = 2; d < x.rank(); ++d) inner *= x.dim(d);
  Tensor y(DType::kFloat32, x.shape());
  BatchNorm(x.data<float>(), x.dim(0), x.dim(1), inner, inputs[1]->data<float>(),
            inputs[2]->data<float>(), inputs[3]->data<float>(), inputs[4]->data<float>(),
            attrs.GetFloat("epsilon", 1e-5f), y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

// The values of `t` broadcast to `shape`, or `fill` repeated when t is null.
std::vector<float> Expand(const Tensor* t, const Shape& shape, float fill) {
  if (t == nullptr) return std::vector<float>(NumElements(shape), fill);
  const std::vector<int64_t> index = BroadcastIndex(t->shape(), shape);
  std::vector<float> out(index.size());
  for (size_t i = 0; i < index.size(); ++i) out[i] = t->data<float>()[index[i]];
  return out;
}

// Inputs X, Scale (omitted: ones), B; all three outputs (a caller with fewer keeps the first).
absl::Status LayerNormalization(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                                std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor* scale = inputs.size() > 1 ? inputs[1] : nullptr;
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  absl::StatusOr<LayerNormPlan> plan =
      PlanLayerNorm(attrs, x.shape(), scale == nullptr ? nullptr : &scale->shape(),
                    bias == nullptr ? nullptr : &bias->shape());
  if (!plan.ok()) return plan.status();
  const int64_t size = NumElements(plan->normalized);
  const int64_t outer = NumElements(plan->stats);
  const std::vector<float> scale_values = Expand(scale, plan->normalized, 1.f);
  const std::vector<float> bias_values = Expand(bias, plan->normalized, 0.f);
  Tensor y(DType::kFloat32, x.shape());
  Tensor mean(DType::kFloat32, plan->stats);
  Tensor inv_std_dev(DType::kFloat32, plan->stats);
  LayerNorm(x.data<float>(), outer, size, scale_values.data(),
            bias == nullptr ? nullptr : bias_values.data(), attrs.GetFloat("epsilon", 1e-5f),
            y.data<float>(), mean.data<float>(), inv_std_dev.data<float>());
  outputs.push_back(std::move(y));
  outputs.push_back(std::move(mean));
  outputs.push_back(std::move(inv_std_dev));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(BatchNormalization, "BatchNormalization", BatchNormalization);
OPENBPU_REGISTER_FLOAT_KERNEL(LayerNormalization, "LayerNormalization", LayerNormalization);

}  // namespace
}  // namespace openbpu::kernels
