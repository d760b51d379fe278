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
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs[0]->dtype() != DType::kBool) {
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(inputs[0]->dtype()), " is not supported"));
    }
    outputs.push_back(MapUnary<bool>(*inputs[0], [](bool x) { return !x; }));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Not, NotSchema());

}  // namespace
}  // namespace openbpu::ops
