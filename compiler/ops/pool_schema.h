// Schemas shared by the pooling ops: windowed (AveragePool, MaxPool) and global
// (GlobalAveragePool, GlobalMaxPool) pooling of [N, C, spatial...] inputs; the
// math is in common/kernels/pool.h.
#ifndef OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_
#define OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/kernels/pool.h"
#include "common/tensor.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::ops {

// Fills `y` ([N, C, g.output...], of x's dtype) from `x` ([N, C, g.input...]).
using WindowPoolFn = std::function<absl::Status(const ir::Node& node, const Tensor& x,
                                                const kernels::PoolGeometry& g, Tensor& y)>;

// Schema with the attributes every windowed pool takes (auto_pad, ceil_mode,
// dilations, kernel_shape, pads, strides) plus `extra_attrs`, input 0 of one of
// `dtypes` and rank >= 3, and `pool` as kernel. Its validator checks auto_pad.
ir::OpSchema WindowPoolSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                              std::vector<DType> dtypes, WindowPoolFn pool);

// in: [channels, spatial], out: [channels] (kernels::GlobalAveragePool, ...).
using GlobalPoolFn = void (*)(const float* in, int64_t channels, int64_t spatial, float* out);

// Schema of a float32 global pool over all spatial dimensions of a rank >= 3
// input; the output keeps the spatial dimensions as 1s.
ir::OpSchema GlobalPoolSchema(std::string name, GlobalPoolFn pool);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_
