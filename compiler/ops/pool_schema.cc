// WindowPoolSchema and GlobalPoolSchema; the planning (kernels::PlanWindowPool,
// kernels::GlobalPoolShape) is shared with the float kernels.
#include "compiler/ops/pool_schema.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {

ir::OpSchema WindowPoolSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                              std::vector<DType> dtypes) {
  ir::OpSchema s;
  s.name = name;
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
    absl::StatusOr<kernels::PoolGeometry> g = kernels::PlanWindowPool(node.attrs(), shape);
    if (!g.ok()) return g.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = kernels::PooledShape(shape, g->output);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

ir::OpSchema GlobalPoolSchema(std::string name) {
  ir::OpSchema s;
  s.name = name;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    absl::StatusOr<Shape> shape = kernels::GlobalPoolShape(InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

}  // namespace openbpu::ops
