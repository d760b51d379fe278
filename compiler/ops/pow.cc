// Pow (ONNX Pow-15): base^exponent with broadcasting. The output has the base's
// dtype; like numpy, mixed types are computed in double and converted back,
// and integer^integer is exact (wrapping on overflow).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

// Integer power by squaring in uint64, so overflow wraps instead of being UB.
// A negative exponent truncates 1 / base^-e toward zero.
int64_t IntPow(int64_t base, int64_t e) {
  if (e < 0) {
    if (base == 1) return 1;
    if (base == -1) return (e % 2 == 0) ? 1 : -1;
    return 0;
  }
  uint64_t result = 1;
  uint64_t b = static_cast<uint64_t>(base);
  while (e > 0) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return static_cast<int64_t>(result);
}

bool IsFloat(DType d) { return d == DType::kFloat32 || d == DType::kFloat64; }

template <typename T>
Tensor PowTensor(const Tensor& base, const Tensor& exponent, const Shape& shape) {
  Tensor out(DTypeOf<T>::value, shape);
  const std::vector<int64_t> ib = BroadcastIndex(base.shape(), shape);
  const std::vector<int64_t> ie = BroadcastIndex(exponent.shape(), shape);
  const T* pb = base.data<T>();
  T* po = out.data<T>();
  if (std::is_integral_v<T> && !IsFloat(exponent.dtype())) {
    const std::vector<int64_t> e = exponent.ToInt64Vector();
    for (size_t i = 0; i < ib.size(); ++i) {
      po[i] = static_cast<T>(IntPow(static_cast<int64_t>(pb[ib[i]]), e[ie[i]]));
    }
  } else {
    const Tensor e = exponent.CastTo(DType::kFloat64);
    const double* pe = e.data<double>();
    for (size_t i = 0; i < ib.size(); ++i) {
      po[i] = ConvertElement<T>(std::pow(static_cast<double>(pb[ib[i]]), pe[ie[i]]));
    }
  }
  return out;
}

constexpr std::initializer_list<DType> kExponentDTypes = {
    DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kInt16,
    DType::kInt32,   DType::kInt64,   DType::kUInt8};

ir::OpSchema PowSchema() {
  ir::OpSchema s;
  s.name = "Pow";
  s.min_inputs = s.max_inputs = 2;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
        !st.ok()) {
      return st;
    }
    if (absl::Status st = RequireDType(node, 1, kExponentDTypes); !st.ok()) return st;
    absl::StatusOr<Shape> shape =
        BroadcastShapes(InputType(node, 0).shape, InputType(node, 1).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& base = *inputs[0];
    const Tensor& exponent = *inputs[1];
    bool exponent_ok = false;
    for (DType d : kExponentDTypes) exponent_ok |= exponent.dtype() == d;
    if (!exponent_ok) {
      return absl::UnimplementedError(
          absl::StrCat("exponent dtype ", DTypeName(exponent.dtype()), " is not supported"));
    }
    absl::StatusOr<Shape> shape = BroadcastShapes(base.shape(), exponent.shape());
    if (!shape.ok()) return shape.status();
    switch (base.dtype()) {
      case DType::kFloat32:
        outputs.push_back(PowTensor<float>(base, exponent, *shape));
        return absl::OkStatus();
      case DType::kInt32:
        outputs.push_back(PowTensor<int32_t>(base, exponent, *shape));
        return absl::OkStatus();
      case DType::kInt64:
        outputs.push_back(PowTensor<int64_t>(base, exponent, *shape));
        return absl::OkStatus();
      default:
        return absl::UnimplementedError(
            absl::StrCat("base dtype ", DTypeName(base.dtype()), " is not supported"));
    }
  };
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
