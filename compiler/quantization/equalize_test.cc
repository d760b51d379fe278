// Cross-layer equalization keeps the float model's outputs and equalizes each pair's ranges.
#include "compiler/quantization/equalize.h"

#include <cmath>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::GraphBuilder;

using ops::Random;  // uniform in [-2, 2), from its seed

// x -> Conv(8 -> 6) -> Relu -> Conv(6 -> 4, or depthwise 6 -> 6) -> y; conv1's output channels
// scaled by 1, 2, ..., 32 (very uneven ranges).
std::unique_ptr<ir::Graph> Pair(bool depthwise) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 8, 5, 5});
  Tensor w1 = Random({6, 8, 3, 3}, 1);
  for (int64_t c = 0; c < 6; ++c) {
    for (int64_t i = 0; i < 72; ++i) w1.data<float>()[c * 72 + i] *= static_cast<float>(1 << c);
  }
  ir::Value* c1 =
      b.Op("Conv", {x, b.Constant(std::move(w1), "w1"), b.Constant(Random({6}, 2), "b1")},
           frontend::Attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}), "conv1");
  ir::Value* r = b.Op("Relu", {c1}, {}, "relu");
  ir::Value* w2 = b.Constant(depthwise ? Random({6, 1, 3, 3}, 3) : Random({4, 6, 1, 1}, 3), "w2");
  ir::Value* y = depthwise
                     ? b.Op("Conv", {r, w2}, frontend::Attrs({{"group", int64_t{6}}}), "conv2")
                     : b.Op("Conv", {r, w2}, {}, "conv2");
  b.Output(y);
  return *b.Build();
}

TEST(EqualizeTest, KeepsOutputsAndEqualizesRanges) {
  for (bool depthwise : {false, true}) {
    auto g = Pair(depthwise);
    auto original = Pair(depthwise);
    absl::StatusOr<int> pairs = EqualizeCrossLayer(*g);
    ASSERT_TRUE(pairs.ok()) << pairs.status();
    EXPECT_EQ(*pairs, 1);
    const std::vector<Tensor> x = {Random({1, 8, 5, 5}, 9)};
    auto want = reference::RunFloat(*original, x);
    auto got = reference::RunFloat(*g, x);
    ASSERT_TRUE(want.ok() && got.ok());
    double err = 0, ref = 0;
    for (int64_t i = 0; i < (*want)[0].num_elements(); ++i) {
      err = std::max<double>(err,
                             std::fabs((*got)[0].data<float>()[i] - (*want)[0].data<float>()[i]));
      ref = std::max<double>(ref, std::fabs((*want)[0].data<float>()[i]));
    }
    EXPECT_LT(err, 1e-5 * ref) << depthwise;
    // After: each intermediate channel's range in conv1 equals its range in conv2.
    const Tensor& w1 = g->FindNode("conv1")->input(1)->constant();
    const Tensor& w2 = g->FindNode("conv2")->input(1)->constant();
    const int64_t m2 = w2.shape()[0], per = w2.shape()[1], k2 = w2.num_elements() / (m2 * per);
    for (int64_t c = 0; c < 6; ++c) {
      double r1 = 0, r2 = 0;
      for (int64_t i = 0; i < 72; ++i)
        r1 = std::max<double>(r1, std::fabs(w1.data<float>()[c * 72 + i]));
      for (int64_t o = 0; o < m2; ++o) {
        for (int64_t j = 0; j < per; ++j) {
          if ((depthwise ? o : j) != c) continue;
          for (int64_t i = 0; i < k2; ++i) {
            r2 = std::max<double>(r2, std::fabs(w2.data<float>()[(o * per + j) * k2 + i]));
          }
        }
      }
      EXPECT_NEAR(r1, r2, 1e-5 * r1) << "channel " << c << (depthwise ? " depthwise" : "");
    }
  }
}

TEST(EqualizeTest, LeavesOtherPatternsAlone) {
  // Conv -> Sigmoid -> Conv: not scale-equivariant, nothing changes.
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 3, 3});
  ir::Value* c1 = b.Op("Conv", {x, b.Constant(Random({2, 2, 1, 1}, 4), "w1")}, {}, "conv1");
  ir::Value* s = b.Op("Sigmoid", {c1}, {}, "sig");
  b.Output(b.Op("Conv", {s, b.Constant(Random({2, 2, 1, 1}, 5), "w2")}, {}, "conv2"));
  auto g = *b.Build();
  absl::StatusOr<int> pairs = EqualizeCrossLayer(*g);
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(*pairs, 0);
}

}  // namespace
}  // namespace openbpu::quantization
