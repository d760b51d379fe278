// DepthToSpace (ONNX DepthToSpace-13): moves blocksize x blocksize groups of
// channels into spatial blocks of a 4-D tensor of any dtype, in DCR or CRD order.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct DepthToSpacePlan {
  int64_t block = 0;
  bool crd = false;
  Shape shape;  // output shape
};

absl::StatusOr<DepthToSpacePlan> PlanDepthToSpace(const ir::Node& node, const Shape& in) {
  DepthToSpacePlan plan;
  const std::string mode = node.attrs().GetString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") {
    return absl::InvalidArgumentError(absl::StrCat("invalid attribute 'mode' = '", mode, "'"));
  }
  plan.crd = mode == "CRD";
  if (!node.attrs().Has("blocksize")) {
    return absl::InvalidArgumentError("attribute 'blocksize' is required");
  }
  plan.block = node.attrs().GetInt("blocksize", 0);
  if (plan.block < 1 || plan.block > (int64_t{1} << 15)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blocksize ", plan.block));
  }
  if (in.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat("input must be 4-D, got ", ShapeToString(in)));
  }
  const int64_t bb = plan.block * plan.block;
  if (in[1] % bb != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("channels ", in[1], " are not a multiple of blocksize^2 = ", bb));
  }
  plan.shape = {in[0], in[1] / bb, in[2] * plan.block, in[3] * plan.block};
  return plan;
}

template <typename Word>
void DepthToSpaceCopy(const Tensor& x, const DepthToSpacePlan& plan, Tensor& y) {
  const Word* src = reinterpret_cast<const Word*>(x.raw());
  Word* dst = reinterpret_cast<Word*>(y.raw());
  const int64_t b = plan.block;
  const int64_t n = x.dim(0), c_in = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t c_out = c_in / (b * b);
  for (int64_t in_n = 0; in_n < n; ++in_n) {
    for (int64_t c = 0; c < c_out; ++c) {
      for (int64_t oh = 0; oh < h * b; ++oh) {
        for (int64_t ow = 0; ow < w * b; ++ow) {
          const int64_t i = oh % b, j = ow % b;
          // DCR: channel (i, j, c); CRD: channel (c, i, j).
          const int64_t ch = plan.crd ? (c * b + i) * b + j : (i * b + j) * c_out + c;
          *dst++ = src[((in_n * c_in + ch) * h + oh / b) * w + ow / b];
        }
      }
    }
  }
}

ir::OpSchema DepthToSpaceSchema() {
  ir::OpSchema s;
  s.name = "DepthToSpace";
  s.attrs = {{"blocksize", ir::AttrKind::kInt}, {"mode", ir::AttrKind::kString}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const std::string mode = node.attrs().GetString("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") {
      return absl::InvalidArgumentError(absl::StrCat("invalid attribute 'mode' = '", mode, "'"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<DepthToSpacePlan> plan = PlanDepthToSpace(node, InputType(node, 0).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<DepthToSpacePlan> plan = PlanDepthToSpace(node, x.shape());
    if (!plan.ok()) return plan.status();
    Tensor y(x.dtype(), plan->shape);
    if (absl::Status st = WithElementWord(
            x.dtype(), [&](auto word) { DepthToSpaceCopy<decltype(word)>(x, *plan, y); });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(DepthToSpace, DepthToSpaceSchema());

}  // namespace
}  // namespace openbpu::ops
