// Reshape (ONNX Reshape-14): same bytes, new shape from a constant int64
// input; 0 copies the input dimension unless allowzero=1, -1 is inferred.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

// Shared by shape inference and the kernel so both reject the same cases.
absl::StatusOr<Shape> ReshapeShape(const ir::Node& node, const Shape& in, const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'shape' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'shape' must be 1-D");
  const bool allow_zero = node.attrs().GetInt("allowzero", 0) != 0;
  Shape out = spec.ToInt64Vector();
  int inferred = -1;
  bool has_zero = false;
  int64_t known = 1;  // product of the dimensions other than -1, capped below
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) return absl::InvalidArgumentError("'shape' has more than one -1");
      inferred = static_cast<int>(i);
      continue;
    }
    if (out[i] < -1) {
      return absl::InvalidArgumentError(absl::StrCat("'shape' has invalid value ", out[i]));
    }
    if (out[i] == 0) {
      has_zero = true;
      if (!allow_zero) {
        if (i >= in.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("'shape' has 0 at index ", i, " but the input has rank ", in.size()));
        }
        out[i] = in[i];
      }
    }
    if (out[i] > kMaxElements) {
      return absl::InvalidArgumentError(absl::StrCat("dimension ", out[i], " is too large"));
    }
    known *= out[i];
    if (known > kMaxElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot reshape ", ShapeToString(in), " to ", ShapeToString(out)));
    }
  }
  if (allow_zero && has_zero && inferred >= 0) {
    return absl::InvalidArgumentError("'shape' must not contain both 0 and -1 when allowzero=1");
  }
  const int64_t count = NumElements(in);
  if (inferred >= 0) {
    if (known == 0 || count % known != 0) {
      return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", ShapeToString(in), " to ",
                                                     ShapeToString(spec.ToInt64Vector())));
    }
    out[inferred] = count / known;
  } else if (known != count) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape ", ShapeToString(in), " to ", ShapeToString(out)));
  }
  return out;
}

ir::OpSchema ReshapeSchema() {
  ir::OpSchema s;
  s.name = "Reshape";
  s.min_inputs = s.max_inputs = 2;
  s.attrs = {{"allowzero", ir::AttrKind::kInt}};
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const int64_t v = node.attrs().GetInt("allowzero", 0);
    if (v != 0 && v != 1) {
      return absl::InvalidArgumentError(absl::StrCat("attribute 'allowzero' = ", v, " is invalid"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape =
        ReshapeShape(node, InputType(node, 0).shape, node.input(1)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = ReshapeShape(node, inputs[0]->shape(), *inputs[1]);
    if (!shape.ok()) return shape.status();
    Tensor out = *inputs[0];
    if (absl::Status st = out.Reshape(*shape); !st.ok()) return st;
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Reshape, ReshapeSchema());

}  // namespace
}  // namespace openbpu::ops
