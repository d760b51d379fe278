// Range (ONNX Range-11): start + i * delta for i in [0, ceil((limit - start) /
// delta)); constant scalar inputs of float32, int32 or int64.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

absl::Status CheckScalars(absl::Span<const Tensor* const> in) {
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

// Number of output elements; shared by shape inference and the kernel.
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

ir::OpSchema RangeSchema() {
  ir::OpSchema s;
  s.name = "Range";
  s.min_inputs = s.max_inputs = 3;
  s.constant_inputs = {0, 1, 2};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const Tensor* in[3] = {&node.input(0)->constant(), &node.input(1)->constant(),
                           &node.input(2)->constant()};
    absl::StatusOr<int64_t> n = RangeCount(in);
    if (!n.ok()) return n.status();
    outputs[0].dtype = in[0]->dtype();
    outputs[0].shape = {*n};
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
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
  };
  return s;
}

OPENBPU_REGISTER_OP(Range, RangeSchema());

}  // namespace
}  // namespace openbpu::ops
