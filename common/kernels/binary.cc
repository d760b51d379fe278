// The elementwise ops of two inputs with numpy broadcasting: arithmetic (Add, Sub, Mul, Div, Pow)
// and comparisons (bool outputs). float32 computes in float; the integer dtypes (int8, int16,
// int32, int64, uint8) compute in int64 and narrow back with wraparound, as numpy does.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/kernels/broadcast.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {
namespace {

using FloatFn = float (*)(float, float);
using IntFn = int64_t (*)(int64_t, int64_t);

template <typename T>
Tensor IntBinary(const Tensor& a, const Tensor& b, const Shape& shape, IntFn fn, bool bool_output) {
  if (bool_output) {
    return BroadcastBinary<T, bool>(a, b, shape, [&](T x, T y) { return fn(x, y) != 0; });
  }
  return BroadcastBinary<T, T>(a, b, shape, [&](T x, T y) { return static_cast<T>(fn(x, y)); });
}

FloatKernel Binary(FloatFn float_fn, IntFn int_fn, bool bool_output) {
  return
      [float_fn, int_fn, bool_output](const AttributeMap&, absl::Span<const Tensor* const> inputs,
                                      std::vector<Tensor>& outputs) -> absl::Status {
        if (inputs.size() != 2 || inputs[0] == nullptr || inputs[1] == nullptr) {
          return absl::InvalidArgumentError("expects two inputs");
        }
        const Tensor& a = *inputs[0];
        const Tensor& b = *inputs[1];
        absl::StatusOr<Shape> shape = BroadcastShapes(a.shape(), b.shape());
        if (!shape.ok()) return shape.status();
        if (a.dtype() != b.dtype()) {
          return absl::UnimplementedError(absl::StrCat("dtypes ", DTypeName(a.dtype()), " and ",
                                                       DTypeName(b.dtype()), " are not supported"));
        }
        switch (a.dtype()) {
          case DType::kFloat32:
            if (bool_output) {
              outputs.push_back(BroadcastBinary<float, bool>(
                  a, b, *shape, [&](float x, float y) { return float_fn(x, y) != 0.f; }));
            } else {
              outputs.push_back(BroadcastBinary<float, float>(a, b, *shape, float_fn));
            }
            return absl::OkStatus();
          case DType::kInt8:
            outputs.push_back(IntBinary<int8_t>(a, b, *shape, int_fn, bool_output));
            return absl::OkStatus();
          case DType::kInt16:
            outputs.push_back(IntBinary<int16_t>(a, b, *shape, int_fn, bool_output));
            return absl::OkStatus();
          case DType::kInt32:
            outputs.push_back(IntBinary<int32_t>(a, b, *shape, int_fn, bool_output));
            return absl::OkStatus();
          case DType::kInt64:
            outputs.push_back(IntBinary<int64_t>(a, b, *shape, int_fn, bool_output));
            return absl::OkStatus();
          case DType::kUInt8:
            outputs.push_back(IntBinary<uint8_t>(a, b, *shape, int_fn, bool_output));
            return absl::OkStatus();
          default:
            return absl::UnimplementedError(
                absl::StrCat("dtype ", DTypeName(a.dtype()), " is not supported"));
        }
      };
}

// Two's complement wraparound without signed overflow.
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
// Truncating; x / 0 = 0 and INT64_MIN / -1 wraps (no undefined behavior).
int64_t IntDiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(a));
  return a / b;
}

OPENBPU_REGISTER_FLOAT_KERNEL(Add, "Add",
                              Binary([](float a, float b) { return a + b; }, WrapAdd, false));
OPENBPU_REGISTER_FLOAT_KERNEL(Sub, "Sub",
                              Binary([](float a, float b) { return a - b; }, WrapSub, false));
OPENBPU_REGISTER_FLOAT_KERNEL(Mul, "Mul",
                              Binary([](float a, float b) { return a * b; }, WrapMul, false));
OPENBPU_REGISTER_FLOAT_KERNEL(Div, "Div",
                              Binary([](float a, float b) { return a / b; }, IntDiv, false));
OPENBPU_REGISTER_FLOAT_KERNEL(Greater, "Greater",
                              Binary([](float a, float b) { return a > b ? 1.f : 0.f; },
                                     [](int64_t a, int64_t b) -> int64_t { return a > b; }, true));
OPENBPU_REGISTER_FLOAT_KERNEL(GreaterOrEqual, "GreaterOrEqual",
                              Binary([](float a, float b) { return a >= b ? 1.f : 0.f; },
                                     [](int64_t a, int64_t b) -> int64_t { return a >= b; }, true));
OPENBPU_REGISTER_FLOAT_KERNEL(Less, "Less",
                              Binary([](float a, float b) { return a < b ? 1.f : 0.f; },
                                     [](int64_t a, int64_t b) -> int64_t { return a < b; }, true));
