// ChannelShuffle (an OpenBPU op, torch.nn.ChannelShuffle; common/kernels/channel_shuffle.h): made
// by the march rewrites from the reshape-transpose-reshape channel shuffle on a march whose op
// table runs ChannelShuffle but not Transpose (bernoulli2). Any dtype; quantized, the same
// integers move (an exact op, the input's quantization).
#include "common/kernels/channel_shuffle.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ChannelShuffleSchema() {
  ir::OpSchema s;
  s.name = "ChannelShuffle";
  s.attrs = {{"group", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::TensorType& in = InputType(node, 0);
    if (DTypeSize(in.dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<int64_t> group = kernels::ChannelShuffleGroup(node.attrs(), in.shape);
    if (!group.ok()) return group.status();
    outputs[0].dtype = in.dtype;
    outputs[0].shape = in.shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("ChannelShuffle");  // common/kernels/channel_shuffle.cc
  s.kernel_from_registry = true;
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(ChannelShuffle, ChannelShuffleSchema());

}  // namespace
}  // namespace openbpu::ops
