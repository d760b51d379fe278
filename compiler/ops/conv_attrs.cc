// ConvLikeSchema and the node forms of the conv attribute planning.
#include "compiler/ops/conv_attrs.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {

absl::Status ValidateConvAttrs(const ir::Node& node) {
  return kernels::CheckConvAttrs(node.attrs());
}

absl::StatusOr<kernels::ConvAttrs> ReadConvAttrs(const ir::Node& node,
                                                 const std::vector<int64_t>& kernel,
                                                 const Shape* bias, int64_t out_channels) {
  return kernels::ReadConvAttrs(node.attrs(), kernel, bias, out_channels);
}

absl::StatusOr<ConvPlan> PlanConv(const ir::Node& node, const Shape& x, const Shape& w,
                                  const Shape* bias) {
  return kernels::PlanConv(node.attrs(), x, w, bias);
}

ir::OpSchema ConvLikeSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                            ConvPlanFn plan) {
  ir::OpSchema s;
  s.name = name;
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"auto_pad", ir::AttrKind::kString}, {"dilations", ir::AttrKind::kInts},
             {"group", ir::AttrKind::kInt},       {"kernel_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},       {"strides", ir::AttrKind::kInts}};
  s.attrs.insert(s.attrs.end(), extra_attrs.begin(), extra_attrs.end());
  s.validate = ValidateConvAttrs;
  s.weight_input = 1;  // W: [M, C/group, k...] (ConvTranspose: [C, M/group, k...])
  s.bias_input = 2;
  s.weight_channel_axis = [](const ir::Node&) { return 0; };
  s.output_channel_axis = 1;
  s.infer = [plan](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireFloat32Inputs(node); !st.ok()) return st;
    const ir::Value* bias = node.input(2);
    absl::StatusOr<ConvPlan> p = plan(node, InputType(node, 0).shape, InputType(node, 1).shape,
                                      bias == nullptr ? nullptr : &bias->type().shape);
    if (!p.ok()) return p.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = p->output;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

}  // namespace openbpu::ops
