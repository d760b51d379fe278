// Schemas shared by the pooling ops: windowed (AveragePool, MaxPool) and global
// (GlobalAveragePool, GlobalMaxPool) pooling of [N, C, spatial...] inputs; the
// float kernels and their planning are in common/kernels/pool_ops.cc.
#ifndef OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_
#define OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_

#include <string>
#include <vector>

#include "common/kernels/pool.h"
#include "common/tensor.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::ops {

// Schema with the attributes every windowed pool takes (auto_pad, ceil_mode,
// dilations, kernel_shape, pads, strides) plus `extra_attrs`, input 0 of one of
// `dtypes` and rank >= 3, and the float kernel of `name`. Its validator checks auto_pad.
ir::OpSchema WindowPoolSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                              std::vector<DType> dtypes);

// Schema of a float32 global pool over all spatial dimensions of a rank >= 3
// input; the output keeps the spatial dimensions as 1s.
ir::OpSchema GlobalPoolSchema(std::string name);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_POOL_SCHEMA_H_
