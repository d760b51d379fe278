// Dropout (ONNX Dropout-13) in inference mode: the output is the input and the
// optional mask is all true. Training mode (a constant true training_mode
// input) would need random numbers, so it is rejected.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema DropoutSchema() {
  ir::OpSchema s;
  s.name = "Dropout";
  s.min_inputs = 1;
  s.max_inputs = 3;
  s.min_outputs = 1;
  s.max_outputs = 2;
  // The seed only matters in training mode.
  s.attrs = {{"seed", ir::AttrKind::kInt}};
  // ratio (input 1) is ignored at inference, so it may be computed at run time.
  s.constant_inputs = {2};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const ir::Value* training = node.input(2);
    if (training == nullptr) return absl::OkStatus();
    const Tensor& t = training->constant();
    if (t.dtype() != DType::kBool || t.num_elements() != 1) {
      return absl::InvalidArgumentError("input 2 (training_mode) must be a bool scalar");
    }
    if (t.data<bool>()[0]) {
      return absl::UnimplementedError(
          "input 2 (training_mode) = true is not supported: only inference is");
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kFloat64}); !st.ok()) {
      return st;
    }
    if (node.input(1) != nullptr) {
      if (absl::Status st = RequireDType(node, 1, {DType::kFloat32, DType::kFloat64}); !st.ok()) {
        return st;
      }
    }
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = InputType(node, 0).shape;
    if (outputs.size() > 1) {
      outputs[1].dtype = DType::kBool;
      outputs[1].shape = InputType(node, 0).shape;
    }
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Dropout");  // common/kernels/ops_misc.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Dropout, DropoutSchema());

}  // namespace
}  // namespace openbpu::ops