OPENBPU_REGISTER_FLOAT_KERNEL(LessOrEqual, "LessOrEqual",
                              Binary([](float a, float b) { return a <= b ? 1.f : 0.f; },
                                     [](int64_t a, int64_t b) -> int64_t { return a <= b; }, true));

// Where: condition ? X : Y with the three broadcast together; X and Y of any shared dtype, so
// elements are copied as bytes.
absl::Status Where(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
  const Tensor& c = *inputs[0];
  const Tensor& x = *inputs[1];
  const Tensor& y = *inputs[2];
  absl::StatusOr<Shape> shape =
      WhereOutputShape(c.dtype(), x.dtype(), y.dtype(), c.shape(), x.shape(), y.shape());
  if (!shape.ok()) return shape.status();
  Tensor out(x.dtype(), *shape);
  const size_t size = DTypeSize(x.dtype());
  const std::vector<int64_t> ic = BroadcastIndex(c.shape(), *shape);
  const std::vector<int64_t> ix = BroadcastIndex(x.shape(), *shape);
  const std::vector<int64_t> iy = BroadcastIndex(y.shape(), *shape);
  const bool* pc = c.data<bool>();
  uint8_t* po = out.raw();
  for (size_t i = 0; i < ic.size(); ++i) {
    const uint8_t* src = pc[ic[i]] ? x.raw() + ix[i] * size : y.raw() + iy[i] * size;
    std::memcpy(po + i * size, src, size);
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Where, "Where", Where);

// Equal: a == b broadcast, for any dtype (float, the integer types, bool); a bool tensor.
absl::Status Equal(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  if (a.dtype() != b.dtype() || a.dtype() == DType::kInvalid) {
    return absl::InvalidArgumentError(
        absl::StrCat("input dtypes differ: ", DTypeName(a.dtype()), " and ", DTypeName(b.dtype())));
  }
  absl::StatusOr<Shape> shape = BroadcastShapes(a.shape(), b.shape());
  if (!shape.ok()) return shape.status();
  OPENBPU_DTYPE_SWITCH(
      a.dtype(), T,
      outputs.push_back(BroadcastBinary<T, bool>(a, b, *shape, [](T x, T y) { return x == y; })));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Equal, "Equal", Equal);

// PRelu: x >= 0 ? x : slope * x, the slope broadcast to x's shape.
absl::Status PRelu(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor& slope = *inputs[1];
  if (absl::Status st = CheckPReluSlope(x.shape(), slope.shape()); !st.ok()) return st;
  outputs.push_back(BroadcastBinary<float, float>(
      x, slope, x.shape(), [](float v, float a) { return v >= 0.f ? v : a * v; }));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(PRelu, "PRelu", PRelu);

// Max / Min of 1..N inputs (broadcast together); a NaN in any input gives NaN, as numpy.maximum /
// numpy.minimum.
template <bool kMax>
absl::Status Extremum(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                      std::vector<Tensor>& outputs) {
  std::vector<DType> dtypes;
  std::vector<Shape> shapes;
  for (const Tensor* t : inputs) {
    if (t == nullptr) return absl::InvalidArgumentError("an input is missing");
    dtypes.push_back(t->dtype());
    shapes.push_back(t->shape());
  }
  if (dtypes.empty()) return absl::InvalidArgumentError("no inputs");
  absl::StatusOr<Shape> shape = VariadicOutputShape(dtypes, shapes);
  if (!shape.ok()) return shape.status();
  if (dtypes[0] == DType::kBool || dtypes[0] == DType::kInvalid) {
    return absl::UnimplementedError(
        absl::StrCat("dtype ", DTypeName(dtypes[0]), " is not supported"));
  }
  Tensor out;
  OPENBPU_DTYPE_SWITCH(dtypes[0], T, out = BroadcastFold<T>(inputs, *shape, [](T a, T b) {
                                       if constexpr (std::is_floating_point_v<T>) {
                                         if (std::isnan(a) || std::isnan(b)) {
                                           return std::numeric_limits<T>::quiet_NaN();
                                         }
                                       }
                                       return kMax ? (b > a ? b : a) : (b < a ? b : a);
                                     }));
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Max, "Max", Extremum<true>);
OPENBPU_REGISTER_FLOAT_KERNEL(Min, "Min", Extremum<false>);

// Pow (ONNX Pow-15): base^exponent with broadcasting. The output has the base's dtype; like
// numpy, mixed types are computed in double and converted back (ConvertElement), and
// integer^integer is exact (wrapping on overflow).

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

absl::Status Pow(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) {
  const Tensor& base = *inputs[0];
  const Tensor& exponent = *inputs[1];
  bool exponent_ok = false;
  for (DType d : kPowExponentDTypes) exponent_ok |= exponent.dtype() == d;
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
}

OPENBPU_REGISTER_FLOAT_KERNEL(Pow, "Pow", Pow);

}  // namespace
}  // namespace openbpu::kernels
