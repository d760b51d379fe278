// Patch sampling and the greedy solver of AdaRound's layer-wise objective (adaround.h).
#include "compiler/quantization/adaround.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/kernels/conv.h"

namespace openbpu::quantization {
namespace {

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// dot(a, b) over n floats with eight partial sums (a fixed order: deterministic).
double Dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  }
  double sum = 0.0;
  for (int l = 0; l < 8; ++l) sum += acc[l];
  for (; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

}  // namespace

bool AdaRoundable(const ir::Node& node) {
  if (node.op() != "Conv" && node.op() != "FusedConv") return false;
  if (node.num_inputs() < 2 || node.input(0) == nullptr || node.input(1) == nullptr) return false;
  const ir::Value* w = node.input(1);
  return !node.input(0)->is_constant() && w->is_constant() && w->type().dtype == DType::kFloat32 &&
         w->constant().shape().size() == 4;
}

absl::Status CollectPatches(const ir::Node& node, const Tensor& x, int sample_index,
                            const PatchSampling& sampling, PatchSet& patches) {
  if (!AdaRoundable(node)) {
    return absl::InvalidArgumentError(
        absl::StrCat("node '", node.name(), "' is not a 2-D convolution with a constant weight"));
  }
  const Shape& w = node.input(1)->constant().shape();
  absl::StatusOr<kernels::ConvPlan> plan = kernels::PlanConv(node.attrs(), x.shape(), w, nullptr);
  if (!plan.ok()) return plan.status();
  if (x.dtype() != DType::kFloat32) return absl::InvalidArgumentError("input is not float32");
  const int64_t n = x.shape()[0], c = x.shape()[1], ih = x.shape()[2], iw = x.shape()[3];
  const int64_t kh = w[2], kw = w[3];
  const kernels::ConvGeometry& g = plan->geometry;
  const int64_t oh = g.output[0], ow = g.output[1];
  patches.length = c * kh * kw;
  std::mt19937_64 gen(sampling.seed ^ Fnv1a(node.name()) ^
                      (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(sample_index + 1)));
  const float* data = x.data<float>();
  // An output no larger than the draws gives every position once: drawing with replacement
  // would repeat positions, and the solver would count a repeated one as fresh evidence (an SE
  // block's 1x1 convolutions would have 64 copies of each sample's one position).
  const int64_t positions = n * oh * ow;
  const bool every = positions <= sampling.per_sample;
  const int draws = every ? static_cast<int>(positions) : sampling.per_sample;
  for (int k = 0; k < draws && patches.count < sampling.max_patches; ++k) {
    // Three draws in a fixed order (uniform_int_distribution's algorithm is the library's; the
    // modulo of a 64-bit draw is the same on every platform).
    const int64_t b =
        every ? k / (oh * ow) : static_cast<int64_t>(gen() % static_cast<uint64_t>(n));
    const int64_t y = every ? k / ow % oh : static_cast<int64_t>(gen() % static_cast<uint64_t>(oh));
    const int64_t xo = every ? k % ow : static_cast<int64_t>(gen() % static_cast<uint64_t>(ow));
    const size_t at = patches.data.size();
    patches.data.resize(at + static_cast<size_t>(patches.length), 0.0f);
    float* row = patches.data.data() + at;
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t r = 0; r < kh; ++r) {
        const int64_t yy = y * g.strides[0] - g.pads_begin[0] + r * g.dilations[0];
        for (int64_t q = 0; q < kw; ++q) {
          const int64_t xx = xo * g.strides[1] - g.pads_begin[1] + q * g.dilations[1];
          if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
          row[(ch * kh + r) * kw + q] = data[((b * c + ch) * ih + yy) * iw + xx];
        }
      }
    }
    ++patches.count;
  }
  return absl::OkStatus();
}

