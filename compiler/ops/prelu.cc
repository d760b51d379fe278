// PRelu (ONNX PRelu-16): x for x >= 0, slope * x below, with `slope`
// broadcast unidirectionally to the shape of x.
#include <cmath>

#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// The output shape is x's: slope must broadcast to it without growing it.
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
  qparams::Slope p;
  p.positive = *pos;
  for (size_t i = 0; i < slope->size(); ++i) {
    absl::StatusOr<numerics::RequantizeRecord> r =
        qexact::MakeRecord(node, std::fabs((*slope)[i]) * ratio);
    if (!r.ok()) return r.status();
    p.negative.push_back(*r);
    p.negative_sign.push_back((*slope)[i] < 0 ? -1 : 1);
  }
  return qparams::Store(node, p);
}

absl::Status PReluKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                         std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Shape& slope_shape = inputs[1]->shape();
  if (absl::Status st = kernels::CheckPReluSlope(x.shape(), slope_shape); !st.ok()) return st;
  const int64_t n_slope = NumElements(slope_shape);
  absl::StatusOr<qparams::Slope> p = qparams::Load<qparams::Slope>(node);
  if (!p.ok()) return p.status();
  if (static_cast<int64_t>(p->negative.size()) != n_slope) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("'slope' parameters have ", p->negative.size(),
                                      " negative records, the slope ", n_slope, " elements"));
  }
  const int32_t* sign = p->negative_sign.data();
  absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(*storage);
  if (!range.ok()) return range.status();
  const std::vector<int64_t> index = BroadcastIndex(slope_shape, x.shape());
  const std::vector<int64_t> q = x.ToInt64Vector();
  std::vector<int64_t> y(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const int64_t c = index[i];
    y[i] = q[i] >= 0
               ? numerics::Requantize(q[i], p->positive, range->first, range->second)
               : numerics::Requantize(sign[c] * q[i], p->negative[c], range->first, range->second);
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
    if (absl::Status st = kernels::CheckPReluSlope(x, InputType(node, 1).shape); !st.ok())
      return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = x;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("PRelu");  // common/kernels/binary.cc
  s.kernel_from_registry = true;
  s.qkind = ir::QuantKind::kArithmetic;
  s.qfloat_inputs = {1};  // slopes: exact in the per-channel records
  s.qprepare = PreparePRelu;
  s.qcheck = qparams::CheckFn<qparams::Slope>();
  s.qkernel = PReluKernel;
  return s;
}

OPENBPU_REGISTER_OP(PRelu, PReluSchema());

}  // namespace
}  // namespace openbpu::ops
