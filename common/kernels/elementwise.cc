// Elementwise ops of one input over several dtypes: Clip, Neg and Abs (float, and the integer
// dtypes with numpy's wraparound: -lowest and |lowest| are lowest), Not (bool).
#include <cmath>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/kernels/broadcast.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {
namespace {

template <typename T, typename Fn>
Tensor Map(const Tensor& in, Fn fn) {
  Tensor out(in.dtype(), in.shape());
  const T* src = in.data<T>();
  T* dst = out.data<T>();
  for (int64_t i = 0; i < in.num_elements(); ++i) dst[i] = fn(src[i]);
  return out;
}

template <typename T>
T NegOf(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return -x;
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(0) - static_cast<U>(x));
  }
}

template <typename T>
T AbsOf(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fabs(x);
  } else if constexpr (std::is_unsigned_v<T>) {
    return x;
  } else {
    using U = std::make_unsigned_t<T>;
    return x < 0 ? static_cast<T>(static_cast<U>(0) - static_cast<U>(x)) : x;
  }
}

absl::Status Unsupported(DType d) {
  return absl::UnimplementedError(absl::StrCat("dtype ", DTypeName(d), " is not supported"));
}

absl::Status Neg(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  switch (x.dtype()) {
    case DType::kFloat32:
      outputs.push_back(Map<float>(x, NegOf<float>));
      return absl::OkStatus();
    case DType::kFloat64:
      outputs.push_back(Map<double>(x, NegOf<double>));
      return absl::OkStatus();
    case DType::kInt8:
      outputs.push_back(Map<int8_t>(x, NegOf<int8_t>));
      return absl::OkStatus();
    case DType::kInt16:
      outputs.push_back(Map<int16_t>(x, NegOf<int16_t>));
      return absl::OkStatus();
    case DType::kInt32:
      outputs.push_back(Map<int32_t>(x, NegOf<int32_t>));
      return absl::OkStatus();
    case DType::kInt64:
      outputs.push_back(Map<int64_t>(x, NegOf<int64_t>));
      return absl::OkStatus();
    default:
      return Unsupported(x.dtype());
  }
}

absl::Status Abs(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  switch (x.dtype()) {
    case DType::kBool:
    case DType::kInvalid:
      return Unsupported(x.dtype());
    default:
      OPENBPU_DTYPE_SWITCH(x.dtype(), T, outputs.push_back(Map<T>(x, AbsOf<T>)));
      return absl::OkStatus();
  }
}

absl::Status Not(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) {
  if (inputs[0]->dtype() != DType::kBool) return Unsupported(inputs[0]->dtype());
  outputs.push_back(Map<bool>(*inputs[0], [](bool x) { return !x; }));
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckClipBound(DType data, const Shape& shape, DType dtype, int index) {
  if (dtype != data) {
    return absl::InvalidArgumentError(absl::StrCat("input ", index, " has dtype ", DTypeName(dtype),
                                                   ", the data has ", DTypeName(data)));
  }
  if (NumElements(shape) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("input ", index, " must be a scalar, got shape ", ShapeToString(shape)));
  }
  return absl::OkStatus();
}

namespace {

template <typename T>
Tensor ClipTensor(const Tensor& x, const Tensor* lo_t, const Tensor* hi_t) {
  Tensor out = x;
  T* p = out.data<T>();
  const int64_t n = out.num_elements();
  // Comparisons are written so that NaN data is left untouched.
  if (lo_t != nullptr) {
    const T lo = lo_t->data<T>()[0];
    for (int64_t i = 0; i < n; ++i) {
      if (p[i] < lo) p[i] = lo;
    }
  }
  if (hi_t != nullptr) {
    const T hi = hi_t->data<T>()[0];
    for (int64_t i = 0; i < n; ++i) {
      if (p[i] > hi) p[i] = hi;
    }
  }
  return out;
}

// Clip: min(max(x, min), max) with optional scalar bounds (inputs 1 and 2); when min > max every
// element becomes max, and NaN passes through, as in numpy.
absl::Status Clip(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                  std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor* lo = inputs.size() > 1 ? inputs[1] : nullptr;
  const Tensor* hi = inputs.size() > 2 ? inputs[2] : nullptr;
  for (int i = 1; i <= 2; ++i) {
    const Tensor* bound = i == 1 ? lo : hi;
    if (bound == nullptr) continue;
    if (absl::Status st = CheckClipBound(x.dtype(), bound->shape(), bound->dtype(), i); !st.ok()) {
      return st;
    }
  }
  if (x.dtype() == DType::kBool || x.dtype() == DType::kInvalid) return Unsupported(x.dtype());
  OPENBPU_DTYPE_SWITCH(x.dtype(), T, outputs.push_back(ClipTensor<T>(x, lo, hi)));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Clip, "Clip", Clip);
OPENBPU_REGISTER_FLOAT_KERNEL(Neg, "Neg", Neg);
OPENBPU_REGISTER_FLOAT_KERNEL(Abs, "Abs", Abs);
OPENBPU_REGISTER_FLOAT_KERNEL(Not, "Not", Not);

}  // namespace
}  // namespace openbpu::kernels
