// Pooling: each dimension's windows are clipped to the input once (first index
// and count per output position), then every window is walked directly, so the
// padding is never materialized.
#include "common/kernels/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace openbpu::kernels {
namespace {

// Attribute values above this are rejected, which keeps every index product
// in int64.
constexpr int64_t kMaxPoolParam = int64_t{1} << 31;

// Windows of one spatial dimension, per output position.
struct AxisWindows {
  std::vector<int64_t> first;   // first input index inside the input
  std::vector<int64_t> count;   // window taps inside the input
  std::vector<int64_t> padded;  // window taps inside begin pad + input + end pad
};

AxisWindows PlanAxis(const PoolGeometry& g, int d) {
  const int64_t in = g.input[d];
  const int64_t k = g.kernel[d];
  const int64_t s = g.strides[d];
  const int64_t dil = g.dilations[d];
  const int64_t out = g.output[d];
  AxisWindows w;
  w.first.resize(out);
  w.count.resize(out);
  w.padded.resize(out);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - g.pads_begin[d];  // >= -pads_begin
    const int64_t lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
    const int64_t hi = start <= in - 1 ? std::min(k - 1, (in - 1 - start) / dil) : -1;
    w.count[o] = std::max<int64_t>(0, hi - lo + 1);
    w.first[o] = w.count[o] > 0 ? start + lo * dil : 0;
    const int64_t limit = in + g.pads_end[d] - 1 - start;
    w.padded[o] = limit >= 0 ? std::min(k - 1, limit / dil) + 1 : 0;
  }
  return w;
}

struct Plan {
  int rank = 0;
  std::vector<AxisWindows> axes;
  std::vector<int64_t> in_strides;  // within one channel
  std::vector<int64_t> dilations;
  int64_t in_size = 1;   // elements per input channel
  int64_t out_size = 1;  // elements per output channel
};

Plan MakePlan(const PoolGeometry& g) {
  Plan p;
  p.rank = static_cast<int>(g.input.size());
  p.dilations = g.dilations;
  p.in_strides.assign(p.rank, 1);
  for (int d = p.rank - 1; d >= 0; --d) {
    p.in_strides[d] = p.in_size;
    p.in_size *= g.input[d];
    p.out_size *= g.output[d];
  }
  for (int d = 0; d < p.rank; ++d) p.axes.push_back(PlanAxis(g, d));
  return p;
}

// Calls fn(value) for every input element of the window whose per-dimension
// first index and tap count are given; `p` is the channel's first element.
template <typename T, typename Fn>
void VisitWindow(const T* p, int d, const Plan& plan, const int64_t* first, const int64_t* count,
                 Fn& fn) {
  const int64_t step = plan.in_strides[d] * plan.dilations[d];
  p += first[d] * plan.in_strides[d];
  if (d + 1 == plan.rank) {
    for (int64_t t = 0; t < count[d]; ++t) fn(p[t * step]);
    return;
  }
  for (int64_t t = 0; t < count[d]; ++t) VisitWindow(p + t * step, d + 1, plan, first, count, fn);
}

// Calls fn(output index within a channel, first, count, padded) for every
// output position in row-major order.
template <typename Fn>
void ForEachOutput(const Plan& plan, Fn fn) {
  if (plan.out_size == 0) return;
  const int rank = plan.rank;
  std::vector<int64_t> coord(rank, 0), first(rank), count(rank), padded(rank);
  for (int d = 0; d < rank; ++d) {
    first[d] = plan.axes[d].first[0];
    count[d] = plan.axes[d].count[0];
    padded[d] = plan.axes[d].padded[0];
  }
  for (int64_t o = 0; o < plan.out_size; ++o) {
    fn(o, first.data(), count.data(), padded.data());
    for (int d = rank - 1; d >= 0; --d) {
      const AxisWindows& a = plan.axes[d];
      if (++coord[d] == static_cast<int64_t>(a.first.size())) coord[d] = 0;
      first[d] = a.first[coord[d]];
      count[d] = a.count[coord[d]];
      padded[d] = a.padded[coord[d]];
      if (coord[d] != 0) break;
    }
  }
}

template <typename T>
void MaxPoolImpl(const T* in, int64_t channels, const PoolGeometry& g, T* out) {
  const Plan plan = MakePlan(g);
  const T lowest = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
  for (int64_t c = 0; c < channels; ++c) {
    const T* src = in + c * plan.in_size;
    T* dst = out + c * plan.out_size;
    ForEachOutput(plan, [&](int64_t o, const int64_t* first, const int64_t* count,
                            const int64_t* /*padded*/) {
      T m = lowest;
      auto take = [&m](T v) {
        if (v > m) m = v;
      };
      VisitWindow(src, 0, plan, first, count, take);
      dst[o] = m;
    });
  }
}

}  // namespace

absl::StatusOr<AutoPad> ParseAutoPad(absl::string_view name) {
  if (name.empty() || name == "NOTSET") return AutoPad::kNotSet;
  if (name == "VALID") return AutoPad::kValid;
  if (name == "SAME_UPPER") return AutoPad::kSameUpper;
  if (name == "SAME_LOWER") return AutoPad::kSameLower;
  return absl::InvalidArgumentError(absl::StrCat("invalid auto_pad '", name, "'"));
}

