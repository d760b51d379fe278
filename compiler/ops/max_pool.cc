// MaxPool (ONNX MaxPool-12): N-d max pooling of float32 / int8 / uint8 with
// pads, auto_pad, dilations and ceil_mode; the Indices output is not supported.
#include "absl/strings/str_cat.h"
#include "compiler/ops/pool_schema.h"

namespace openbpu::ops {
namespace {

ir::OpSchema MaxPoolSchema() {
  ir::OpSchema s =
      WindowPoolSchema("MaxPool", {{"storage_order", ir::AttrKind::kInt}},
                       {DType::kFloat32, DType::kInt8, DType::kUInt8},
                       [](const ir::Node& /*node*/, const Tensor& x, const kernels::PoolGeometry& g,
                          Tensor& y) -> absl::Status {
                         const int64_t channels = x.dim(0) * x.dim(1);
                         switch (x.dtype()) {
                           case DType::kFloat32:
                             kernels::MaxPool(x.data<float>(), channels, g, y.data<float>());
                             return absl::OkStatus();
                           case DType::kInt8:
                             kernels::MaxPool(x.data<int8_t>(), channels, g, y.data<int8_t>());
                             return absl::OkStatus();
                           case DType::kUInt8:
                             kernels::MaxPool(x.data<uint8_t>(), channels, g, y.data<uint8_t>());
                             return absl::OkStatus();
                           default:
                             return absl::UnimplementedError(
                                 absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
                         }
                       });
  s.validate = [validate_pool = s.validate](const ir::Node& node) -> absl::Status {
    const int64_t storage_order = node.attrs().GetInt("storage_order", 0);
    if (storage_order != 0) {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'storage_order' = ", storage_order, " is not supported"));
    }
    return validate_pool(node);
  };
  return s;
}

OPENBPU_REGISTER_OP(MaxPool, MaxPoolSchema());

}  // namespace
}  // namespace openbpu::ops
