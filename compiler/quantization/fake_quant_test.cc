// FakeQuantize / LSQ / PACT kernel tests with hand-computed values, and BPU round against its
// exact definition (docs/NUMERICS.md "Fake quantization").
#include "compiler/quantization/fake_quant.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

Tensor Vec(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::FromVector<float>({n}, v);
}

std::vector<float> Values(const Tensor& t) { return t.ToFloatVector(); }

FakeQuantParams PerTensor(float scale, QDType dtype = QDType::kQInt8,
                          Rounding rounding = Rounding::kHalfToEven) {
  FakeQuantParams p;
  p.scales = {scale};
  p.dtype = dtype;
  p.rounding = rounding;
  return p;
}

TEST(FakeQuantTest, RoundQuantModes) {
  const Rounding even = Rounding::kHalfToEven;
  const Rounding up = Rounding::kBpuRound;
  EXPECT_EQ(RoundQuant(0.5f, even), 0.0f);
  EXPECT_EQ(RoundQuant(1.5f, even), 2.0f);
  EXPECT_EQ(RoundQuant(2.5f, even), 2.0f);
  EXPECT_EQ(RoundQuant(-1.5f, even), -2.0f);
  EXPECT_EQ(RoundQuant(-2.5f, even), -2.0f);
  EXPECT_EQ(RoundQuant(0.5f, up), 1.0f);
  EXPECT_EQ(RoundQuant(1.5f, up), 2.0f);
  EXPECT_EQ(RoundQuant(2.5f, up), 3.0f);
  EXPECT_EQ(RoundQuant(-0.5f, up), 0.0f);
  EXPECT_EQ(RoundQuant(-1.5f, up), -1.0f);
  EXPECT_EQ(RoundQuant(-2.5f, up), -2.0f);
  EXPECT_EQ(RoundQuant(-2.6f, up), -3.0f);
  EXPECT_EQ(RoundQuant(8388607.5f, up), 8388608.0f);  // the largest float32 tie
  EXPECT_EQ(RoundQuant(-8388607.5f, up), -8388607.0f);
  EXPECT_EQ(RoundQuant(1e30f, up), 1e30f);
  EXPECT_EQ(RoundQuant(INFINITY, up), INFINITY);
  EXPECT_TRUE(std::isnan(RoundQuant(NAN, up)));

  // The float32 floor(p + 0.5f) trap: 0.49999997 + 0.5 rounds to 1 before the floor.
  const float below_half = std::nextafter(0.5f, 0.0f);
  EXPECT_EQ(below_half, 0.49999997f);
  EXPECT_EQ(std::floor(below_half + 0.5f), 1.0f);
  EXPECT_EQ(RoundQuant(below_half, up), 0.0f);
  EXPECT_EQ(RoundQuant(-std::nextafter(0.5f, 1.0f), up), -1.0f);  // -0.50000006
  EXPECT_EQ(RoundQuant(std::nextafter(1.5f, 0.0f), up), 1.0f);
}

// floor(p + 0.5) evaluated in double is exact for every float32 p: the sum needs at most 24 + 25
// significant bits except when |p| < 2^-25, where it cannot reach an integer boundary.
float ExactHalfUp(float p) { return static_cast<float>(std::floor(static_cast<double>(p) + 0.5)); }

TEST(FakeQuantTest, BpuRoundMatchesExactDefinition) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<uint32_t> bits;
  int64_t checked = 0;
  // Random bit patterns (all magnitudes) ...
  for (int i = 0; i < 1000000; ++i) {
    const float p = std::bit_cast<float>(bits(rng));
    if (!std::isfinite(p)) continue;
    ASSERT_EQ(RoundQuant(p, Rounding::kBpuRound), ExactHalfUp(p)) << p;
    ++checked;
  }
  // ... and every tie k + 0.5 with its float32 neighbours for |k| < 70000.
  for (int k = -70000; k <= 70000; ++k) {
    const float tie = static_cast<float>(k) + 0.5f;
    for (float p : {tie, std::nextafter(tie, -INFINITY), std::nextafter(tie, INFINITY)}) {
      ASSERT_EQ(RoundQuant(p, Rounding::kBpuRound), ExactHalfUp(p)) << p;
      ++checked;
    }
    EXPECT_EQ(RoundQuant(tie, Rounding::kBpuRound), static_cast<float>(k + 1));
  }
  EXPECT_GT(checked, 1000000);
}

