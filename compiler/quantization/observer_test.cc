// Observer tests against hand-computed statistics and scales (docs/NUMERICS.md "Observers").
#include "compiler/quantization/observer.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

constexpr float kEps = std::numeric_limits<float>::epsilon();

Tensor Vec(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::FromVector<float>({n}, v);
}

std::unique_ptr<Observer> Make(const ObserverConfig& config, QDType dtype = QDType::kQInt8) {
  absl::StatusOr<std::unique_ptr<Observer>> obs = MakeObserver(config, dtype);
  EXPECT_TRUE(obs.ok()) << obs.status();
  return obs.ok() ? *std::move(obs) : nullptr;
}

TEST(ObserverTest, SymmetricScale) {
  EXPECT_EQ(SymmetricScale(-3.0f, 2.0f, QDType::kQInt8), 3.0f / 127.5f);
  EXPECT_EQ(SymmetricScale(0.5f, 2.0f, QDType::kQInt8), 2.0f / 127.5f);  // min > 0 counts as 0
  EXPECT_EQ(SymmetricScale(-1.0f, -0.5f, QDType::kQInt8), 1.0f / 127.5f);
  EXPECT_EQ(SymmetricScale(-3.0f, 2.0f, QDType::kQInt16), 3.0f / 32767.5f);
  EXPECT_EQ(SymmetricScale(0.0f, 0.0f, QDType::kQInt8), kEps);
  EXPECT_EQ(SymmetricScale(-1e-6f, 1e-6f, QDType::kQInt8), kEps);  // clamped to eps
}

TEST(ObserverTest, MinMax) {
  auto obs = Make(ObserverConfig::MinMax());
  EXPECT_FALSE(obs->has_data());
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{1.0f});
  ASSERT_TRUE(obs->Observe(Vec({1.0f, -2.0f, 3.0f})).ok());
  ASSERT_TRUE(obs->Observe(Vec({0.5f, -4.0f})).ok());
  ASSERT_TRUE(obs->Observe(Vec({})).ok());  // empty: ignored
  EXPECT_EQ(obs->min_vals(), std::vector<float>{-4.0f});
  EXPECT_EQ(obs->max_vals(), std::vector<float>{3.0f});
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{4.0f / 127.5f});
}

TEST(ObserverTest, MovingAverageMinMax) {
  auto obs = Make(ObserverConfig::MovingAverageMinMax(0.5));
  ASSERT_TRUE(obs->Observe(Vec({-2.0f, 3.0f})).ok());  // first batch sets min/max
  EXPECT_EQ(obs->min_vals()[0], -2.0f);
  EXPECT_EQ(obs->max_vals()[0], 3.0f);
  ASSERT_TRUE(obs->Observe(Vec({-4.0f, 1.0f})).ok());
  EXPECT_EQ(obs->min_vals()[0], -3.0f);  // -2 + 0.5 * (-4 - -2)
  EXPECT_EQ(obs->max_vals()[0], 2.0f);   // 3 + 0.5 * (1 - 3)
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{3.0f / 127.5f});
  ASSERT_TRUE(obs->Observe(Vec({1.0f, 6.0f})).ok());
  EXPECT_EQ(obs->min_vals()[0], -1.0f);  // -3 + 0.5 * (1 - -3)
  EXPECT_EQ(obs->max_vals()[0], 4.0f);
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{4.0f / 127.5f});

  // Default constant 0.01, in float32: 3 + 0.01f * (1 - 3).
  auto def = Make(ObserverConfig::MovingAverageMinMax());
  ASSERT_TRUE(def->Observe(Vec({-2.0f, 3.0f})).ok());
  ASSERT_TRUE(def->Observe(Vec({-2.0f, 1.0f})).ok());
  const float step = 0.01f * -2.0f;
  EXPECT_EQ(def->max_vals()[0], 3.0f + step);
}

