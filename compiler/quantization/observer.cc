// The seven observers. Float32 statistics are updated in the same operation order as torch's
// observers (the build disables FMA contraction), so MinMax/MovingAverage* match torch bit for bit.
#include "compiler/quantization/observer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace openbpu::quantization {
namespace {

absl::Status RequireFiniteFloat(const Tensor& x, absl::string_view observer) {
  if (x.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat(observer, " observes float32 tensors, got ", DTypeName(x.dtype())));
  }
  for (float v : x.span<float>()) {
    if (!std::isfinite(v)) {
      return absl::InvalidArgumentError(
          absl::StrCat(observer, ": observed tensor holds a non-finite value (", v, ")"));
    }
  }
  return absl::OkStatus();
}

// Exact min and max of a non-empty span.
std::pair<float, float> MinMaxOf(absl::Span<const float> values) {
  float lo = values[0];
  float hi = values[0];
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

// m <- m + c * (batch - m), each step rounded to float32 as torch's tensor ops do (the python
// float c becomes a float32 scalar operand).
float MovingAverage(float m, float batch, float c) {
  const float diff = batch - m;
  const float step = c * diff;
  return m + step;
}

class MinMaxObserver : public Observer {
 public:
  MinMaxObserver(const ObserverConfig& config, QDType dtype) : Observer(config, dtype) {}

  absl::Status Observe(const Tensor& x) override {
    absl::Status s = RequireFiniteFloat(x, ObserverKindName(config_.kind));
    if (!s.ok() || x.num_elements() == 0) return s;
    auto [lo, hi] = MinMaxOf(x.span<float>());
    if (!has_data()) {
      min_vals_ = {lo};
      max_vals_ = {hi};
    } else if (config_.kind == ObserverKind::kMovingAverageMinMax) {
      const float c = static_cast<float>(config_.averaging_constant);
      min_vals_[0] = MovingAverage(min_vals_[0], lo, c);
      max_vals_[0] = MovingAverage(max_vals_[0], hi, c);
    } else {
      min_vals_[0] = std::min(min_vals_[0], lo);
      max_vals_[0] = std::max(max_vals_[0], hi);
    }
    return absl::OkStatus();
  }

  std::vector<float> ComputeScales() const override { return MinMaxScales(); }
};

class PerChannelObserver : public Observer {
 public:
  PerChannelObserver(const ObserverConfig& config, QDType dtype, int ch_axis)
      : Observer(config, dtype), ch_axis_(ch_axis) {}

  absl::Status Observe(const Tensor& x) override {
    const absl::string_view name = ObserverKindName(config_.kind);
    absl::Status s = RequireFiniteFloat(x, name);
    if (!s.ok() || x.num_elements() == 0) return s;
    const int rank = x.rank();
    const int axis = ch_axis_ < 0 ? ch_axis_ + rank : ch_axis_;
    if (axis < 0 || axis >= rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": ch_axis ", ch_axis_, " is out of range for shape ", ShapeToString(x.shape())));
    }
    const int64_t channels = x.dim(axis);
    if (has_data() && static_cast<int64_t>(min_vals_.size()) != channels) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": ", channels, " channels on axis ",
                                                     axis, ", earlier ", min_vals_.size()));
    }
    int64_t outer = 1;
    for (int i = 0; i < axis; ++i) outer *= x.dim(i);
    int64_t inner = 1;
    for (int i = axis + 1; i < rank; ++i) inner *= x.dim(i);
    const float* data = x.data<float>();
    std::vector<float> lo(channels, std::numeric_limits<float>::infinity());
    std::vector<float> hi(channels, -std::numeric_limits<float>::infinity());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t c = 0; c < channels; ++c) {
        const float* row = data + (o * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          lo[c] = std::min(lo[c], row[i]);
          hi[c] = std::max(hi[c], row[i]);
        }
      }
    }
    if (!has_data()) {
      min_vals_ = std::move(lo);
      max_vals_ = std::move(hi);
      return absl::OkStatus();
    }
    const float avg = static_cast<float>(config_.averaging_constant);
    for (int64_t c = 0; c < channels; ++c) {
      min_vals_[c] = MovingAverage(min_vals_[c], lo[c], avg);
      max_vals_[c] = MovingAverage(max_vals_[c], hi[c], avg);
    }
    return absl::OkStatus();
  }

  std::vector<float> ComputeScales() const override { return MinMaxScales(); }

 private:
  int ch_axis_;
};

