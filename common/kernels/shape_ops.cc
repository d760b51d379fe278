// Float kernels of Shape, ConstantOfShape, Range and Cast, with their planning (shape_ops.h).
#include "common/kernels/shape_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/kernels/data_movement.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

Shape ShapeSlice(const AttributeMap& attrs, const Shape& in) {
  const int64_t rank = static_cast<int64_t>(in.size());
  // Out-of-range start/end clamp (Shape-15), they are never an error.
  auto clamp = [rank](int64_t v) {
    if (v < 0) v = std::max<int64_t>(v, -rank) + rank;
    return std::min(v, rank);
  };
  const int64_t start = clamp(attrs.GetInt("start", 0));
  const int64_t end = clamp(attrs.GetInt("end", rank));
  if (start >= end) return {};
  return Shape(in.begin() + start, in.begin() + end);
}

absl::StatusOr<Shape> ConstantOfShapeShape(const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'input' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'input' must be 1-D");
  const Shape shape = spec.ToInt64Vector();
  int64_t count = 1;
  for (int64_t d : shape) {
    // Each factor is capped first, so the product stays below 2^62.
    if (d < 0 || d > kMaxShapeElements || (count *= d) > kMaxShapeElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " is negative or too large"));
    }
  }
  return shape;
}

absl::StatusOr<Tensor> ConstantOfShapeValue(const AttributeMap& attrs) {
  const Tensor* value = attrs.GetTensor("value");
  if (value == nullptr) return Tensor::Scalar<float>(0.f);
  if (value->num_elements() != 1 || DTypeSize(value->dtype()) == 0) {
    return absl::InvalidArgumentError("attribute 'value' must be a one-element tensor");
  }
  return *value;
}

