// Helpers shared by the files of the arithmetic family's quantized kernels (quant_util.cc,
// quant_conv_util.cc, quant_matmul_util.cc, quant_eltwise_util.cc, quant_pool_util.cc): scales,
// records, storage and the conv / linear / matmul epilogue. Not for use outside those files.
#ifndef OPENBPU_COMPILER_OPS_QUANT_UTIL_INTERNAL_H_
#define OPENBPU_COMPILER_OPS_QUANT_UTIL_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ops/quant_util.h"
#include "isa/numerics/requantize.h"

namespace openbpu::ops::qarith {

absl::Status NodeError(const ir::Node& node, absl::string_view message);

// The QuantInfo of a value, or an error naming the node.
absl::StatusOr<const ir::QuantInfo*> QuantOf(const ir::Node& node, const ir::Value* v,
                                             absl::string_view what);

absl::StatusOr<float> TensorScale(const ir::Node& node, const ir::Value* v, absl::string_view what);

// Per-channel scales of `count` channels along `axis` of a value (a single
// scale is broadcast to every channel).
absl::StatusOr<std::vector<double>> ChannelScales(const ir::Node& node, const ir::Value* v,
                                                  absl::string_view what, int axis, int64_t count);

absl::StatusOr<numerics::RequantizeRecord> Record(const ir::Node& node, double real);

absl::StatusOr<DType> OutputStorage(const ir::Node& node);

absl::Status RequireIntTensor(const Tensor* t, absl::string_view what, bool allow_int32);

// Every element of an int8 / int16 / int32 tensor, widened to T.
template <typename T>
std::vector<T> ToVector(const Tensor& t) {
  std::vector<T> v(t.num_elements());
  switch (t.dtype()) {
    case DType::kInt8:
      std::copy(t.data<int8_t>(), t.data<int8_t>() + v.size(), v.begin());
      break;
    case DType::kInt16:
      std::copy(t.data<int16_t>(), t.data<int16_t>() + v.size(), v.begin());
      break;
    case DType::kInt32:
      std::copy(t.data<int32_t>(), t.data<int32_t>() + v.size(), v.begin());
      break;
    default:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(t.GetAsInt64(i));
  }
  return v;
}

// A tensor of `storage` dtype filled by fn(i) (values already in range).
template <typename Fn>
Tensor MakeOutput(DType storage, const Shape& shape, Fn fn) {
  Tensor out(storage, shape);
  const int64_t n = out.num_elements();
  switch (storage) {
    case DType::kInt8:
      for (int64_t i = 0; i < n; ++i) out.data<int8_t>()[i] = static_cast<int8_t>(fn(i));
      break;
    case DType::kInt16:
      for (int64_t i = 0; i < n; ++i) out.data<int16_t>()[i] = static_cast<int16_t>(fn(i));
      break;
    default:
      for (int64_t i = 0; i < n; ++i) out.data<int32_t>()[i] = static_cast<int32_t>(fn(i));
  }
  return out;
}

int64_t Product(const std::vector<int64_t>& v);

// Magnitude bound of an int8 / int16 operand.
inline int64_t Bound(DType d) { return d == DType::kInt8 ? 128 : 32768; }

// ---------------------------------------------------------------- epilogue

// Conv / linear / matmul output parameters: per output channel c the
// accumulator record "acc" (s_x s_w[c] / s_out[c]), the sumin record "sumin"
// (s_sumin / s_out[c], zero without sumin) and the activation clamp
// [act_lo, act_hi[c]] (relu: 0; relu6: round(6 / s_out[c])).
absl::Status PrepareEpilogue(ir::Node& node, const std::vector<double>& acc_scales,
                             const ir::Value* sumin, int channel_axis);

// The int32 bias of input `i` (empty when omitted): its scale must be the
// accumulator's s_x * s_w[c].
absl::Status CheckBias(const ir::Node& node, int i, const std::vector<double>& acc_scales);

// Accumulator scales s_x * s_w[c] (double product of two floats: exact).
absl::StatusOr<std::vector<double>> AccScales(const ir::Node& node, int weight_axis,
                                              int64_t channels);

absl::Status CheckActivationInput(const ir::Node& node);

// out[o] for accumulators acc[o] (bias already added), channel of o =
// (o / inner) % channels, sumin element o when given.
absl::StatusOr<Tensor> ApplyEpilogue(const ir::Node& node, const std::vector<int64_t>& acc,
                                     const Shape& shape, int64_t channels, int64_t inner,
                                     const Tensor* sumin);

}  // namespace openbpu::ops::qarith

#endif  // OPENBPU_COMPILER_OPS_QUANT_UTIL_INTERNAL_H_