class HistogramObserver : public Observer {
 public:
  HistogramObserver(const ObserverConfig& config, QDType dtype)
      : Observer(config, dtype), hist_(config.bins) {}

  absl::Status Observe(const Tensor& x) override {
    absl::Status s = RequireFiniteFloat(x, ObserverKindName(config_.kind));
    if (!s.ok() || x.num_elements() == 0) return s;
    auto [lo, hi] = MinMaxOf(x.span<float>());
    if (!has_data()) {
      min_vals_ = {lo};
      max_vals_ = {hi};
    } else {
      min_vals_[0] = std::min(min_vals_[0], lo);
      max_vals_[0] = std::max(max_vals_[0], hi);
    }
    hist_.Add(x.span<float>());
    return absl::OkStatus();
  }

  std::vector<float> ComputeScales() const override {
    if (!has_data()) return {1.0f};
    float amax = 0.0f;
    switch (config_.kind) {
      case ObserverKind::kPercentile:
        amax = PercentileAmax(hist_, config_.percentile);
        break;
      case ObserverKind::kMSE:
        amax = MseAmax(hist_, dtype_);
        break;
      default:
        amax = KlAmax(hist_, dtype_);
        break;
    }
    return {SymmetricScale(-amax, amax, dtype_)};
  }

  const AbsHistogram* histogram() const override { return &hist_; }

 private:
  AbsHistogram hist_;
};

class FixedScaleObserver : public Observer {
 public:
  FixedScaleObserver(const ObserverConfig& config, QDType dtype) : Observer(config, dtype) {}

  absl::Status Observe(const Tensor& x) override {
    absl::Status s = RequireFiniteFloat(x, ObserverKindName(config_.kind));
    if (!s.ok() || x.num_elements() == 0) return s;
    auto [lo, hi] = MinMaxOf(x.span<float>());
    if (!has_data()) {
      min_vals_ = {lo};
      max_vals_ = {hi};
    } else {
      min_vals_[0] = std::min(min_vals_[0], lo);
      max_vals_[0] = std::max(max_vals_[0], hi);
    }
    return absl::OkStatus();
  }

  std::vector<float> ComputeScales() const override { return {config_.scale}; }
};

}  // namespace

float SymmetricScale(float min_val, float max_val, QDType dtype) {
  const float min_neg = std::min(min_val, 0.0f);
  const float max_pos = std::max(max_val, 0.0f);
  const float amax = std::max(-min_neg, max_pos);
  const float half_range = static_cast<float>(static_cast<double>(QMax(dtype) - QMin(dtype)) / 2);
  return std::max(amax / half_range, std::numeric_limits<float>::epsilon());
}

std::vector<float> Observer::MinMaxScales() const {
  if (!has_data()) return {1.0f};
  std::vector<float> scales(min_vals_.size());
  for (size_t i = 0; i < scales.size(); ++i) {
    scales[i] = SymmetricScale(min_vals_[i], max_vals_[i], dtype_);
  }
  return scales;
}

AbsHistogram::AbsHistogram(int bins) : counts_(bins, 0) {}

void AbsHistogram::Add(absl::Span<const float> values) {
  if (values.empty()) return;
  float batch_amax = 0.0f;
  for (float v : values) batch_amax = std::max(batch_amax, std::fabs(v));
  amax_ = std::max(amax_, batch_amax);
  const int bins = this->bins();
  if (range_ == 0.0) {
    // Until a nonzero value arrives every value is 0, which lands in bin 0 for any range.
    range_ = batch_amax;
  }
  while (range_ < batch_amax) {
    // Doubling the range merges bin pairs exactly: floor(y / 2) == floor(floor(y) / 2).
    range_ *= 2.0;
    for (int i = 0; i < bins / 2; ++i) counts_[i] = counts_[2 * i] + counts_[2 * i + 1];
    std::fill(counts_.begin() + bins / 2, counts_.end(), 0);
  }
  for (float v : values) {
    int64_t index = 0;
    if (range_ > 0.0) {
      // |v| * bins is exact in double; one rounding in the division.
      const double y = static_cast<double>(std::fabs(v)) * bins / range_;
      index = std::min<int64_t>(bins - 1, static_cast<int64_t>(std::floor(y)));
    }
    ++counts_[index];
    if (v == 0.0f) ++zeros_;
  }
  total_ += values.size();
}

