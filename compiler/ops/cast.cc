// Cast (ONNX Cast-13): elementwise dtype conversion; `to` is an ONNX
// TensorProto data type code. Float to integer truncates toward zero and
// saturates out-of-range values (undefined in ONNX); NaN becomes 0.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// ONNX TensorProto.DataType codes with a DType here.
absl::StatusOr<DType> TargetDType(int64_t code) {
  switch (code) {
    case 1:
      return DType::kFloat32;
    case 2:
      return DType::kUInt8;
    case 3:
      return DType::kInt8;
    case 5:
      return DType::kInt16;
    case 6:
      return DType::kInt32;
    case 7:
      return DType::kInt64;
    case 9:
      return DType::kBool;
    case 11:
      return DType::kFloat64;
    default:
      return absl::UnimplementedError(
          absl::StrCat("attribute 'to' = ", code, " (ONNX data type) is not supported"));
  }
}

template <typename To, typename From>
void ConvertAll(const Tensor& in, Tensor& out) {
  const From* src = in.data<From>();
  To* dst = out.data<To>();
  for (int64_t i = 0; i < in.num_elements(); ++i) dst[i] = ConvertElement<To, From>(src[i]);
}

ir::OpSchema CastSchema() {
  ir::OpSchema s;
  s.name = "Cast";
  // `saturate` (Cast-19) only affects float8 targets, which are rejected.
  s.attrs = {{"to", ir::AttrKind::kInt}, {"saturate", ir::AttrKind::kInt}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    if (!node.attrs().Has("to")) {
      return absl::InvalidArgumentError("attribute 'to' is required");
    }
    return TargetDType(node.attrs().GetInt("to", 0)).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<DType> to = TargetDType(node.attrs().GetInt("to", 0));
    if (!to.ok()) return to.status();
    outputs[0].dtype = *to;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<DType> to = TargetDType(node.attrs().GetInt("to", 0));
    if (!to.ok()) return to.status();
    const Tensor& x = *inputs[0];
    if (x.dtype() == DType::kInvalid) return absl::InvalidArgumentError("input has no dtype");
    Tensor out(*to, x.shape());
    OPENBPU_DTYPE_SWITCH(x.dtype(), From,
                         OPENBPU_DTYPE_SWITCH(*to, To, (ConvertAll<To, From>(x, out))));
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Cast, CastSchema());

}  // namespace
}  // namespace openbpu::ops
