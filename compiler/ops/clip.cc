// Clip (ONNX Clip-13): min(max(x, min), max) with optional scalar bounds as
// inputs 1 and 2 (constant or not); an omitted bound does not clip. When
// min > max every element becomes max, and NaN passes through, as in numpy.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::Status CheckBound(DType data, const Shape& shape, DType dtype, int index) {
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
      if (absl::Status st = CheckBound(x.dtype, bound.shape, bound.dtype, i); !st.ok()) return st;
    }
    outputs[0].dtype = x.dtype;
    outputs[0].shape = x.shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor* lo = inputs.size() > 1 ? inputs[1] : nullptr;
    const Tensor* hi = inputs.size() > 2 ? inputs[2] : nullptr;
    for (int i = 1; i <= 2; ++i) {
      const Tensor* bound = i == 1 ? lo : hi;
      if (bound == nullptr) continue;
      if (absl::Status st = CheckBound(x.dtype(), bound->shape(), bound->dtype(), i); !st.ok()) {
        return st;
      }
    }
    if (x.dtype() == DType::kBool || x.dtype() == DType::kInvalid) {
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
    }
    OPENBPU_DTYPE_SWITCH(x.dtype(), T, outputs.push_back(ClipTensor<T>(x, lo, hi)));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Clip, ClipSchema());

}  // namespace
}  // namespace openbpu::ops
