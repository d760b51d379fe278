// ChannelShuffle (torch.nn.ChannelShuffle; an OpenBPU op, not ONNX's): the channels of [N, C, ...]
// viewed as [N, group, C / group, ...] with the two group axes swapped. Output channel
// j * group + i is input channel i * (C / group) + j. What the reshape-transpose-reshape channel
// shuffle of ShuffleNet computes, as one op (compiler/passes/march_rewrites.h).
#ifndef OPENBPU_COMMON_KERNELS_CHANNEL_SHUFFLE_H_
#define OPENBPU_COMMON_KERNELS_CHANNEL_SHUFFLE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// The validated `group` attribute for an input of `shape`: rank >= 2, group >= 1, C a multiple
// of group.
absl::StatusOr<int64_t> ChannelShuffleGroup(const AttributeMap& attrs, const Shape& shape);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_CHANNEL_SHUFFLE_H_
