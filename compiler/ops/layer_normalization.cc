// LayerNormalization (ONNX LayerNormalization-17): normalizes over the dims from
// `axis` on, then applies Scale and B (broadcast to those dims); optional
// outputs Mean and InvStdDev. The math is kernels::LayerNorm.
#include "common/kernels/layer_norm.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct LayerNormPlan {
  int axis = 0;
  Shape normalized;  // X's dims from axis on
  Shape stats;       // shape of Mean / InvStdDev
};

// `scale` / `bias` are null when omitted.
absl::StatusOr<LayerNormPlan> PlanLayerNorm(const ir::Node& node, const Shape& x,
                                            const Shape* scale, const Shape* bias) {
  LayerNormPlan plan;
  absl::StatusOr<int> axis =
      NormalizeAxis(node.attrs().GetInt("axis", -1), static_cast<int>(x.size()));
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

// The values of `t` broadcast to `shape`, or `fill` repeated when t is null.
std::vector<float> Expand(const Tensor* t, const Shape& shape, float fill) {
  if (t == nullptr) return std::vector<float>(NumElements(shape), fill);
  const std::vector<int64_t> index = BroadcastIndex(t->shape(), shape);
  std::vector<float> out(index.size());
  for (size_t i = 0; i < index.size(); ++i) out[i] = t->data<float>()[index[i]];
  return out;
}

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
    absl::StatusOr<LayerNormPlan> plan = PlanLayerNorm(
        node, InputType(node, 0).shape, scale == nullptr ? nullptr : &scale->type().shape,
        bias == nullptr ? nullptr : &bias->type().shape);
    if (!plan.ok()) return plan.status();
    for (size_t i = 0; i < outputs.size(); ++i) {
      outputs[i].dtype = DType::kFloat32;
      outputs[i].shape = i == 0 ? InputType(node, 0).shape : plan->stats;
    }
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor* scale = inputs.size() > 1 ? inputs[1] : nullptr;
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    absl::StatusOr<LayerNormPlan> plan =
        PlanLayerNorm(node, x.shape(), scale == nullptr ? nullptr : &scale->shape(),
                      bias == nullptr ? nullptr : &bias->shape());
    if (!plan.ok()) return plan.status();
    const int64_t size = NumElements(plan->normalized);
    const int64_t outer = NumElements(plan->stats);
    const std::vector<float> scale_values = Expand(scale, plan->normalized, 1.f);
    const std::vector<float> bias_values = Expand(bias, plan->normalized, 0.f);
    Tensor y(DType::kFloat32, x.shape());
    Tensor mean(DType::kFloat32, plan->stats);
    Tensor inv_std_dev(DType::kFloat32, plan->stats);
    kernels::LayerNorm(x.data<float>(), outer, size, scale_values.data(),
                       bias == nullptr ? nullptr : bias_values.data(),
                       node.attrs().GetFloat("epsilon", 1e-5f), y.data<float>(), mean.data<float>(),
                       inv_std_dev.data<float>());
    outputs.push_back(std::move(y));
    if (node.num_outputs() > 1) outputs.push_back(std::move(mean));
    if (node.num_outputs() > 2) outputs.push_back(std::move(inv_std_dev));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(LayerNormalization, LayerNormalizationSchema());

}  // namespace
}  // namespace openbpu::ops