TEST(FakeQuantTest, PerTensorForward) {
  Tensor x = Vec({0.26f, 0.25f, 0.75f, 100.0f, -100.0f, -0.1f, -0.25f, 63.75f});
  absl::StatusOr<Tensor> y = FakeQuantize(x, PerTensor(0.5f));
  ASSERT_TRUE(y.ok()) << y.status();
  // p = x * 2: 0.52 -> 1; 0.5 -> 0 (even); 1.5 -> 2; 200 -> 127; -200 -> -128; -0.2 -> 0;
  // -0.5 -> 0 (even); 127.5 -> 128 -> 127.
  EXPECT_EQ(Values(*y), (std::vector<float>{0.5f, 0, 1.0f, 63.5f, -64.0f, 0, 0, 63.5f}));
  EXPECT_FALSE(std::signbit(y->data<float>()[5]));  // +0, as torch (rounds through int64)
  EXPECT_FALSE(std::signbit(y->data<float>()[6]));

  y = FakeQuantize(x, PerTensor(0.5f, QDType::kQInt8, Rounding::kBpuRound));
  ASSERT_TRUE(y.ok());
  // Half up: 0.5 -> 1; 1.5 -> 2; -0.5 -> 0; 127.5 -> 128 -> 127.
  EXPECT_EQ(Values(*y), (std::vector<float>{0.5f, 0.5f, 1.0f, 63.5f, -64.0f, 0, 0, 63.5f}));
  EXPECT_FALSE(std::signbit(y->data<float>()[6]));

  y = FakeQuantize(Vec({40000.0f, -40000.0f, 12.4f, NAN, INFINITY, -INFINITY}),
                   PerTensor(1.0f, QDType::kQInt16));
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->data<float>()[0], 32767.0f);
  EXPECT_EQ(y->data<float>()[1], -32768.0f);
  EXPECT_EQ(y->data<float>()[2], 12.0f);
  EXPECT_TRUE(std::isnan(y->data<float>()[3]));
  EXPECT_EQ(y->data<float>()[4], 32767.0f);  // saturates (torch's int64 cast gives qmin here)
  EXPECT_EQ(y->data<float>()[5], -32768.0f);
}

TEST(FakeQuantTest, ReciprocalOrderMatters) {
  // Torch rounds x * (1 / s), not x / s; find inputs where the two differ and check the former.
  const float s = 0.1f;
  const float inv = 1.0f / s;
  int differing = 0;
  for (int i = -1000000; i <= 1000000 && differing < 3; ++i) {
    const float x = static_cast<float>(i) * 1e-5f;
    if (std::nearbyint(x * inv) == std::nearbyint(x / s)) continue;
    ++differing;
    absl::StatusOr<Tensor> y = FakeQuantize(Vec({x}), PerTensor(s));
    ASSERT_TRUE(y.ok());
    const float expected = std::min(std::max(std::nearbyint(x * inv), -128.0f), 127.0f) * s;
    EXPECT_EQ(y->data<float>()[0], expected + 0.0f) << x;
  }
  EXPECT_GT(differing, 0);
}

