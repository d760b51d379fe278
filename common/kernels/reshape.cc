// Float kernels of the ops that keep the bytes and change the shape: Reshape, Flatten, Squeeze,
// Unsqueeze (any dtype), with their shape planning (data_movement.h).
#include "absl/strings/str_cat.h"
#include "common/kernels/data_movement.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<Shape> ReshapeShape(const AttributeMap& attrs, const Shape& in, const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'shape' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'shape' must be 1-D");
  const bool allow_zero = attrs.GetInt("allowzero", 0) != 0;
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
    if (out[i] > kMaxShapeElements) {
      return absl::InvalidArgumentError(absl::StrCat("dimension ", out[i], " is too large"));
    }
    known *= out[i];
    if (known > kMaxShapeElements) {
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

absl::StatusOr<Shape> FlattenShape(const AttributeMap& attrs, const Shape& in) {
  const int rank = static_cast<int>(in.size());
  int64_t axis = attrs.GetInt("axis", 1);
  // Unlike most axes, Flatten's may equal the rank: [-r, r].
  if (axis < -rank || axis > rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  if (axis < 0) axis += rank;
  Shape out = {1, 1};
  for (int d = 0; d < rank; ++d) out[d < axis ? 0 : 1] *= in[d];
  return out;
}

absl::StatusOr<Shape> SqueezeShape(const Shape& in, const Tensor* axes) {
  const int rank = static_cast<int>(in.size());
  std::vector<bool> drop(rank, false);
  if (axes == nullptr) {
    for (int d = 0; d < rank; ++d) drop[d] = in[d] == 1;
  } else {
    if (axes->dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'axes' must be int64, got ", DTypeName(axes->dtype())));
    }
    if (axes->rank() != 1) return absl::InvalidArgumentError("input 'axes' must be 1-D");
    // An empty `axes` tensor squeezes nothing (ONNX shape inference and
    // reference agree; only an omitted input means "all").
    for (int64_t a : axes->ToInt64Vector()) {
      if (a < -rank || a >= rank) {
        return absl::InvalidArgumentError(
            absl::StrCat("axis ", a, " is out of range for rank ", rank));
      }
      const int axis = static_cast<int>(a < 0 ? a + rank : a);
      if (drop[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
      if (in[axis] != 1) {
        return absl::InvalidArgumentError(absl::StrCat("cannot squeeze axis ", a, " of shape ",
                                                       ShapeToString(in), ": size is not 1"));
      }
      drop[axis] = true;
    }
  }
  Shape out;
  for (int d = 0; d < rank; ++d) {
    if (!drop[d]) out.push_back(in[d]);
  }
  return out;
}

absl::StatusOr<Shape> UnsqueezeShape(const Shape& in, const Tensor& axes) {
  if (axes.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'axes' must be int64, got ", DTypeName(axes.dtype())));
  }
  if (axes.rank() != 1) return absl::InvalidArgumentError("input 'axes' must be 1-D");
  const std::vector<int64_t> values = axes.ToInt64Vector();
  const int64_t out_rank = static_cast<int64_t>(in.size() + values.size());
  std::vector<bool> inserted(out_rank, false);
  for (int64_t a : values) {
    if (a < -out_rank || a >= out_rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", a, " is out of range for output rank ", out_rank));
    }
    const int64_t axis = a < 0 ? a + out_rank : a;
    if (inserted[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
    inserted[axis] = true;
  }
  Shape out(out_rank, 1);
  size_t next = 0;
  for (int64_t d = 0; d < out_rank; ++d) {
    if (!inserted[d]) out[d] = in[next++];
  }
  return out;
}

namespace {

// The input's bytes under the shape `plan(attrs, input shape, inputs)` computes.
template <typename Plan>
FloatKernel Reshaping(Plan plan) {
  return [plan](const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
    absl::StatusOr<Shape> shape = plan(attrs, inputs[0]->shape(), input);
    if (!shape.ok()) return shape.status();
    Tensor out = *inputs[0];
    if (absl::Status st = out.Reshape(*shape); !st.ok()) return st;
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
}

OPENBPU_REGISTER_FLOAT_KERNEL(Reshape, "Reshape",
                              Reshaping([](const AttributeMap& attrs, const Shape& in, auto input) {
                                return input(1) == nullptr
                                           ? absl::InvalidArgumentError("input 'shape' is missing")
                                           : ReshapeShape(attrs, in, *input(1));
                              }));
OPENBPU_REGISTER_FLOAT_KERNEL(Flatten, "Flatten",
                              Reshaping([](const AttributeMap& attrs, const Shape& in, auto) {
                                return FlattenShape(attrs, in);
                              }));
OPENBPU_REGISTER_FLOAT_KERNEL(Squeeze, "Squeeze",
                              Reshaping([](const AttributeMap&, const Shape& in, auto input) {
                                return SqueezeShape(in, input(1));
                              }));
OPENBPU_REGISTER_FLOAT_KERNEL(Unsqueeze, "Unsqueeze",
                              Reshaping([](const AttributeMap&, const Shape& in, auto input) {
                                return input(1) == nullptr
                                           ? absl::InvalidArgumentError("input 'axes' is missing")
                                           : UnsqueezeShape(in, *input(1));
                              }));

}  // namespace
}  // namespace openbpu::kernels
