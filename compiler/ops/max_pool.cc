// MaxPool (ONNX MaxPool-12): N-d max pooling of float32 / int8 / uint8 with
// pads, auto_pad, dilations and ceil_mode; the Indices output is not supported.
#include "common/kernels/pool.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::StatusOr<kernels::PoolGeometry> PlanMaxPool(const ir::Node& node, const Shape& shape) {
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

ir::OpSchema MaxPoolSchema() {
  ir::OpSchema s;
  s.name = "MaxPool";
  s.attrs = {{"auto_pad", ir::AttrKind::kString}, {"ceil_mode", ir::AttrKind::kInt},
             {"dilations", ir::AttrKind::kInts},  {"kernel_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},       {"storage_order", ir::AttrKind::kInt},
             {"strides", ir::AttrKind::kInts}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const int64_t storage_order = node.attrs().GetInt("storage_order", 0);
    if (storage_order != 0) {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'storage_order' = ", storage_order, " is not supported"));
    }
    return kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET")).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kInt8, DType::kUInt8});
        !st.ok()) {
      return st;
    }
    const Shape& shape = InputType(node, 0).shape;
    absl::StatusOr<kernels::PoolGeometry> g = PlanMaxPool(node, shape);
    if (!g.ok()) return g.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = {shape[0], shape[1]};
    outputs[0].shape.insert(outputs[0].shape.end(), g->output.begin(), g->output.end());
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<kernels::PoolGeometry> g = PlanMaxPool(node, x.shape());
    if (!g.ok()) return g.status();
    Shape out_shape = {x.dim(0), x.dim(1)};
    out_shape.insert(out_shape.end(), g->output.begin(), g->output.end());
    Tensor y(x.dtype(), out_shape);
    const int64_t channels = x.dim(0) * x.dim(1);
    switch (x.dtype()) {
      case DType::kFloat32:
        kernels::MaxPool(x.data<float>(), channels, *g, y.data<float>());
        break;
      case DType::kInt8:
        kernels::MaxPool(x.data<int8_t>(), channels, *g, y.data<int8_t>());
        break;
      case DType::kUInt8:
        kernels::MaxPool(x.data<uint8_t>(), channels, *g, y.data<uint8_t>());
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(MaxPool, MaxPoolSchema());

}  // namespace
}  // namespace openbpu::ops