TEST(FakeQuantTest, PerChannelForwardAndGrad) {
  // Shape [2, 3], axis 1, scales 1, 0.5, 0.25.
  Tensor x = Tensor::FromVector<float>({2, 3}, {1.4f, 1.4f, 1.4f, 200.0f, -0.3f, -40.0f});
  FakeQuantParams p;
  p.scales = {1.0f, 0.5f, 0.25f};
  p.axis = 1;
  absl::StatusOr<Tensor> y = FakeQuantize(x, p);
  ASSERT_TRUE(y.ok()) << y.status();
  // 1.4 -> 1 * 1; 2.8 -> 3 * 0.5; 5.6 -> 6 * 0.25; 200 -> 127; -0.6 -> -1 * 0.5; -160 -> -128.
  EXPECT_EQ(Values(*y), (std::vector<float>{1.0f, 1.5f, 1.5f, 127.0f, -0.5f, -32.0f}));
  Tensor dy = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  absl::StatusOr<Tensor> dx = FakeQuantizeGrad(x, dy, p, /*saturate=*/true);
  ASSERT_TRUE(dx.ok());
  EXPECT_EQ(Values(*dx), (std::vector<float>{1, 2, 3, 0, 5, 0}));
  dx = FakeQuantizeGrad(x, dy, p, /*saturate=*/false);
  EXPECT_EQ(Values(*dx), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  // Axis 0 of the same tensor.
  p.scales = {1.0f, 0.5f};
  p.axis = 0;
  y = FakeQuantize(x, p);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(Values(*y), (std::vector<float>{1.0f, 1.0f, 1.0f, 63.5f, -0.5f, -40.0f}));
}

TEST(FakeQuantTest, GradMaskUsesRoundedValue) {
  // s = 0.5: 63.74 -> p = 127.48 -> 127 (inside); 63.75 -> 127.5 -> 128 (outside, half to even);
  // -64.25 -> -128.5 -> -128 (inside); -64.3 -> -128.6 -> -129 (outside).
  Tensor x = Vec({63.74f, 63.75f, -64.25f, -64.3f, 0.0f, NAN});
  Tensor dy = Vec({1, 2, 3, 4, 5, 6});
  absl::StatusOr<Tensor> dx = FakeQuantizeGrad(x, dy, PerTensor(0.5f), true);
  ASSERT_TRUE(dx.ok());
  EXPECT_EQ(Values(*dx), (std::vector<float>{1, 0, 3, 0, 5, 0}));
  // BPU round: -128.5 -> -128 (inside), 127.5 -> 128 (outside).
  dx = FakeQuantizeGrad(x, dy, PerTensor(0.5f, QDType::kQInt8, Rounding::kBpuRound), true);
  ASSERT_TRUE(dx.ok());
  EXPECT_EQ(Values(*dx), (std::vector<float>{1, 0, 3, 0, 5, 0}));
}

TEST(FakeQuantTest, RejectsBadParameters) {
  Tensor x = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  for (float s : {0.0f, -1.0f, INFINITY, NAN, 1e-45f}) {
    EXPECT_EQ(FakeQuantize(x, PerTensor(s)).status().code(), absl::StatusCode::kInvalidArgument)
        << s;
  }
  FakeQuantParams p = PerTensor(1.0f);
  p.scales = {1.0f, 2.0f};
  EXPECT_FALSE(FakeQuantize(x, p).ok());  // two scales, per tensor
  p.axis = 1;
  EXPECT_FALSE(FakeQuantize(x, p).ok());  // 3 channels on axis 1
  p.axis = 2;
  EXPECT_FALSE(FakeQuantize(x, p).ok());
  p.axis = 0;
  EXPECT_TRUE(FakeQuantize(x, p).ok());
  EXPECT_FALSE(FakeQuantize(x, PerTensor(1.0f, QDType::kQInt32)).ok());
  EXPECT_FALSE(FakeQuantize(Tensor::FromVector<int8_t>({1}, {1}), PerTensor(1.0f)).ok());
  EXPECT_FALSE(FakeQuantizeGrad(x, Vec({1, 2}), PerTensor(1.0f), true).ok());
  EXPECT_TRUE(FakeQuantize(Tensor(DType::kFloat32, {0, 3}), PerTensor(1.0f)).ok());
}

TEST(FakeQuantTest, LsqGradient) {
  Tensor x = Vec({0.3f, -0.2f, 100.0f, -100.0f});
  Tensor dy = Vec({1, 2, 3, 4});
  absl::StatusOr<LsqGradients> g = LsqGrad(x, dy, PerTensor(0.5f));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Values(g->dx), (std::vector<float>{1, 2, 0, 0}));
  // p = {0.6, -0.4, 200, -200}, q = {1, 0, clipped high, clipped low}:
  // sum = 1 * (1 - 0.6) + 2 * (0 - -0.4) + 3 * 127 + 4 * -128, g = 1 / sqrt(4 * 127).
  const double p0 = 0.3f * 2.0f;
  const double p1 = -0.2f * 2.0f;
  const double sum = 1 * (1 - p0) + 2 * (0 - p1) + 3 * 127.0 + 4 * -128.0;
  ASSERT_EQ(g->dscale.size(), 1u);
  EXPECT_EQ(g->dscale[0], static_cast<float>(sum * (1.0 / std::sqrt(4.0 * 127.0))));
  EXPECT_NEAR(g->dscale[0], -129.8 / std::sqrt(508.0), 1e-5);

  g = LsqGrad(x, dy, PerTensor(0.5f), /*grad_scale=*/1.0);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->dscale[0], static_cast<float>(sum));

  // Per channel: rows of [2, 2] with scales 1 and 2; g = 1 / sqrt(4 * 127) for both.
  FakeQuantParams pc;
  pc.scales = {1.0f, 2.0f};
  pc.axis = 0;
  Tensor x2 = Tensor::FromVector<float>({2, 2}, {0.25f, 500.0f, 3.0f, -1.0f});
  Tensor dy2 = Tensor::FromVector<float>({2, 2}, {1, 1, 1, 1});
  g = LsqGrad(x2, dy2, pc);
  ASSERT_TRUE(g.ok());
  // Row 0: p = 0.25 -> q 0: 0 - 0.25; p = 500 -> clipped: 127. Row 1: p = 1.5 -> 2: 0.5;
  // p = -0.5 -> 0 (even): 0.5.
  const double gs = 1.0 / std::sqrt(4.0 * 127.0);
  EXPECT_EQ(g->dscale, (std::vector<float>{static_cast<float>((-0.25 + 127.0) * gs),
                                           static_cast<float>((0.5 + 0.5) * gs)}));
  EXPECT_EQ(Values(g->dx), (std::vector<float>{1, 0, 1, 1}));
}

