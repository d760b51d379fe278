// Not: elementwise logical negation of a bool tensor.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema NotSchema() {
  ir::OpSchema s;
  s.name = "Not";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kBool}); !st.ok()) return st;
    outputs[0].dtype = DType::kBool;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Not");  // common/kernels/elementwise.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Not, NotSchema());

}  // namespace
}  // namespace openbpu::ops
