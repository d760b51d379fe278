// The float kernels by op name: one implementation of each op's float semantics, run by the
// compiler's reference interpreter (through the op's schema, compiler/ops) and by the runtime
// for the CPU segments of hybrid models (which may not use compiler/). An op's kernel registers
// here with OPENBPU_REGISTER_FLOAT_KERNEL; //compiler/ops:float_kernel_coverage_test walks the
// op registry and fails for an op without one (compiler/ops/float_kernels_pending.txt, which
// only shrinks, lists those not moved here yet).
#ifndef OPENBPU_COMMON_KERNELS_REGISTRY_H_
#define OPENBPU_COMMON_KERNELS_REGISTRY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// inputs[i] is null for an omitted optional input; `outputs` arrives empty and gets one tensor
// per output. Errors name what is wrong (the caller adds the node).
using FloatKernel =
    std::function<absl::Status(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                               std::vector<Tensor>& outputs)>;

// The attribute in which a caller tells a kernel its node's output count, for the ops whose
// output count their attributes and inputs do not fix (Split into equal parts without input
// `split` or attribute `num_outputs`); the other kernels ignore it. Not an ONNX attribute name:
// node validation rejects it, so it never comes from a model.
inline constexpr char kNodeOutputsAttr[] = "openbpu.node_outputs";

// Returns true (for a static initializer); a second kernel for one op aborts at start-up.
bool RegisterFloatKernel(const std::string& op, FloatKernel kernel);
// Null when `op` has no kernel here.
const FloatKernel* FindFloatKernel(absl::string_view op);
std::vector<std::string> FloatKernelOps();

#define OPENBPU_REGISTER_FLOAT_KERNEL(id, op, kernel)      \
  static const bool openbpu_float_kernel_registered_##id = \
      ::openbpu::kernels::RegisterFloatKernel(op, kernel)

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_REGISTRY_H_
