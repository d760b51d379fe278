// Broadcasting and elementwise schema builders.
#include "compiler/ops/op_util.h"

#include "common/kernels/registry.h"

namespace openbpu::ops {

static_assert(ir::kMaxTensorElements == kernels::kMaxTensorElements,
              "common/kernels and the compiler bound tensors alike");

std::vector<int64_t> ConstantInts(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  if (v == nullptr || !v->is_constant()) return {};
  return v->constant().ToInt64Vector();
}

std::vector<float> ConstantFloats(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  if (v == nullptr || !v->is_constant()) return {};
  return v->constant().ToFloatVector();
}

const Tensor* ConstantInput(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  return v == nullptr ? nullptr : &v->constant();
}

absl::Status RequireDType(const ir::Node& node, int input, absl::Span<const DType> allowed) {
  const DType d = InputType(node, input).dtype;
  for (DType a : allowed) {
    if (a == d) return absl::OkStatus();
  }
  return absl::UnimplementedError(
      absl::StrCat("input ", input, " has unsupported dtype ", DTypeName(d)));
}

absl::Status RequireFloat32Inputs(const ir::Node& node) {
  for (int i = 0; i < node.num_inputs(); ++i) {
    if (node.input(i) == nullptr) continue;
    if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status ValidateFusedActivation(const ir::Node& node) {
  return kernels::CheckFusedActivation(node.attrs());
}

ir::KernelFn RegistryKernel(std::string name, bool pass_output_count) {
  return [name, pass_output_count](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                   std::vector<Tensor>& outputs) -> absl::Status {
    const kernels::FloatKernel* kernel = kernels::FindFloatKernel(name);
    if (kernel == nullptr) {
      return absl::InternalError(absl::StrCat("no float kernel '", name, "' in common/kernels"));
    }
    absl::Status st;
    if (pass_output_count) {
      AttributeMap attrs = node.attrs();
      attrs.Set(kernels::kNodeOutputsAttr, int64_t{node.num_outputs()});
      st = (*kernel)(attrs, inputs, outputs);
    } else {
      st = (*kernel)(node.attrs(), inputs, outputs);
    }
    if (!st.ok()) return st;
    // A kernel computes every output its op may have; the node keeps those it has.
    if (outputs.size() > static_cast<size_t>(node.num_outputs())) {
      outputs.resize(static_cast<size_t>(node.num_outputs()));
    }
    return absl::OkStatus();
  };
}

ir::OpSchema UnaryKernelSchema(std::string name, std::vector<ir::AttrSpec> attrs) {
  ir::OpSchema s;
  s.name = name;
  s.attrs = std::move(attrs);
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

ir::OpSchema BinaryKernelSchema(std::string name, bool has_int, bool bool_output) {
  ir::OpSchema s;
  s.name = name;
  s.min_inputs = s.max_inputs = 2;
  s.infer = [has_int, bool_output](const ir::Node& node,
                                   std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType a = InputType(node, 0).dtype;
    const DType b = InputType(node, 1).dtype;
    if (a != b) {
      return absl::InvalidArgumentError(
          absl::StrCat("input dtypes differ: ", DTypeName(a), " and ", DTypeName(b)));
    }
    if (absl::Status st = has_int ? RequireDType(node, 0,
                                                 {DType::kFloat32, DType::kInt32, DType::kInt64,
                                                  DType::kInt8, DType::kInt16, DType::kUInt8})
                                  : RequireDType(node, 0, {DType::kFloat32});
        !st.ok()) {
      return st;
    }
    absl::StatusOr<Shape> shape =
        BroadcastShapes(InputType(node, 0).shape, InputType(node, 1).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = bool_output ? DType::kBool : a;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

ir::OpSchema VariadicKernelSchema(std::string name) {
  ir::OpSchema s;
  s.name = name;
  s.min_inputs = 1;
  s.max_inputs = 1 << 16;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    std::vector<DType> dtypes;
    std::vector<Shape> shapes;
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("input ", i, " is missing"));
      }
      dtypes.push_back(InputType(node, i).dtype);
      shapes.push_back(InputType(node, i).shape);
    }
    if (absl::Status st =
            RequireDType(node, 0,
                         {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kInt16,
                          DType::kInt32, DType::kInt64, DType::kUInt8});
        !st.ok()) {
      return st;
    }
    absl::StatusOr<Shape> shape = kernels::VariadicOutputShape(dtypes, shapes);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = dtypes[0];
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

ir::OpSchema ConstantArgCopySchema(
    std::string name,
    std::function<absl::StatusOr<Shape>(const Shape& in, const Tensor& arg)> shape_fn) {
  ir::OpSchema s;
  s.name = name;
  s.min_inputs = s.max_inputs = 2;
  s.constant_inputs = {1};
  s.infer = [shape_fn](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = shape_fn(InputType(node, 0).shape, node.input(1)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

}  // namespace openbpu::ops