float PercentileAmax(const AbsHistogram& hist, double percentile) {
  if (hist.total() == 0 || hist.range() == 0.0) return 0.0f;
  const double target = percentile / 100.0 * static_cast<double>(hist.total());
  const std::vector<uint64_t>& counts = hist.counts();
  uint64_t cumulative = 0;
  int k = hist.bins() - 1;
  for (int i = 0; i < hist.bins(); ++i) {
    cumulative += counts[i];
    if (static_cast<double>(cumulative) >= target) {
      k = i;
      break;
    }
  }
  const float edge = static_cast<float>((k + 1) * hist.range() / hist.bins());
  return std::min(edge, hist.amax());
}

float MseAmax(const AbsHistogram& hist, QDType dtype) {
  if (hist.total() == 0 || hist.range() == 0.0) return 0.0f;
  const std::vector<uint64_t>& counts = hist.counts();
  const int bins = hist.bins();
  int last = 0;  // one past the last nonzero bin
  for (int i = 0; i < bins; ++i) {
    if (counts[i] != 0) last = i + 1;
  }
  const double half_range = static_cast<double>(QMax(dtype) - QMin(dtype)) / 2;
  const double qmax = static_cast<double>(QMax(dtype));
  // Work in bin-width units: candidate amax = k bins, step = k / half_range bins.
  int best_k = bins;
  double best_error = std::numeric_limits<double>::infinity();
  for (int k = std::max(1, bins / 16); k <= bins; ++k) {
    const double step = k / half_range;
    double error = 0.0;
    for (int i = 0; i < last; ++i) {
      if (counts[i] == 0) continue;
      const double center = i + 0.5;
      const double q = std::min(std::nearbyint(center / step), qmax);
      const double diff = center - q * step;
      error += static_cast<double>(counts[i]) * diff * diff;
    }
    if (error < best_error) {
      best_error = error;
      best_k = k;
    }
  }
  const float edge = static_cast<float>(best_k * hist.range() / bins);
  return std::min(edge, hist.amax());
}

