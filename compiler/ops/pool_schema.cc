// WindowPoolSchema and GlobalPoolSchema: attribute reading and output shapes
// shared by shape inference and the kernels.
#include "compiler/ops/pool_schema.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::Status RequirePoolRank(const Shape& shape) {
  if (shape.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input must have rank >= 3, got ", ShapeToString(shape)));
  }
  return absl::OkStatus();
}

absl::StatusOr<kernels::PoolGeometry> PlanWindowPool(const ir::Node& node, const Shape& shape) {
  if (absl::Status st = RequirePoolRank(shape); !st.ok()) return st;
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

// [N, C, spatial...] of the input's batch and channels.
Shape PooledShape(const Shape& in, const std::vector<int64_t>& spatial) {
  Shape out = {in[0], in[1]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return out;
}

absl::StatusOr<Shape> GlobalPoolShape(const Shape& shape) {
  if (absl::Status st = RequirePoolRank(shape); !st.ok()) return st;
  return PooledShape(shape, std::vector<int64_t>(shape.size() - 2, 1));
}

}  // namespace

ir::OpSchema WindowPoolSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                              std::vector<DType> dtypes, WindowPoolFn pool) {
  ir::OpSchema s;
  s.name = std::move(name);
  s.attrs = {{"auto_pad", ir::AttrKind::kString}, {"ceil_mode", ir::AttrKind::kInt},
             {"dilations", ir::AttrKind::kInts},  {"kernel_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},       {"strides", ir::AttrKind::kInts}};
  s.attrs.insert(s.attrs.end(), extra_attrs.begin(), extra_attrs.end());
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET")).status();
  };
  s.infer = [dtypes](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, dtypes); !st.ok()) return st;
    const Shape& shape = InputType(node, 0).shape;
    absl::StatusOr<kernels::PoolGeometry> g = PlanWindowPool(node, shape);
    if (!g.ok()) return g.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = PooledShape(shape, g->output);
    return absl::OkStatus();
  };
  s.kernel = [pool](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<kernels::PoolGeometry> g = PlanWindowPool(node, x.shape());
    if (!g.ok()) return g.status();
    Tensor y(x.dtype(), PooledShape(x.shape(), g->output));
    if (absl::Status st = pool(node, x, *g, y); !st.ok()) return st;
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

ir::OpSchema GlobalPoolSchema(std::string name, GlobalPoolFn pool) {
  ir::OpSchema s;
  s.name = std::move(name);
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    absl::StatusOr<Shape> shape = GlobalPoolShape(InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = [pool](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<Shape> shape = GlobalPoolShape(x.shape());
    if (!shape.ok()) return shape.status();
    Tensor y(DType::kFloat32, *shape);
    const int64_t channels = x.dim(0) * x.dim(1);
    const int64_t spatial = channels == 0 ? 0 : x.num_elements() / channels;
    pool(x.data<float>(), channels, spatial, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

}  // namespace openbpu::ops
