// Observers: collect statistics of float tensors during calibration and turn them into symmetric
// scales (docs/NUMERICS.md "Observers"). Deterministic: the same batches in the same order give
// bit-identical scales.
#ifndef OPENBPU_COMPILER_QUANTIZATION_OBSERVER_H_
#define OPENBPU_COMPILER_QUANTIZATION_OBSERVER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization {

// amax = max(-min(min_val, 0), max(max_val, 0)); scale = max(amax / ((qmax - qmin) / 2), eps)
// in float32 (amax / 127.5 for qint8, amax / 32767.5 for qint16), eps = 2^-23. The same as
// torch's per_tensor_symmetric / per_channel_symmetric observers.
float SymmetricScale(float min_val, float max_val, QDType dtype);

class AbsHistogram;

class Observer {
 public:
  virtual ~Observer() = default;

  // Folds a float32 tensor into the statistics. Empty tensors are ignored; NaN or infinity is an
  // InvalidArgument error (the statistics are left unchanged).
  virtual absl::Status Observe(const Tensor& x) = 0;

  // One scale per tensor, or one per channel. {1.0} before any data (torch's convention).
  virtual std::vector<float> ComputeScales() const = 0;

  // The |x| histogram of the histogram observers (percentile, MSE, KL); null for the others.
  virtual const AbsHistogram* histogram() const { return nullptr; }

  // Running min/max: one entry, or one per channel; empty before the first non-empty batch.
  const std::vector<float>& min_vals() const { return min_vals_; }
  const std::vector<float>& max_vals() const { return max_vals_; }
  bool has_data() const { return !min_vals_.empty(); }
  QDType dtype() const { return dtype_; }
  const ObserverConfig& config() const { return config_; }

 protected:
  Observer(const ObserverConfig& config, QDType dtype) : config_(config), dtype_(dtype) {}

  // Scales from min_vals_/max_vals_ with SymmetricScale.
  std::vector<float> MinMaxScales() const;

  ObserverConfig config_;
  QDType dtype_;
  std::vector<float> min_vals_;
  std::vector<float> max_vals_;
};

// A histogram of |x| over [0, range] with a power-of-two number of bins: bin i holds
// i * range / bins <= |x| < (i + 1) * range / bins (the last bin also holds |x| = range). The range
// starts at the first nonzero batch's max |x| and doubles (merging bin pairs exactly) when a later
// batch exceeds it. Shared by the Percentile, MSE and KL observers.
class AbsHistogram {
 public:
  explicit AbsHistogram(int bins);
  // Requires finite values (checked by the caller).
  void Add(absl::Span<const float> values);

  int bins() const { return static_cast<int>(counts_.size()); }
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t total() const { return total_; }
  uint64_t zeros() const { return zeros_; }  // values exactly 0 (counted in bin 0 too)
  double range() const { return range_; }
  float amax() const { return amax_; }  // exact max |x| seen

 private:
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0, zeros_ = 0;
  double range_ = 0.0;
  float amax_ = 0.0f;
};

// The amax each histogram observer chooses (0 for an empty or all-zero histogram); never above
// the histogram's exact max |x|. The searches are in docs/NUMERICS.md "Histogram observers".
float PercentileAmax(const AbsHistogram& hist, double percentile);
float MseAmax(const AbsHistogram& hist, QDType dtype);
float KlAmax(const AbsHistogram& hist, QDType dtype);

// Builds the observer `config` names for quantized type `dtype` (qint8 or qint16). A per-channel
// config without ch_axis takes `default_ch_axis` (the node's WeightChannelAxis); neither set is an
// InvalidArgument error.
absl::StatusOr<std::unique_ptr<Observer>> MakeObserver(
    const ObserverConfig& config, QDType dtype, std::optional<int> default_ch_axis = std::nullopt);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_OBSERVER_H_
