// Pad (ONNX Pad-18): constant / reflect / edge padding of any dtype; pads,
// constant_value and axes are constant inputs, and negative pads crop (the
// crop applies first, so reflect and edge read the cropped tensor). The float
// kernel and kernels::PlanPad are in common/kernels/slice_pad.cc.
#include <algorithm>

#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema PadSchema() {
  ir::OpSchema s;
  s.name = "Pad";
  s.min_inputs = 2;
  s.max_inputs = 4;
  s.constant_inputs = {1, 2, 3};
  s.attrs = {{"mode", ir::AttrKind::kString}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::ParsePadMode(node.attrs()).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<kernels::PadMode> mode = kernels::ParsePadMode(node.attrs());
    if (!mode.ok()) return mode.status();
    if (absl::Status st = kernels::CheckPadConstantValue(ConstantInput(node, 2), dtype); !st.ok()) {
      return st;
    }
    absl::StatusOr<kernels::PadPlan> plan = kernels::PlanPad(
        *mode, InputType(node, 0).shape, ConstantInput(node, 1), ConstantInput(node, 3));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Pad");
  s.kernel_from_registry = true;
  // Quantized (exact): reflect / edge copy integers; the constant value becomes
  // qparams::Pad value = clamp(round_half_even(float32(c) * (1.0f / s_x))), the
  // rounding of fake quantization, so the result equals the float Pad of the
  // dequantized input fake-quantized with s_x (0 stays 0).
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qprepare = [](ir::Node& node, const ir::QuantOpContext&) -> absl::Status {
    absl::StatusOr<float> s_x = qexact::InputScale(node, 0);
    if (!s_x.ok()) return s_x.status();
    absl::StatusOr<std::pair<int64_t, int64_t>> range =
        qexact::StorageRange(node.input(0)->type().dtype);
    if (!range.ok()) return range.status();
    absl::StatusOr<std::vector<double>> value = qexact::ConstantRealValues(node, 2);
    if (!value.ok()) return value.status();
    return qparams::Store(
        node,
        qparams::Pad{static_cast<int32_t>(
            value->empty() ? 0
                           : qexact::QuantizeLikeFakeQuant(static_cast<float>((*value)[0]), *s_x,
                                                           range->first, range->second))});
  };
  s.qcheck = qparams::CheckFn<qparams::Pad>();
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<qparams::Pad> p = qparams::Load<qparams::Pad>(node);
    if (!p.ok()) return p.status();
    const Tensor pad_value = qexact::IntTensor(x.dtype(), {}, {p->value});
    std::vector<const Tensor*> args(inputs.begin(), inputs.end());
    args.resize(std::max<size_t>(args.size(), 3), nullptr);
    args[2] = &pad_value;
    return kernel(node, args, outputs);
  };
  return s;
}

OPENBPU_REGISTER_OP(Pad, PadSchema());

}  // namespace
}  // namespace openbpu::ops