float KlAmax(const AbsHistogram& hist, QDType dtype) {
  if (hist.total() == 0 || hist.range() == 0.0) return 0.0f;
  // Exact zeros (a ReLU's output is often half zeros) quantize to 0 at any scale, so they carry
  // no information about the choice; left in bin 0 they form a spike that the candidates' chunk
  // averaging cannot reproduce for any chunk wider than one bin, which made KL prefer the
  // narrowest candidate and clip hard (resnet18: output SQNR 6.6 dB against 25.3 with percentile).
  std::vector<uint64_t> counts = hist.counts();
  counts[0] -= hist.zeros();
  // Quantized levels of |x|: 0 .. qmax, i.e. 2^(bits - 1) of them.
  const int64_t levels = QMax(dtype) + 1;
  // A distribution needs samples: with fewer than kPerBin nonzero values per bin the histogram is
  // mostly empty bins and the divergence measures where the few samples happen to fall (an SE
  // block's gate, 1 value per channel per image, chose a seventh of its range). Halve the
  // resolution (merging bin pairs exactly) until it has them, down to one bin per level, where
  // the only candidate keeps the whole range.
  constexpr uint64_t kPerBin = 8;
  const uint64_t nonzero = hist.total() - hist.zeros();
  while (static_cast<int64_t>(counts.size()) > levels && nonzero < kPerBin * counts.size()) {
    for (size_t i = 0; i < counts.size() / 2; ++i) counts[i] = counts[2 * i] + counts[2 * i + 1];
    counts.resize(counts.size() / 2);
  }
  const int bins = static_cast<int>(counts.size());
  // Smoothing (in counts) so that a bin empty in one distribution but not the other costs a
  // finite amount instead of ruling the candidate out.
  constexpr double kSmooth = 1e-4;
  std::vector<uint64_t> suffix(bins + 1, 0);  // suffix[i] = sum of counts[i..]
  for (int i = bins - 1; i >= 0; --i) suffix[i] = suffix[i + 1] + counts[i];

  int best_i = bins;
  double best_kl = std::numeric_limits<double>::infinity();
  std::vector<double> chunk_sum, p, q;
  std::vector<int64_t> chunk_nonzero;
  const int first = static_cast<int>(std::min<int64_t>(levels, bins));
  for (int i = first; i <= bins; ++i) {
    if (suffix[0] == suffix[i]) continue;  // every value is an outlier: nothing to compare
    const int64_t chunks = std::min<int64_t>(levels, i);
    chunk_sum.assign(chunks, 0.0);
    chunk_nonzero.assign(chunks, 0);
    for (int b = 0; b < i; ++b) {
      const int64_t j = static_cast<int64_t>(b) * chunks / i;
      chunk_sum[j] += static_cast<double>(counts[b]);
      if (counts[b] != 0) ++chunk_nonzero[j];
    }
    // Reference p: the first i bins, outliers clipped into the last one. Candidate q: each chunk's
    // total spread evenly over its nonzero bins.
    p.assign(i, 0.0);
    q.assign(i, 0.0);
    int64_t p_zeros = 0, q_zeros = 0;
    for (int b = 0; b < i; ++b) {
      p[b] = static_cast<double>(counts[b]);
      const int64_t j = static_cast<int64_t>(b) * chunks / i;
      q[b] = counts[b] == 0 ? 0.0 : chunk_sum[j] / static_cast<double>(chunk_nonzero[j]);
      if (b == i - 1) p[b] += static_cast<double>(suffix[i]);
      if (p[b] == 0.0) ++p_zeros;
      if (q[b] == 0.0) ++q_zeros;
    }
    const double p_total = static_cast<double>(suffix[0]);
    const double q_total = static_cast<double>(suffix[0] - suffix[i]);
    const double p_take = kSmooth * static_cast<double>(p_zeros) / (i - p_zeros);
    const double q_take = kSmooth * static_cast<double>(q_zeros) / (i - q_zeros);
    double kl = 0.0;
    for (int b = 0; b < i; ++b) {
      const double pb = (p[b] == 0.0 ? kSmooth : p[b] - p_take) / p_total;
      const double qb = (q[b] == 0.0 ? kSmooth : q[b] - q_take) / q_total;
      kl += pb * std::log(pb / qb);
    }
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  const float edge = static_cast<float>(best_i * hist.range() / bins);
  return std::min(edge, hist.amax());
}

absl::StatusOr<std::unique_ptr<Observer>> MakeObserver(const ObserverConfig& config, QDType dtype,
                                                       std::optional<int> default_ch_axis) {
  OPENBPU_RETURN_IF_ERROR(ValidateObserverConfig(config));
  if (dtype != QDType::kQInt8 && dtype != QDType::kQInt16) {
    return absl::InvalidArgumentError(absl::StrCat(ObserverKindName(config.kind), ": dtype ",
                                                   QDTypeName(dtype),
                                                   " is not observed (qint8 or qint16 only)"));
  }
  switch (config.kind) {
    case ObserverKind::kMinMax:
    case ObserverKind::kMovingAverageMinMax:
      return std::unique_ptr<Observer>(new MinMaxObserver(config, dtype));
    case ObserverKind::kMovingAveragePerChannelMinMax: {
      std::optional<int> axis = config.ch_axis.has_value() ? config.ch_axis : default_ch_axis;
      if (!axis.has_value()) {
        return absl::InvalidArgumentError(
            "MovingAveragePerChannelMinMaxObserver: ch_axis is unset and no weight channel axis "
            "was given");
      }
      return std::unique_ptr<Observer>(new PerChannelObserver(config, dtype, *axis));
    }
    case ObserverKind::kPercentile:
    case ObserverKind::kMSE:
    case ObserverKind::kKL:
      return std::unique_ptr<Observer>(new HistogramObserver(config, dtype));
    case ObserverKind::kFixedScale:
      return std::unique_ptr<Observer>(new FixedScaleObserver(config, dtype));
  }
  return absl::InternalError("unknown observer kind");
}

}  // namespace openbpu::quantization
