// AveragePool (ONNX AveragePool-19): N-d float32 average pooling with pads,
// auto_pad, dilations, ceil_mode and count_include_pad.
#include "common/kernels/pool.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::StatusOr<kernels::PoolGeometry> PlanAveragePool(const ir::Node& node, const Shape& shape) {
  if (shape.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input must have rank >= 3, got ", ShapeToString(shape)));
  }
  absl::StatusOr<kernels::AutoPad> auto_pad =
      kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  if (!node.attrs().Has("kernel_shape")) {
    return absl::InvalidArgumentError("attribute 'kernel_shape' is required");
  }
  return kernels::PlanPool(Shape(shape.begin() + 2, shape.end()),
                           node.attrs().GetInts("kernel_shape"), node.attrs().GetInts("strides"),
                           node.attrs().GetInts("dilations"), node.attrs().GetInts("pads"),
                           *auto_pad, node.attrs().GetInt("ceil_mode", 0) != 0);
}

ir::OpSchema AveragePoolSchema() {
  ir::OpSchema s;
  s.name = "AveragePool";
  s.attrs = {{"auto_pad", ir::AttrKind::kString}, {"ceil_mode", ir::AttrKind::kInt},
             {"dilations", ir::AttrKind::kInts},  {"kernel_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},       {"count_include_pad", ir::AttrKind::kInt},
             {"strides", ir::AttrKind::kInts}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET")).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    const Shape& shape = InputType(node, 0).shape;
    absl::StatusOr<kernels::PoolGeometry> g = PlanAveragePool(node, shape);
    if (!g.ok()) return g.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = {shape[0], shape[1]};
    outputs[0].shape.insert(outputs[0].shape.end(), g->output.begin(), g->output.end());
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<kernels::PoolGeometry> g = PlanAveragePool(node, x.shape());
    if (!g.ok()) return g.status();
    Shape out_shape = {x.dim(0), x.dim(1)};
    out_shape.insert(out_shape.end(), g->output.begin(), g->output.end());
    Tensor y(DType::kFloat32, out_shape);
    kernels::AveragePool(x.data<float>(), x.dim(0) * x.dim(1), *g,
                         node.attrs().GetInt("count_include_pad", 0) != 0, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(AveragePool, AveragePoolSchema());

}  // namespace
}  // namespace openbpu::ops
