// PRelu (ONNX PRelu-16): x for x >= 0, slope * x below, with `slope`
// broadcast unidirectionally to the shape of x.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// The output shape is x's: slope must broadcast to it without growing it.
absl::Status CheckSlope(const Shape& x, const Shape& slope) {
  absl::StatusOr<Shape> shape = BroadcastShapes(x, slope);
  if (!shape.ok() || *shape != x) {
    return absl::InvalidArgumentError(absl::StrCat("slope shape ", ShapeToString(slope),
                                                   " does not broadcast to the input shape ",
                                                   ShapeToString(x)));
  }
  return absl::OkStatus();
}

// Quantized (arithmetic): record "positive" = s_in / s_out; per slope element
// a record "negative" = |slope| * s_in / s_out and qparam "negative_sign"
// (+1 / -1). The slope must be a constant: float32, or quantized by convert
// (then its dequantized value q * s is used).
absl::Status PreparePRelu(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> s_in = qexact::InputScale(node, 0);
  if (!s_in.ok()) return s_in.status();
  absl::StatusOr<float> s_out = qexact::OutputScale(node, 0);
  if (!s_out.ok()) return s_out.status();
  absl::StatusOr<std::vector<double>> slope = qexact::ConstantRealValues(node, 1);
  if (!slope.ok()) return slope.status();
  const double ratio = static_cast<double>(*s_in) / static_cast<double>(*s_out);
  absl::StatusOr<numerics::RequantizeRecord> pos = qexact::MakeRecord(node, ratio);
  if (!pos.ok()) return pos.status();
  std::vector<numerics::RequantizeRecord> neg;
  Tensor sign(DType::kInt32, {static_cast<int64_t>(slope->size())});
  for (size_t i = 0; i < slope->size(); ++i) {
    absl::StatusOr<numerics::RequantizeRecord> r =
        qexact::MakeRecord(node, std::fabs((*slope)[i]) * ratio);
    if (!r.ok()) return r.status();
    neg.push_back(*r);
    sign.data<int32_t>()[i] = (*slope)[i] < 0 ? -1 : 1;
  }
  qexact::SetRecords(node, "positive", {*pos});
  qexact::SetRecords(node, "negative", neg);
  node.mutable_qparams()["negative_sign"] = std::move(sign);
  return absl::OkStatus();
}

absl::Status PReluKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                         std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Shape& slope_shape = inputs[1]->shape();
  if (absl::Status st = CheckSlope(x.shape(), slope_shape); !st.ok()) return st;
  const int64_t n_slope = NumElements(slope_shape);
  absl::StatusOr<std::vector<numerics::RequantizeRecord>> pos =
      qexact::GetRecords(node, "positive", 1);
  if (!pos.ok()) return pos.status();
  absl::StatusOr<std::vector<numerics::RequantizeRecord>> neg =
      qexact::GetRecords(node, "negative", n_slope);
  if (!neg.ok()) return neg.status();
  const auto sign_it = node.qparams().find("negative_sign");
  if (sign_it == node.qparams().end() || sign_it->second.dtype() != DType::kInt32 ||
      sign_it->second.num_elements() != n_slope) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": qparam 'negative_sign' is missing or malformed"));
  }
  const int32_t* sign = sign_it->second.data<int32_t>();
  absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(*storage);
  if (!range.ok()) return range.status();
  const std::vector<int64_t> index = BroadcastIndex(slope_shape, x.shape());
  const std::vector<int64_t> q = x.ToInt64Vector();
  std::vector<int64_t> y(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const int64_t c = index[i];
    y[i] = q[i] >= 0 ? numerics::Requantize(q[i], (*pos)[0], range->first, range->second)
                     : numerics::Requantize(sign[c] * q[i], (*neg)[c], range->first, range->second);
  }
  outputs.push_back(qexact::IntTensor(*storage, x.shape(), y));
  return absl::OkStatus();
}

ir::OpSchema PReluSchema() {
  ir::OpSchema s;
  s.name = "PRelu";
  s.min_inputs = s.max_inputs = 2;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < 2; ++i) {
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const Shape& x = InputType(node, 0).shape;
    if (absl::Status st = CheckSlope(x, InputType(node, 1).shape); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = x;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& slope = *inputs[1];
    if (absl::Status st = CheckSlope(x.shape(), slope.shape()); !st.ok()) return st;
    outputs.push_back(BroadcastBinary<float, float>(
        x, slope, x.shape(), [](float v, float a) { return v >= 0.f ? v : a * v; }));
    return absl::OkStatus();
  };
  s.qkind = ir::QuantKind::kArithmetic;
  s.qfloat_inputs = {1};  // slopes: exact in the per-channel records
  s.qprepare = PreparePRelu;
  s.qkernel = PReluKernel;
  return s;
}

OPENBPU_REGISTER_OP(PRelu, PReluSchema());

}  // namespace
}  // namespace openbpu::ops