TEST(FakeQuantTest, PactForwardAndGradient) {
  // alpha = 127.5 / 16: the scale is exactly 1/16, so +-alpha sit exactly on +-127.5.
  const float alpha = 7.96875f;
  absl::StatusOr<float> scale = PactScale(alpha, QDType::kQInt8);
  ASSERT_TRUE(scale.ok());
  EXPECT_EQ(*scale, 0.0625f);
  Tensor x = Vec({10.0f, -10.0f, 1.03f, alpha, -alpha, 0.0f});
  absl::StatusOr<Tensor> y = PactForward(x, alpha, QDType::kQInt8);
  ASSERT_TRUE(y.ok()) << y.status();
  // Clipped to +-127.5 steps: 127.5 -> 128 -> 127 and -127.5 -> -128 (half to even);
  // 1.03 * 16 = 16.48 -> 16.
  EXPECT_EQ(Values(*y), (std::vector<float>{127 / 16.0f, -8.0f, 1.0f, 127 / 16.0f, -8.0f, 0.0f}));
  Tensor dy = Vec({1, 2, 3, 4, 5, 6});
  absl::StatusOr<PactGradients> g = PactGrad(x, dy, alpha);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(Values(g->dx), (std::vector<float>{0, 0, 3, 0, 0, 6}));
  EXPECT_EQ(g->dalpha, 1.0f - 2.0f + 4.0f - 5.0f);  // x >= alpha: +dy; x <= -alpha: -dy

  EXPECT_FALSE(PactScale(0.0f, QDType::kQInt8).ok());
  EXPECT_FALSE(PactForward(x, -1.0f, QDType::kQInt8).ok());
  EXPECT_FALSE(PactGrad(x, Vec({1}), alpha).ok());
  EXPECT_EQ(*PactScale(3.0f, QDType::kQInt16), 3.0f / 32767.5f);
}

}  // namespace
}  // namespace openbpu::quantization