TEST(ObserverTest, MovingAveragePerChannel) {
  // Shape [2, 3], channels on axis 1: columns {1, -4}, {2, 5}, {-3, 0}.
  Tensor x = Tensor::FromVector<float>({2, 3}, {1, 2, -3, -4, 5, 0});
  auto obs = Make(ObserverConfig::MovingAveragePerChannelMinMax(1, 0.5));
  ASSERT_TRUE(obs->Observe(x).ok());
  EXPECT_EQ(obs->min_vals(), (std::vector<float>{-4, 2, -3}));
  EXPECT_EQ(obs->max_vals(), (std::vector<float>{1, 5, 0}));
  Tensor y = Tensor::FromVector<float>({2, 3}, {0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(obs->Observe(y).ok());
  EXPECT_EQ(obs->min_vals(), (std::vector<float>{-2, 1, -1.5f}));
  EXPECT_EQ(obs->max_vals(), (std::vector<float>{0.5f, 2.5f, 0}));
  EXPECT_EQ(obs->ComputeScales(), (std::vector<float>{2 / 127.5f, 2.5f / 127.5f, 1.5f / 127.5f}));

  // Axis 0 and axis -1 (= 1 here).
  auto rows = Make(ObserverConfig::MovingAveragePerChannelMinMax(0));
  ASSERT_TRUE(rows->Observe(x).ok());
  EXPECT_EQ(rows->min_vals(), (std::vector<float>{-3, -4}));
  EXPECT_EQ(rows->max_vals(), (std::vector<float>{2, 5}));
  auto last = Make(ObserverConfig::MovingAveragePerChannelMinMax(-1));
  ASSERT_TRUE(last->Observe(x).ok());
  EXPECT_EQ(last->min_vals(), (std::vector<float>{-4, 2, -3}));

  // A later batch with another channel count, or an axis past the rank, is an error.
  EXPECT_FALSE(obs->Observe(Tensor::FromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6})).ok());
  auto far = Make(ObserverConfig::MovingAveragePerChannelMinMax(2));
  EXPECT_EQ(far->Observe(x).code(), absl::StatusCode::kInvalidArgument);

  // Weight configs leave ch_axis unset: it must come from the node.
  ObserverConfig weight = ObserverConfig::MovingAveragePerChannelMinMax(std::nullopt);
  EXPECT_EQ(MakeObserver(weight, QDType::kQInt8).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<Observer>> w = MakeObserver(weight, QDType::kQInt8, 0);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Observe(x).ok());
  EXPECT_EQ((*w)->min_vals().size(), 2u);
}

TEST(ObserverTest, FixedScale) {
  auto obs = Make(ObserverConfig::FixedScale(1.0f / 128.0f));
  ASSERT_TRUE(obs->Observe(Vec({-5.0f, 2.0f})).ok());
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{1.0f / 128.0f});
  EXPECT_EQ(obs->min_vals()[0], -5.0f);
}

