// Clip (ONNX Clip-13): min(max(x, min), max) with optional scalar bounds as
// inputs 1 and 2 (constant or not); an omitted bound does not clip. When
// min > max every element becomes max, and NaN passes through, as in numpy.
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (arithmetic, output on x's grid): each given bound becomes qparam
// "min" / "max" = clamp(round_half_even(float32(bound) * (1.0f / s_x))) in x's
// storage range, the same rounding as fake quantization, so with float32 bounds
// clip(q, min, max) equals the float Clip of the dequantized input
// fake-quantized with s_x exactly. Bounds must be constants; convert quantizes
// a float constant bound with its own scale, and then q_b * s_b is the bound
// (off by at most |bound| / 255: within 1 LSB, hence kArithmetic).
absl::Status PrepareClip(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> s_x = qexact::InputScale(node, 0);
  if (!s_x.ok()) return s_x.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range =
      qexact::StorageRange(node.input(0)->type().dtype);
  if (!range.ok()) return range.status();
  qparams::Clip p;
  for (int i = 1; i <= 2; ++i) {
    absl::StatusOr<std::vector<double>> bound = qexact::ConstantRealValues(node, i);
    if (!bound.ok()) return bound.status();
    if (bound->empty()) continue;
    (i == 1 ? p.min : p.max) = static_cast<int32_t>(qexact::QuantizeLikeFakeQuant(
        static_cast<float>((*bound)[0]), *s_x, range->first, range->second));
  }
  return qparams::Store(node, p);
}

absl::Status ClipKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  absl::StatusOr<qparams::Clip> p = qparams::Load<qparams::Clip>(node);
  if (!p.ok()) return p.status();
  if (p->min.has_value()) lo = *p->min;
  if (p->max.has_value()) hi = *p->max;
  // ONNX order: max(x, min) first, then min(., max), so min > max gives max.
  absl::StatusOr<Tensor> y = qexact::MapStorage(*inputs[0], [lo, hi](int64_t q) {
    const int64_t t = q < lo ? lo : q;
    return t > hi ? hi : t;
  });
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

ir::OpSchema ClipSchema() {
  ir::OpSchema s;
  s.name = "Clip";
  s.min_inputs = 1;
  s.max_inputs = 3;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st =
            RequireDType(node, 0,
                         {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kInt16,
                          DType::kInt32, DType::kInt64, DType::kUInt8});
        !st.ok()) {
      return st;
    }
    const ir::TensorType& x = InputType(node, 0);
    for (int i = 1; i <= 2; ++i) {
      if (node.input(i) == nullptr) continue;
      const ir::TensorType& bound = InputType(node, i);
      if (absl::Status st = kernels::CheckClipBound(x.dtype, bound.shape, bound.dtype, i); !st.ok())
        return st;
    }
    outputs[0].dtype = x.dtype;
    outputs[0].shape = x.shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Clip");  // common/kernels/elementwise.cc
  s.kernel_from_registry = true;
  s.qkind = ir::QuantKind::kArithmetic;
  s.qinherit_input = 0;
  s.qfloat_inputs = {1, 2};  // bounds: rounded to the grid by qprepare
  s.qprepare = PrepareClip;
  s.qcheck = qparams::CheckFn<qparams::Clip>();
  s.qkernel = ClipKernel;
  return s;
}

OPENBPU_REGISTER_OP(Clip, ClipSchema());

}  // namespace
}  // namespace openbpu::ops
