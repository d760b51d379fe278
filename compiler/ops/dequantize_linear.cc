// DequantizeLinear (ONNX opset 13, plus int16 input of opset 21): y = (x - zp) * s per tensor or
// per `axis` slice. Convert puts one where a quantized value leaves for float nodes or the graph
// outputs (docs/NUMERICS.md "Convert"). The float kernel is in common/kernels/qdq.cc.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_linear_common.h"

namespace openbpu::ops {
namespace {

ir::OpSchema DequantizeLinearSchema() {
  ir::OpSchema s;
  s.name = "DequantizeLinear";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st =
            RequireDType(node, 0, {DType::kUInt8, DType::kInt8, DType::kInt16, DType::kInt32});
        !st.ok()) {
      return st;
    }
    const DType x = InputType(node, 0).dtype;
    if (absl::Status st = CheckQdqParams(node, x, {x}); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("DequantizeLinear");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(DequantizeLinear, DequantizeLinearSchema());

}  // namespace
}  // namespace openbpu::ops
