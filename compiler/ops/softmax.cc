// Softmax (ONNX Softmax-13): normalized exponentials along one `axis` (default
// -1); the importer rewrites the pre-13 2-D coercing form.
#include "common/kernels/softmax.h"

#include <algorithm>
#include <cmath>

#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_table_util.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"
#include "isa/numerics/softmax.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SoftmaxSchema() {
  ir::OpSchema s;
  s.name = "Softmax";
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    const Shape& shape = InputType(node, 0).shape;
    absl::StatusOr<int> axis =
        NormalizeAxis(node.attrs().GetInt("axis", -1), static_cast<int>(shape.size()));
    if (!axis.ok()) return axis.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Softmax");  // common/kernels/ops_misc.cc
  s.kernel_from_registry = true;
  return s;
}

// Quantized (docs/NUMERICS.md, "Softmax"): qprepare builds the exp table (int8 input: 256
// int32 entries "exp_table" indexed by d + 255; int16 input: the exp SegmentLUT
// "segment_record" / "segment_tables"), "reciprocal_table" and the record of 1 / s_out;
// qkernel unpacks them into numerics::SoftmaxParams and runs numerics::Softmax, the integer
// row loop (isa/numerics/softmax.h, where the simulator can reach it).

absl::StatusOr<int> QuantAxis(const ir::Node& node, const Shape& shape) {
  absl::StatusOr<int> axis =
      NormalizeAxis(node.attrs().GetInt("axis", -1), static_cast<int>(shape.size()));
  if (!axis.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node, axis.status().message());
  }
  return axis;
}

absl::Status PrepareSoftmax(ir::Node& node, const ir::QuantOpContext& ctx) {
  absl::StatusOr<std::pair<DType, double>> in = qtable::InputQuant(node, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  for (DType d : {in->first, out->first}) {
    if (absl::Status st = qtable::CheckActivationStorage(node, d, ctx); !st.ok()) return st;
  }
  const Shape& shape = InputType(node, 0).shape;
  absl::StatusOr<int> axis = QuantAxis(node, shape);
  if (!axis.ok()) return axis.status();
  if (shape.empty() || shape[*axis] > numerics::kMaxSoftmaxLength) {
    return absl::UnimplementedError(absl::StrCat(
        node.Describe(), ": quantized Softmax needs an axis of at most 65536 elements"));
  }
  auto exp_fn = [](double x) { return std::exp(x); };
  const double s_exp = 1.0 / 32767.0;
  qparams::Softmax p;
  if (in->first == DType::kInt8) {
    p.exp_table = numerics::MakeTable(exp_fn, in->second, s_exp, -255,
                                      numerics::kSoftmaxExpTableSize, 0, 32767);
  } else {
    absl::StatusOr<numerics::SegmentLut> lut =
        numerics::Fit(exp_fn, in->second, s_exp, numerics::DividePoints::kEvenly,
                      numerics::SegmentLutMirror::kNone);
    if (!lut.ok()) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node, lut.status().message());
    }
    p.exp_lut = *std::move(lut);
  }
  p.reciprocal_table = numerics::MakeReciprocalTable();
  absl::StatusOr<numerics::RequantizeRecord> record =
      numerics::MakeRequantizeRecord(1.0 / out->second);
  if (!record.ok()) return ir::NodeError(node, record.status());
  p.output = *record;
  return qparams::Store(node, p);
}

absl::Status SoftmaxKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                           std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  absl::StatusOr<int> axis = QuantAxis(node, x.shape());
  if (!axis.ok()) return axis.status();
  if (x.dtype() != DType::kInt8 && x.dtype() != DType::kInt16) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": quantized Softmax takes int8 or int16 input"));
  }
  absl::StatusOr<qparams::Softmax> params = qparams::Load<qparams::Softmax>(node);
  if (!params.ok()) return params.status();
  if ((x.dtype() == DType::kInt8) != !params->exp_table.empty()) {
    return ir::NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat("'softmax' parameters do not match the ", DTypeName(x.dtype()), " input"));
  }
  const int64_t n = x.dim(*axis);
  if (n > numerics::kMaxSoftmaxLength) {
    return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": axis longer than 65536"));
  }
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < *axis; ++d) outer *= x.dim(d);
  for (int d = *axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const std::vector<int64_t> q = x.ToInt64Vector();
  const auto [lo, hi] = qtable::Range(out->first);
  std::vector<int64_t> y(q.size());
  numerics::Softmax(*params, q.data(), outer, n, inner, lo, hi, y.data());
  outputs.push_back(qtable::IntTensor(out->first, x.shape(), y));
  return absl::OkStatus();
}

ir::OpSchema QuantizedSoftmaxSchema() {
  ir::OpSchema s = SoftmaxSchema();
  s.qkind = ir::QuantKind::kTable;
  s.qprepare = PrepareSoftmax;
  s.qcheck = qparams::CheckFn<qparams::Softmax>();
  s.qkernel = SoftmaxKernel;
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Softmax, QuantizedSoftmaxSchema());

}  // namespace
}  // namespace openbpu::ops
