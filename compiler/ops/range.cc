// Range (ONNX Range-11): start + i * delta for i in [0, ceil((limit - start) /
// delta)); constant scalar inputs of float32, int32 or int64. The float kernel
// and kernels::RangeCount are in common/kernels/shape_ops.cc.
#include "common/kernels/shape_ops.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema RangeSchema() {
  ir::OpSchema s;
  s.name = "Range";
  s.min_inputs = s.max_inputs = 3;
  s.constant_inputs = {0, 1, 2};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const Tensor* in[3] = {&node.input(0)->constant(), &node.input(1)->constant(),
                           &node.input(2)->constant()};
    absl::StatusOr<int64_t> n = kernels::RangeCount(in);
    if (!n.ok()) return n.status();
    outputs[0].dtype = in[0]->dtype();
    outputs[0].shape = {*n};
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Range");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Range, RangeSchema());

}  // namespace
}  // namespace openbpu::ops
