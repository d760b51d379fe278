// QuantizeLinear (ONNX opset 13, plus the int16 output of opset 21): y = saturate(rne(x / s) + zp)
// per tensor or per `axis` slice. The float-graph form of a quantization border: convert puts one
// where a float value enters quantized nodes (docs/NUMERICS.md "Convert"). The float kernel is in
// common/kernels/qdq.cc.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_linear_common.h"

namespace openbpu::ops {
namespace {

ir::OpSchema QuantizeLinearSchema() {
  ir::OpSchema s;
  s.name = "QuantizeLinear";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    const DType out = node.input(2) == nullptr ? DType::kUInt8 : InputType(node, 2).dtype;
    if (absl::Status st = CheckQdqParams(node, out, {DType::kUInt8, DType::kInt8, DType::kInt16});
        !st.ok()) {
      return st;
    }
    outputs[0].dtype = out;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("QuantizeLinear");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(QuantizeLinear, QuantizeLinearSchema());

}  // namespace
}  // namespace openbpu::ops
