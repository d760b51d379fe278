// Pow (ONNX Pow-15): base^exponent with broadcasting. The output has the base's
// dtype; like numpy, mixed types are computed in double and converted back,
// and integer^integer is exact (wrapping on overflow). The float kernel is in
// common/kernels/binary.cc.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema PowSchema() {
  ir::OpSchema s;
  s.name = "Pow";
  s.min_inputs = s.max_inputs = 2;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
        !st.ok()) {
      return st;
    }
    if (absl::Status st = RequireDType(node, 1, kernels::kPowExponentDTypes); !st.ok()) return st;
    absl::StatusOr<Shape> shape =
        BroadcastShapes(InputType(node, 0).shape, InputType(node, 1).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Pow");  // common/kernels/binary.cc
  s.kernel_from_registry = true;
  return s;
}

// Quantized (docs/NUMERICS.md, "Lookup tables"): a table of x^e for the constant exponent e
// (a scalar, or one value broadcast; a quantized constant is used as q * scale). NaN
// results (negative base, fractional e) become 0, infinite ones saturate.
absl::StatusOr<std::function<double(double)>> PowFunction(const ir::Node& node, double) {
  absl::StatusOr<std::vector<double>> e = qtable::ConstantReal(node, 1);
  if (!e.ok()) return e.status();
  if (e->empty() || NumElements(InputType(node, 1).shape) != 1 ||
      InputType(node, 1).shape.size() > InputType(node, 0).shape.size()) {
    return absl::UnimplementedError("quantized Pow needs a single constant exponent");
  }
  const double exponent = (*e)[0];
  return [exponent](double x) { return std::pow(x, exponent); };
}

ir::OpSchema QuantizedPowSchema() {
  ir::OpSchema s = PowSchema();
  qtable::MakeUnaryTableOp(s, PowFunction);
  s.qfloat_inputs = {1};  // the exponent stays exact (2, not 1.992)
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 32;
  return s;
}

OPENBPU_REGISTER_OP(Pow, QuantizedPowSchema());

}  // namespace
}  // namespace openbpu::ops