namespace {

constexpr int64_t kMaxElements = kMaxShapeElements;

absl::Status CheckScalars(absl::Span<const Tensor* const> in) {
  if (in.size() < 3 || in[0] == nullptr || in[1] == nullptr || in[2] == nullptr) {
    return absl::InvalidArgumentError("start, limit and delta are required");
  }
  const DType dtype = in[0]->dtype();
  if (dtype != DType::kFloat32 && dtype != DType::kInt32 && dtype != DType::kInt64) {
    return absl::UnimplementedError(absl::StrCat("dtype ", DTypeName(dtype), " is not supported"));
  }
  for (int i = 0; i < 3; ++i) {
    if (in[i]->dtype() != dtype) {
      return absl::InvalidArgumentError("start, limit and delta must have the same dtype");
    }
    if (in[i]->num_elements() != 1 || in[i]->rank() > 1) {
      return absl::InvalidArgumentError("start, limit and delta must be scalars");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> RangeCount(absl::Span<const Tensor* const> in) {
  if (absl::Status st = CheckScalars(in); !st.ok()) return st;
  auto too_large = [] { return absl::InvalidArgumentError("range has too many elements"); };
  if (in[0]->dtype() == DType::kFloat32) {
    // Float32 inputs are exact in double; ceil of the double quotient is what
    // the ONNX reference (numpy.arange) computes.
    const double start = in[0]->GetAsDouble(0);
    const double limit = in[1]->GetAsDouble(0);
    const double delta = in[2]->GetAsDouble(0);
    if (!std::isfinite(start) || !std::isfinite(limit) || !std::isfinite(delta)) {
      return absl::InvalidArgumentError("start, limit and delta must be finite");
    }
    if (delta == 0) return absl::InvalidArgumentError("delta must not be 0");
    const double n = std::ceil((limit - start) / delta);
    if (!(n <= static_cast<double>(kMaxElements))) return too_large();
    return n > 0 ? static_cast<int64_t>(n) : 0;
  }
  // 128-bit arithmetic: limit - start can overflow int64.
  const __int128 start = in[0]->GetAsInt64(0);
  const __int128 limit = in[1]->GetAsInt64(0);
  const __int128 delta = in[2]->GetAsInt64(0);
  if (delta == 0) return absl::InvalidArgumentError("delta must not be 0");
  __int128 diff = limit - start;
  __int128 step = delta;
  if (step < 0) {
    diff = -diff;
    step = -step;
  }
  if (diff <= 0) return 0;
  const __int128 n = (diff + step - 1) / step;
  if (n > kMaxElements) return too_large();
  return static_cast<int64_t>(n);
}

absl::StatusOr<DType> CastTargetDType(const AttributeMap& attrs) {
  if (!attrs.Has("to")) return absl::InvalidArgumentError("attribute 'to' is required");
  const int64_t code = attrs.GetInt("to", 0);
  switch (code) {
    case 1:
      return DType::kFloat32;
    case 2:
      return DType::kUInt8;
    case 3:
      return DType::kInt8;
    case 5:
      return DType::kInt16;
    case 6:
      return DType::kInt32;
    case 7:
      return DType::kInt64;
    case 9:
      return DType::kBool;
    case 11:
      return DType::kFloat64;
    default:
      return absl::UnimplementedError(
          absl::StrCat("attribute 'to' = ", code, " (ONNX data type) is not supported"));
  }
}

namespace {

// Reads only the input's shape (it may have no data).
absl::Status ShapeKernel(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                         std::vector<Tensor>& outputs) {
  const Shape dims = ShapeSlice(attrs, inputs[0]->shape());
  outputs.push_back(Tensor::FromVector<int64_t>({static_cast<int64_t>(dims.size())}, dims));
  return absl::OkStatus();
}

absl::Status ConstantOfShape(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                             std::vector<Tensor>& outputs) {
  absl::StatusOr<Shape> shape = ConstantOfShapeShape(*inputs[0]);
  if (!shape.ok()) return shape.status();
  absl::StatusOr<Tensor> value = ConstantOfShapeValue(attrs);
  if (!value.ok()) return value.status();
  const size_t elem = DTypeSize(value->dtype());
  Tensor out(value->dtype(), *shape);
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::memcpy(out.raw() + i * elem, value->raw(), elem);
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

// start + i * delta: float32 in double, then rounded once; integers exactly.
absl::Status Range(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
  absl::StatusOr<int64_t> n = RangeCount(inputs);
  if (!n.ok()) return n.status();
  Tensor out(inputs[0]->dtype(), {*n});
  switch (out.dtype()) {
    case DType::kFloat32: {
      const double start = inputs[0]->GetAsDouble(0);
      const double delta = inputs[2]->GetAsDouble(0);
      float* dst = out.data<float>();
      for (int64_t i = 0; i < *n; ++i) dst[i] = static_cast<float>(start + i * delta);
      break;
    }
    case DType::kInt32:
    case DType::kInt64: {
      // Every value lies between start and limit, so it fits the dtype.
      const int64_t start = inputs[0]->GetAsInt64(0);
      const int64_t delta = inputs[2]->GetAsInt64(0);
      for (int64_t i = 0; i < *n; ++i) {
        const int64_t v =
            static_cast<int64_t>(static_cast<__int128>(start) + static_cast<__int128>(i) * delta);
        if (out.dtype() == DType::kInt32) {
          out.data<int32_t>()[i] = static_cast<int32_t>(v);
        } else {
          out.data<int64_t>()[i] = v;
        }
      }
      break;
    }
    default:
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(out.dtype()), " is not supported"));
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

template <typename To, typename From>
void ConvertAll(const Tensor& in, Tensor& out) {
  const From* src = in.data<From>();
  To* dst = out.data<To>();
  for (int64_t i = 0; i < in.num_elements(); ++i) dst[i] = ConvertElement<To, From>(src[i]);
}

// Float to integer truncates toward zero and saturates (undefined in ONNX); NaN becomes 0.
absl::Status Cast(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                  std::vector<Tensor>& outputs) {
  absl::StatusOr<DType> to = CastTargetDType(attrs);
  if (!to.ok()) return to.status();
  const Tensor& x = *inputs[0];
  if (x.dtype() == DType::kInvalid) return absl::InvalidArgumentError("input has no dtype");
  Tensor out(*to, x.shape());
  OPENBPU_DTYPE_SWITCH(x.dtype(), From,
                       OPENBPU_DTYPE_SWITCH(*to, To, (ConvertAll<To, From>(x, out))));
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Shape, "Shape", ShapeKernel);
OPENBPU_REGISTER_FLOAT_KERNEL(ConstantOfShape, "ConstantOfShape", ConstantOfShape);
OPENBPU_REGISTER_FLOAT_KERNEL(Range, "Range", Range);
OPENBPU_REGISTER_FLOAT_KERNEL(Cast, "Cast", Cast);

}  // namespace
}  // namespace openbpu::kernels
