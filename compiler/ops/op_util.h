// Helpers shared by op files: broadcasting, axis normalization, reading
// constant inputs, and the schema builders that run common/kernels' float kernels.
#ifndef OPENBPU_COMPILER_OPS_OP_UTIL_H_
#define OPENBPU_COMPILER_OPS_OP_UTIL_H_

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/kernels/broadcast.h"
#include "common/kernels/fused.h"
#include "common/kernels/kernel_util.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::ops {

// Multidirectional (numpy) broadcast of two shapes (common/kernels/broadcast.h).
using kernels::BroadcastShapes;

// Multidirectional broadcast of any number of shapes (common/kernels/broadcast.h).
using kernels::BroadcastShapesN;

// Maps axis in [-rank, rank) to [0, rank) (common/kernels/kernel_util.h).
using kernels::NormalizeAxis;

// The values of constant input `i` as int64 (empty if the input is omitted).
std::vector<int64_t> ConstantInts(const ir::Node& node, int i);
std::vector<float> ConstantFloats(const ir::Node& node, int i);
// Constant input `i` (null if the input is omitted).
const Tensor* ConstantInput(const ir::Node& node, int i);

// Input i's type; the caller has checked that the input exists.
inline const ir::TensorType& InputType(const ir::Node& node, int i) {
  return node.input(i)->type();
}

absl::Status RequireDType(const ir::Node& node, int input, absl::Span<const DType> allowed);

// Every present input is float32.
absl::Status RequireFloat32Inputs(const ir::Node& node);

// The epilogue of the fused ops (FusedConv, FusedLinear): attribute
// `activation` is none, relu or relu6 (UNIMPLEMENTED otherwise; kernels::CheckFusedActivation).
absl::Status ValidateFusedActivation(const ir::Node& node);

// The optional sumin input (null when omitted) has exactly the output's shape
// (common/kernels/fused.h).
using kernels::CheckSuminShape;

// Broadcast indices (common/kernels/broadcast.h).
using kernels::BroadcastIndex;

// The float kernel of op `name` from common/kernels/registry.h (looked up when it runs), with
// the node's attributes; the schema is marked kernel_from_registry. With `pass_output_count` the
// attributes also carry the node's output count (kernels::kNodeOutputsAttr: Split).
ir::KernelFn RegistryKernel(std::string name, bool pass_output_count = false);

// Schema of an elementwise float32 op of one input whose float kernel is in
// common/kernels (registry.h): output dtype and shape are the input's.
ir::OpSchema UnaryKernelSchema(std::string name, std::vector<ir::AttrSpec> attrs);

// Schema of a broadcasting binary op whose float kernel is in common/kernels (binary.cc):
// float32, and with `has_int` int8/int16/int32/int64/uint8 too; output dtype = input dtype, or
// bool when `bool_output` (comparisons).
ir::OpSchema BinaryKernelSchema(std::string name, bool has_int, bool bool_output);

// Schema of an op over 1..N inputs of one dtype (float32/float64/int8/int16/int32/int64/uint8)
// with multidirectional broadcasting whose kernel is in common/kernels (Max, Min).
ir::OpSchema VariadicKernelSchema(std::string name);

// Element-size dispatch of the kernels that move elements (common/kernels/kernel_util.h).
using kernels::WithElementWord;

// Schema of an op with inputs (data of any dtype, constant argument) whose
// output, of the data's dtype, has shape `shape_fn(data shape, argument)` and
// is filled by its float kernel in common/kernels (Expand, Tile).
ir::OpSchema ConstantArgCopySchema(
    std::string name,
    std::function<absl::StatusOr<Shape>(const Shape& in, const Tensor& arg)> shape_fn);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_OP_UTIL_H_
