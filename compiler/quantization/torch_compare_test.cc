// Bit-exact agreement with PyTorch 1.13 (Debian's python3-torch) on the cases torch_reference.py
// writes: fake_quantize_per_{tensor,channel}_affine outputs and straight-through gradients, and
// the running min/max and scales of torch's MinMax / MovingAverage* observers.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/quantization/fake_quant.h"
#include "compiler/quantization/observer.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

std::string DataPath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu",
                      "/compiler/quantization/torch_reference/", name, ".npy");
}

Tensor Load(const std::string& name) {
  absl::StatusOr<Tensor> t = ReadNpy(DataPath(name));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : Tensor();
}

QDType FromBits(int bits) { return bits == 16 ? QDType::kQInt16 : QDType::kQInt8; }

bool SameBits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

// Row r of a [rows, cols] float32 array.
Tensor Row(const Tensor& t, int64_t r, Shape shape) {
  const int64_t cols = t.num_elements() / t.dim(0);
  Tensor out(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < cols; ++i) out.data<float>()[i] = t.data<float>()[r * cols + i];
  return out;
}

// Counts elements that differ in bits; returns true if all match.
bool Compare(const Tensor& ours, const Tensor& torch_ref, int64_t* bad_elements) {
  int64_t bad = 0;
  for (int64_t i = 0; i < ours.num_elements(); ++i) {
    if (!SameBits(ours.data<float>()[i], torch_ref.data<float>()[i])) ++bad;
  }
  *bad_elements += bad;
  return bad == 0;
}

// The BPU-round definition, independently: floor(p + 0.5) in double is exact for float32 p.
float BpuFakeQuantDefinition(float x, float scale, QDType dtype) {
  const float p = x * (1.0f / scale);
  double q = std::floor(static_cast<double>(p) + 0.5);
  q = std::min(std::max(q, static_cast<double>(QMin(dtype))), static_cast<double>(QMax(dtype)));
  return static_cast<float>(q) * scale + 0.0f;
}

TEST(TorchCompareTest, FakeQuantize) {
  int64_t cases = 0, mismatches = 0, elements = 0, bad_elements = 0, ties = 0;
  int64_t bpu_cases = 0, bpu_mismatches = 0;

  // Per tensor.
  const Tensor x = Load("fq_pt_x"), dy = Load("fq_pt_dy"), scale = Load("fq_pt_scale");
  const Tensor qbits = Load("fq_pt_qbits"), out = Load("fq_pt_out"), grad = Load("fq_pt_grad");
  ASSERT_EQ(x.rank(), 2);
  const int64_t len = x.dim(1);
  for (int64_t c = 0; c < x.dim(0); ++c) {
    const float s = scale.data<float>()[c];
    const QDType dtype = FromBits(qbits.data<int32_t>()[c]);
    FakeQuantParams params;
    params.scales = {s};
    params.dtype = dtype;
    const Tensor xc = Row(x, c, {len});
    absl::StatusOr<Tensor> y = FakeQuantize(xc, params);
    ASSERT_TRUE(y.ok()) << y.status();
    absl::StatusOr<Tensor> g = FakeQuantizeGrad(xc, Row(dy, c, {len}), params, true);
    ASSERT_TRUE(g.ok()) << g.status();
    const bool same_y = Compare(*y, Row(out, c, {len}), &bad_elements);
    const bool same_g = Compare(*g, Row(grad, c, {len}), &bad_elements);
    if (!same_y || !same_g) {
      ++mismatches;
      if (mismatches <= 5) {
        ADD_FAILURE() << "per-tensor case " << c << " scale " << s << " " << QDTypeName(dtype)
                      << (same_y ? "" : " forward") << (same_g ? "" : " grad");
      }
    }
    ++cases;
    elements += len;

    params.rounding = Rounding::kBpuRound;
    absl::StatusOr<Tensor> b = FakeQuantize(xc, params);
    ASSERT_TRUE(b.ok());
    bool bpu_same = true;
    for (int64_t i = 0; i < len; ++i) {
      const float xi = xc.data<float>()[i];
      const float p = xi * (1.0f / s);
      if (p - std::floor(p) == 0.5f) ++ties;
      bpu_same &= SameBits(b->data<float>()[i], BpuFakeQuantDefinition(xi, s, dtype));
    }
    ++bpu_cases;
    if (!bpu_same) ++bpu_mismatches;
  }

  // Per channel on shape (2, 8, 3, 5).
  const Shape shape = {2, 8, 3, 5};
  const Tensor px = Load("fq_pc_x"), pdy = Load("fq_pc_dy"), axis = Load("fq_pc_axis");
  const Tensor pscales = Load("fq_pc_scales"), pbits = Load("fq_pc_qbits");
  const Tensor pout = Load("fq_pc_out"), pgrad = Load("fq_pc_grad");
  for (int64_t c = 0; c < px.dim(0); ++c) {
    FakeQuantParams params;
    params.axis = axis.data<int32_t>()[c];
    params.dtype = FromBits(pbits.data<int32_t>()[c]);
    for (int64_t k = 0; k < shape[params.axis]; ++k) {
      params.scales.push_back(pscales.data<float>()[c * 8 + k]);
    }
    const Tensor xc = Row(px, c, shape);
    absl::StatusOr<Tensor> y = FakeQuantize(xc, params);
    ASSERT_TRUE(y.ok()) << y.status();
    absl::StatusOr<Tensor> g = FakeQuantizeGrad(xc, Row(pdy, c, shape), params, true);
    ASSERT_TRUE(g.ok()) << g.status();
    const bool same_y = Compare(*y, Row(pout, c, shape), &bad_elements);
    const bool same_g = Compare(*g, Row(pgrad, c, shape), &bad_elements);
    if (!same_y || !same_g) {
      ++mismatches;
      if (mismatches <= 5) ADD_FAILURE() << "per-channel case " << c << " axis " << params.axis;
    }
    ++cases;
    elements += xc.num_elements();
  }

  std::printf(
      "fake-quant-vs-torch: %lld cases, %lld mismatches (%lld values incl. %lld exact "
      "float32 ties, forward and gradient; %lld differing values)\n",
      static_cast<long long>(cases), static_cast<long long>(mismatches),
      static_cast<long long>(elements), static_cast<long long>(ties),
      static_cast<long long>(bad_elements));
  std::printf("bpu-round-vs-definition: %lld cases, %lld mismatches\n",
              static_cast<long long>(bpu_cases), static_cast<long long>(bpu_mismatches));
  EXPECT_GE(cases, 1000);
  EXPECT_GT(ties, 1000);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(bpu_mismatches, 0);
}