TEST(ObserverTest, RejectsBadInputsWithoutChangingState) {
  auto obs = Make(ObserverConfig::MinMax());
  ASSERT_TRUE(obs->Observe(Vec({-1.0f, 1.0f})).ok());
  EXPECT_EQ(obs->Observe(Vec({0.0f, std::nanf("")})).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(obs->Observe(Vec({INFINITY})).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(obs->Observe(Tensor::FromVector<int32_t>({1}, {5})).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(obs->max_vals()[0], 1.0f);
  auto hist = Make(ObserverConfig::KL());
  EXPECT_FALSE(hist->Observe(Vec({1.0f, -INFINITY})).ok());
  EXPECT_FALSE(MakeObserver(ObserverConfig::MinMax(), QDType::kQInt32).ok());
  EXPECT_FALSE(MakeObserver(ObserverConfig::Percentile(101.0), QDType::kQInt8).ok());
}

TEST(ObserverTest, HistogramBinsAndDoubling) {
  AbsHistogram h(8);
  h.Add(std::vector<float>{0, 1, 2, 3, 4, 8});  // range 8: bin = |x|, 8 clamps into bin 7
  EXPECT_EQ(h.range(), 8.0);
  EXPECT_EQ(h.counts(), (std::vector<uint64_t>{1, 1, 1, 1, 1, 0, 0, 1}));
  h.Add(std::vector<float>{-20});  // range 8 -> 16 -> 32, merging pairs twice
  EXPECT_EQ(h.range(), 32.0);
  EXPECT_EQ(h.counts(), (std::vector<uint64_t>{4, 2, 0, 0, 0, 1, 0, 0}));  // 20 * 8 / 32 = 5
  EXPECT_EQ(h.total(), 7u);
  EXPECT_EQ(h.amax(), 20.0f);

  AbsHistogram zeros(4);
  zeros.Add(std::vector<float>{0, 0});  // no range yet: zeros in bin 0
  zeros.Add(std::vector<float>{3, -1});
  EXPECT_EQ(zeros.range(), 3.0);
  EXPECT_EQ(zeros.counts(), (std::vector<uint64_t>{2, 1, 0, 1}));  // 1 * 4 / 3 = 1.33
}

TEST(ObserverTest, PercentileAmax) {
  AbsHistogram h(8);
  h.Add(std::vector<float>{0.5f, -1.5f, 2.5f, 3.5f, -4.5f, 5.5f, 6.5f, 8.0f});  // one per bin
  EXPECT_EQ(PercentileAmax(h, 50.0), 4.0f);   // 4 of 8 values at bin 3: its upper edge
  EXPECT_EQ(PercentileAmax(h, 87.5), 7.0f);   // 7 of 8 at bin 6
  EXPECT_EQ(PercentileAmax(h, 87.6), 8.0f);   // needs bin 7
  EXPECT_EQ(PercentileAmax(h, 100.0), 8.0f);  // the exact max
  AbsHistogram small(8);
  small.Add(std::vector<float>{0.1f, 7.9f});  // range 7.9: edge (k + 1) * 7.9 / 8, capped at 7.9
  EXPECT_EQ(PercentileAmax(small, 100.0), 7.9f);

  ObserverConfig config = ObserverConfig::Percentile(50.0, 8);
  auto obs = Make(config);
  ASSERT_TRUE(obs->Observe(Vec({0.5f, -1.5f, 2.5f, 3.5f})).ok());
  // Range 3.5: bins 1, 3, 5, 7 (3.5 clamps into the last bin). The second batch doubles the range
  // to 7 then 14, merging to bins 0, 0, 1, 1; then 4.5, 5.5, 6.5, 8 land in 2, 3, 3, 4 (width
  // 1.75). The 4th of 8 values is reached in bin 1: amax = 2 * 1.75.
  ASSERT_TRUE(obs->Observe(Vec({-4.5f, 5.5f, 6.5f, 8.0f})).ok());
  EXPECT_EQ(obs->ComputeScales(), std::vector<float>{3.5f / 127.5f});
  EXPECT_EQ(obs->min_vals()[0], -4.5f);
  EXPECT_EQ(obs->max_vals()[0], 8.0f);
}

// A spec restatement of docs/NUMERICS.md's MSE search, written as plainly as possible.
float NaiveMseAmax(const AbsHistogram& h, double half_range, double qmax) {
  int best = h.bins();
  double best_err = INFINITY;
  for (int k = std::max(1, h.bins() / 16); k <= h.bins(); ++k) {
    double err = 0;
    for (int i = 0; i < h.bins(); ++i) {
      const double x = i + 0.5;
      const double s = k / half_range;
      const double q = std::min(std::nearbyint(x / s), qmax);
      err += h.counts()[i] * (x - q * s) * (x - q * s);
    }
    if (err < best_err) best_err = err, best = k;
  }
  return std::min(static_cast<float>(best * h.range() / h.bins()), h.amax());
}

std::vector<float> Gaussian(int n, float sigma, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

TEST(ObserverTest, MseAndKlClipOutliersButNotUniformData) {
  // Uniform data in [-1, 1] with no outliers: both keep (almost) the whole range.
  std::vector<float> uniform(20000);
  for (size_t i = 0; i < uniform.size(); ++i) {
    uniform[i] = -1.0f + 2.0f * static_cast<float>(i) / static_cast<float>(uniform.size() - 1);
  }
  AbsHistogram u(2048);
  u.Add(uniform);
  EXPECT_GE(MseAmax(u, QDType::kQInt8), 0.98f);
  EXPECT_LE(MseAmax(u, QDType::kQInt8), 1.0f);
  EXPECT_GE(KlAmax(u, QDType::kQInt8), 0.9f);
  EXPECT_EQ(MseAmax(u, QDType::kQInt8), NaiveMseAmax(u, 127.5, 127));

  // A Gaussian with one far outlier: both clip well below the outlier.
  std::vector<float> g = Gaussian(50000, 1.0f, 7);
  g.push_back(100.0f);
  AbsHistogram h(2048);
  h.Add(g);
  const float mse = MseAmax(h, QDType::kQInt8);
  const float kl = KlAmax(h, QDType::kQInt8);
  EXPECT_EQ(mse, NaiveMseAmax(h, 127.5, 127));
  // MSE minimizes a sum: (100 - a)^2 for the outlier plus N * step^2 / 12 of rounding noise,
  // step = a / 127.5, so a* = 100 / (1 + N / (12 * 127.5^2)) = 79.6 for N = 50000.
  EXPECT_GT(mse, 77.0f);
  EXPECT_LT(mse, 82.0f);
  // KL only compares distribution shapes: it clips to the Gaussian's body.
  EXPECT_LT(kl, 8.0f);
  EXPECT_GT(kl, 2.5f);
  // int16 has 32768 levels > 2048 bins: KL keeps everything.
  EXPECT_EQ(KlAmax(h, QDType::kQInt16), 100.0f);
  EXPECT_EQ(MseAmax(h, QDType::kQInt16), NaiveMseAmax(h, 32767.5, 32767));

  AbsHistogram empty(16);
  EXPECT_EQ(MseAmax(empty, QDType::kQInt8), 0.0f);
  EXPECT_EQ(KlAmax(empty, QDType::kQInt8), 0.0f);
  EXPECT_EQ(PercentileAmax(empty, 99.0), 0.0f);
}

TEST(ObserverTest, KlIgnoresExactZeros) {
  // A ReLU's output: |Gaussian| with as many exact zeros. The zeros quantize to 0 at any scale, so
  // KL must choose as it does without them; counted, they formed a spike in bin 0 that pulled the
  // choice down to the narrowest candidate (a third of what percentile and MSE keep).
  const std::vector<float> g = Gaussian(50000, 1.0f, 11);
  std::vector<float> relu;
  for (float v : g) relu.push_back(std::max(v, 0.0f));
  std::vector<float> positive;
  for (float v : relu) {
    if (v != 0.0f) positive.push_back(v);
  }
  AbsHistogram with_zeros(2048), without(2048);
  with_zeros.Add(relu);
  without.Add(positive);
  EXPECT_EQ(with_zeros.zeros(), relu.size() - positive.size());
  EXPECT_GT(with_zeros.zeros(), 20000u);
  const float kl = KlAmax(with_zeros, QDType::kQInt8);
  EXPECT_EQ(kl, KlAmax(without, QDType::kQInt8));
  // It keeps the body of the distribution: above 2.5 sigma, like MSE's choice within a factor.
  EXPECT_GT(kl, 2.5f);
  EXPECT_GT(kl, 0.5f * MseAmax(with_zeros, QDType::kQInt8));
}

TEST(ObserverTest, KlOnFewSamplesKeepsTheRange) {
  // 1,000 values (an SE block's gates over a few images) in 2048 bins: too few for a
  // distribution, so KL coarsens to one bin per level and keeps the whole range.
  std::vector<float> gates = Gaussian(1000, 0.05f, 5);
  for (float& v : gates) v = std::fabs(v);
  gates.push_back(0.9f);
  AbsHistogram h(2048);
  h.Add(gates);
  EXPECT_EQ(KlAmax(h, QDType::kQInt8), h.amax());
  // With enough samples of the same distribution it clips the lone outlier again.
  std::vector<float> many = Gaussian(100000, 0.05f, 5);
  for (float& v : many) v = std::fabs(v);
  many.push_back(0.9f);
  AbsHistogram big(2048);
  big.Add(many);
  EXPECT_LT(KlAmax(big, QDType::kQInt8), 0.5f);
}

TEST(ObserverTest, KlSingleCandidateKeepsMax) {
  // bins == 128 == qint8 levels: the only candidate covers the whole range.
  AbsHistogram h(128);
  h.Add(std::vector<float>{0.25f, -3.0f, 1.0f});
  EXPECT_EQ(KlAmax(h, QDType::kQInt8), 3.0f);
}

TEST(ObserverTest, EveryKindIsDeterministic) {
  const std::vector<ObserverConfig> configs = {ObserverConfig::MinMax(),
                                               ObserverConfig::MovingAverageMinMax(),
                                               ObserverConfig::MovingAveragePerChannelMinMax(1),
                                               ObserverConfig::Percentile(),
                                               ObserverConfig::MSE(),
                                               ObserverConfig::KL(),
                                               ObserverConfig::FixedScale(0.25f)};
  std::vector<Tensor> batches;
  for (uint32_t b = 0; b < 4; ++b) {
    batches.push_back(Tensor::FromVector<float>({8, 500}, Gaussian(4000, 1.0f + b, 100 + b)));
  }
  for (const ObserverConfig& config : configs) {
    for (QDType dtype : {QDType::kQInt8, QDType::kQInt16}) {
      std::vector<float> first;
      for (int run = 0; run < 2; ++run) {
        auto obs = Make(config, dtype);
        for (const Tensor& t : batches) ASSERT_TRUE(obs->Observe(t).ok());
        std::vector<float> scales = obs->ComputeScales();
        for (float s : scales) EXPECT_TRUE(std::isfinite(s) && s > 0.0f);
        if (run == 0) {
          first = scales;
        } else {
          EXPECT_EQ(scales, first) << ObserverKindName(config.kind);
        }
      }
    }
  }
}

}  // namespace
}  // namespace openbpu::quantization
