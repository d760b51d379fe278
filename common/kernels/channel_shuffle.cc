// The ChannelShuffle kernel (channel_shuffle.h): moves elements of any dtype bit-exactly.
#include "common/kernels/channel_shuffle.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<int64_t> ChannelShuffleGroup(const AttributeMap& attrs, const Shape& shape) {
  if (!attrs.Has("group")) return absl::InvalidArgumentError("attribute 'group' is required");
  const int64_t group = attrs.GetInt("group", 0);
  if (shape.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("input must have rank >= 2 ([N, C, ...]), got ", ShapeToString(shape)));
  }
  if (group < 1 || shape[1] % group != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("group ", group, " does not divide the ", shape[1], " channels"));
  }
  return group;
}

namespace {

absl::Status ChannelShuffle(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                            std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<int64_t> group = ChannelShuffleGroup(attrs, x.shape());
  if (!group.ok()) return group.status();
  const size_t es = DTypeSize(x.dtype());
  if (es == 0) return absl::InvalidArgumentError("input has no dtype");
  Tensor y(x.dtype(), x.shape());
  const int64_t n = x.dim(0), c = x.dim(1), per = c / *group;
  const int64_t inner = c == 0 || n == 0 ? 0 : x.num_elements() / (n * c);
  const size_t run = static_cast<size_t>(inner) * es;  // one channel's elements
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < *group; ++i) {
      for (int64_t j = 0; j < per; ++j) {
        const int64_t from = b * c + i * per + j, to = b * c + j * *group + i;
        if (run > 0) std::memcpy(y.raw() + to * run, x.raw() + from * run, run);
      }
    }
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(ChannelShuffle, "ChannelShuffle", ChannelShuffle);

}  // namespace
}  // namespace openbpu::kernels
