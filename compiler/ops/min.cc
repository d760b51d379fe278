// Min (ONNX Min-13): elementwise minimum of 1..N inputs with multidirectional
// broadcasting; a NaN in any input gives NaN, as numpy.minimum.
#include <cmath>
#include <type_traits>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

template <typename T>
T MinOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return b < a ? b : a;
}

absl::StatusOr<Shape> OutputShape(const std::vector<DType>& dtypes,
                                  const std::vector<Shape>& shapes) {
  for (size_t i = 1; i < dtypes.size(); ++i) {
    if (dtypes[i] != dtypes[0]) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " has dtype ",
                                                     DTypeName(dtypes[i]), ", input 0 has ",
                                                     DTypeName(dtypes[0])));
    }
  }
  return BroadcastShapesN(shapes);
}

ir::OpSchema MinSchema() {
  ir::OpSchema s;
  s.name = "Min";
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
    absl::StatusOr<Shape> shape = OutputShape(dtypes, shapes);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = dtypes[0];
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    std::vector<DType> dtypes;
    std::vector<Shape> shapes;
    for (const Tensor* t : inputs) {
      if (t == nullptr) return absl::InvalidArgumentError("an input is missing");
      dtypes.push_back(t->dtype());
      shapes.push_back(t->shape());
    }
    absl::StatusOr<Shape> shape = OutputShape(dtypes, shapes);
    if (!shape.ok()) return shape.status();
    if (dtypes[0] == DType::kBool || dtypes[0] == DType::kInvalid) {
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(dtypes[0]), " is not supported"));
    }
    OPENBPU_DTYPE_SWITCH(dtypes[0], T,
                         outputs.push_back(BroadcastFold<T>(inputs, *shape, MinOf<T>)));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Min, MinSchema());

}  // namespace
}  // namespace openbpu::ops