absl::StatusOr<PoolGeometry> PlanPool(const std::vector<int64_t>& input_spatial,
                                      const std::vector<int64_t>& kernel,
                                      const std::vector<int64_t>& strides,
                                      const std::vector<int64_t>& dilations,
                                      const std::vector<int64_t>& pads, AutoPad auto_pad,
                                      bool ceil_mode) {
  const size_t rank = input_spatial.size();
  if (rank == 0) return absl::InvalidArgumentError("pooling needs at least one spatial dimension");
  if (kernel.size() != rank) {
    return absl::InvalidArgumentError(absl::StrCat("kernel_shape has ", kernel.size(),
                                                   " values for ", rank, " spatial dimensions"));
  }
  PoolGeometry g;
  g.input = input_spatial;
  g.kernel = kernel;
  g.strides = strides.empty() ? std::vector<int64_t>(rank, 1) : strides;
  g.dilations = dilations.empty() ? std::vector<int64_t>(rank, 1) : dilations;
  if (g.strides.size() != rank || g.dilations.size() != rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("strides and dilations need ", rank, " values each"));
  }
  std::vector<int64_t> p = pads;
  if (auto_pad != AutoPad::kNotSet || p.empty()) p.assign(2 * rank, 0);
  if (p.size() != 2 * rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("pads has ", p.size(), " values, expected ", 2 * rank));
  }
  g.pads_begin.assign(p.begin(), p.begin() + rank);
  g.pads_end.assign(p.begin() + rank, p.end());
  g.output.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = g.input[d];
    const int64_t k = g.kernel[d];
    const int64_t s = g.strides[d];
    const int64_t dil = g.dilations[d];
    if (k < 1 || k > kMaxPoolParam || s < 1 || s > kMaxPoolParam || dil < 1 ||
        dil > kMaxPoolParam) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel_shape, strides and dilations must be in [1, 2^31], got ", k, ", ", s,
                       ", ", dil, " for spatial dimension ", d));
    }
    if (g.pads_begin[d] < 0 || g.pads_begin[d] > kMaxPoolParam || g.pads_end[d] < 0 ||
        g.pads_end[d] > kMaxPoolParam) {
      return absl::InvalidArgumentError(
          absl::StrCat("pads must be in [0, 2^31], got ", g.pads_begin[d], ", ", g.pads_end[d]));
    }
    const int64_t span = (k - 1) * dil + 1;  // dilated window extent
    switch (auto_pad) {
      case AutoPad::kNotSet: {
        const int64_t room = in + g.pads_begin[d] + g.pads_end[d] - span;
        if (room < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("window of extent ", span, " does not fit padded spatial dimension ", d,
                           " of size ", in + g.pads_begin[d] + g.pads_end[d]));
        }
        int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
        // The last window must start inside the input or the begin pad.
        if (ceil_mode && (out - 1) * s >= in + g.pads_begin[d]) --out;
        g.output[d] = out;
        break;
      }
      case AutoPad::kValid:
        if (in < span) {
          return absl::InvalidArgumentError(absl::StrCat(
              "window of extent ", span, " does not fit spatial dimension ", d, " of size ", in));
        }
        g.output[d] = (in - span) / s + 1;
        break;
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        g.output[d] = (in + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (g.output[d] - 1) * s + span - in);
        const int64_t small = total / 2;
        g.pads_begin[d] = auto_pad == AutoPad::kSameUpper ? small : total - small;
        g.pads_end[d] = total - g.pads_begin[d];
        break;
      }
    }
  }
  return g;
}

void MaxPool(const float* in, int64_t channels, const PoolGeometry& g, float* out) {
  MaxPoolImpl(in, channels, g, out);
}
void MaxPool(const int8_t* in, int64_t channels, const PoolGeometry& g, int8_t* out) {
  MaxPoolImpl(in, channels, g, out);
}
void MaxPool(const uint8_t* in, int64_t channels, const PoolGeometry& g, uint8_t* out) {
  MaxPoolImpl(in, channels, g, out);
}

void AveragePool(const float* in, int64_t channels, const PoolGeometry& g, bool count_include_pad,
                 float* out) {
  const Plan plan = MakePlan(g);
  for (int64_t c = 0; c < channels; ++c) {
    const float* src = in + c * plan.in_size;
    float* dst = out + c * plan.out_size;
    ForEachOutput(
        plan, [&](int64_t o, const int64_t* first, const int64_t* count, const int64_t* padded) {
          double sum = 0;
          auto add = [&sum](float v) { sum += v; };
          VisitWindow(src, 0, plan, first, count, add);
          double divisor = 1;
          for (int d = 0; d < plan.rank; ++d) divisor *= count_include_pad ? padded[d] : count[d];
          dst[o] = divisor > 0 ? static_cast<float>(sum / divisor)
                               : std::numeric_limits<float>::quiet_NaN();
        });
  }
}

void GlobalAveragePool(const float* in, int64_t channels, int64_t spatial, float* out) {
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    const float* p = in + c * spatial;
    for (int64_t i = 0; i < spatial; ++i) sum += p[i];
    out[c] = spatial > 0 ? static_cast<float>(sum / static_cast<double>(spatial))
                         : std::numeric_limits<float>::quiet_NaN();
  }
}

void GlobalMaxPool(const float* in, int64_t channels, int64_t spatial, float* out) {
  for (int64_t c = 0; c < channels; ++c) {
    float m = -std::numeric_limits<float>::infinity();
    const float* p = in + c * spatial;
    for (int64_t i = 0; i < spatial; ++i) m = p[i] > m ? p[i] : m;
    out[c] = m;
  }
}

}  // namespace openbpu::kernels