absl::StatusOr<AdaRoundResult> AdaRoundWeight(const Tensor& w, const std::vector<float>& scales,
                                              int64_t group, const PatchSet& patches) {
  const Shape& shape = w.shape();
  if (w.dtype() != DType::kFloat32 || shape.size() != 4 || group < 1 || shape[0] % group != 0) {
    return absl::InvalidArgumentError("AdaRound: weight must be float32 [M, C/group, kh, kw]");
  }
  const int64_t m = shape[0], kg = shape[1] * shape[2] * shape[3];
  if (static_cast<int64_t>(scales.size()) != m) {
    return absl::InvalidArgumentError(
        absl::StrCat("AdaRound: ", scales.size(), " scales for ", m, " output channels"));
  }
  if (patches.count > 0 && patches.length != kg * group) {
    return absl::InvalidArgumentError(absl::StrCat("AdaRound: patches of ", patches.length,
                                                   " values for a weight of ", kg * group));
  }
  AdaRoundResult result;
  result.weight = Tensor(DType::kFloat32, shape);
  const float* wf = w.data<float>();
  float* out = result.weight.data<float>();
  const int64_t per_group = m / group, p = patches.count;
  std::vector<float> xt;  // the group's patches transposed: kg rows of p
  std::vector<double> h;  // kg x kg
  std::vector<double> eps, grad;
  std::vector<float> q;
  for (int64_t gi = 0; gi < group; ++gi) {
    if (p > 0) {
      xt.assign(static_cast<size_t>(kg * p), 0.0f);
      for (int64_t s = 0; s < p; ++s) {
        const float* row = patches.data.data() + s * patches.length + gi * kg;
        for (int64_t i = 0; i < kg; ++i) xt[i * p + s] = row[i];
      }
      h.assign(static_cast<size_t>(kg * kg), 0.0);
      for (int64_t i = 0; i < kg; ++i) {
        for (int64_t j = i; j < kg; ++j) {
          h[i * kg + j] = h[j * kg + i] = Dot(&xt[i * p], &xt[j * p], p);
        }
      }
    }
    for (int64_t o = gi * per_group; o < (gi + 1) * per_group; ++o) {
      const float s = scales[o];
      if (!(s > 0.0f) || !std::isfinite(s)) {
        return absl::InvalidArgumentError(absl::StrCat("AdaRound: scale ", s, " of channel ", o));
      }
      const float inv = 1.0f / s;
      const float* wo = wf + o * kg;
      q.assign(static_cast<size_t>(kg), 0.0f);
      eps.assign(static_cast<size_t>(kg), 0.0);
      for (int64_t i = 0; i < kg; ++i) {
        q[i] = std::clamp(std::nearbyint(wo[i] * inv), -128.0f, 127.0f);
        eps[i] = static_cast<double>(q[i]) - static_cast<double>(wo[i] * inv);
      }
      if (p > 0) {
        grad.assign(static_cast<size_t>(kg), 0.0);  // H eps
        for (int64_t i = 0; i < kg; ++i) {
          if (eps[i] == 0.0) continue;
          const double* hi = &h[i * kg];
          for (int64_t j = 0; j < kg; ++j) grad[j] += eps[i] * hi[j];
        }
        double error = 0.0;
        for (int64_t i = 0; i < kg; ++i) error += eps[i] * grad[i];
        result.error_nearest += error;
        for (int sweep = 0; sweep < 8; ++sweep) {
          bool changed = false;
          for (int64_t i = 0; i < kg; ++i) {
            const double hii = h[i * kg + i];
            if (hii <= 0.0) continue;
            const float lo = std::floor(wo[i] * inv);
            const float alt = q[i] == lo ? lo + 1.0f : lo;
            if (alt < -128.0f || alt > 127.0f || std::fabs(alt - wo[i] * inv) >= 1.0f) continue;
            const double d = static_cast<double>(alt) - q[i];
            const double change = 2.0 * d * grad[i] + d * d * hii;
            if (!(change < -1e-9 * hii)) continue;
            q[i] = alt;
            eps[i] += d;
            const double* hi = &h[i * kg];
            for (int64_t j = 0; j < kg; ++j) grad[j] += d * hi[j];
            error += change;
            changed = true;
          }
          if (!changed) break;
        }
        result.error_learned += error;
      }
      for (int64_t i = 0; i < kg; ++i) {
        if (q[i] != std::clamp(std::nearbyint(wo[i] * inv), -128.0f, 127.0f)) ++result.flipped;
        out[o * kg + i] = q[i] * s;
      }
    }
  }
  return result;
}

}  // namespace openbpu::quantization