TEST(TorchCompareTest, Observers) {
  const Tensor x = Load("obs_x"), kind = Load("obs_kind"), consts = Load("obs_averaging_constant");
  const Tensor ch_axis = Load("obs_ch_axis"), qbits = Load("obs_qbits");
  const Tensor mins = Load("obs_min"), maxs = Load("obs_max"), scales = Load("obs_scale");
  ASSERT_EQ(x.rank(), 3);
  const int64_t batches = x.dim(1);
  const int64_t n = x.dim(2);
  const Shape shape = {4, 8, 6, 6};
  ASSERT_EQ(n, NumElements(shape));
  int64_t cases = 0, mismatches = 0;
  for (int64_t k = 0; k < x.dim(0); ++k) {
    ObserverConfig config;
    const int32_t kd = kind.data<int32_t>()[k];
    const double c = consts.data<double>()[k];
    const int32_t axis = ch_axis.data<int32_t>()[k];
    if (kd == 0) config = ObserverConfig::MinMax();
    if (kd == 1) config = ObserverConfig::MovingAverageMinMax(c);
    if (kd == 2) config = ObserverConfig::MovingAveragePerChannelMinMax(axis, c);
    const QDType dtype = FromBits(qbits.data<int32_t>()[k]);
    absl::StatusOr<std::unique_ptr<Observer>> obs = MakeObserver(config, dtype);
    ASSERT_TRUE(obs.ok()) << obs.status();
    for (int64_t b = 0; b < batches; ++b) {
      Tensor batch(DType::kFloat32, shape);
      for (int64_t i = 0; i < n; ++i)
        batch.data<float>()[i] = x.data<float>()[(k * batches + b) * n + i];
      ASSERT_TRUE((*obs)->Observe(batch).ok());
      const std::vector<float> ours = (*obs)->ComputeScales();
      const int64_t row = (k * batches + b) * 8;
      bool same = ours.size() == (kd == 2 ? static_cast<size_t>(shape[axis]) : 1u);
      for (size_t ch = 0; same && ch < ours.size(); ++ch) {
        same = SameBits((*obs)->min_vals()[ch], mins.data<float>()[row + ch]) &&
               SameBits((*obs)->max_vals()[ch], maxs.data<float>()[row + ch]) &&
               SameBits(ours[ch], scales.data<float>()[row + ch]);
      }
      ++cases;
      if (!same) {
        ++mismatches;
        if (mismatches <= 5) {
          ADD_FAILURE() << ObserverKindName(config.kind) << " case " << k << " batch " << b
                        << " c=" << c << " axis=" << axis << " " << QDTypeName(dtype);
        }
      }
    }
  }
  std::printf(
      "observer-vs-torch: %lld cases, %lld mismatches (min, max and scale after each "
      "batch)\n",
      static_cast<long long>(cases), static_cast<long long>(mismatches));
  EXPECT_GE(cases, 500);
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace openbpu::quantization
