// LayerNormalization: last-axis and multi-axis normalization, broadcast Scale/B,
// the optional Mean / InvStdDev outputs, and rejected attributes.
#include <cmath>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// Scale and B (null to omit B) are constants.
absl::StatusOr<std::vector<Tensor>> RunLayerNorm(const Tensor& x, const Tensor& scale,
                                                 const Tensor* bias, ir::AttributeMap attrs,
                                                 int num_outputs = 1) {
  std::vector<Arg> args = {In(x), Const(scale)};
  if (bias != nullptr) args.push_back(Const(*bias));
  return RunOp("LayerNormalization", std::move(args), std::move(attrs), num_outputs);
}

// Rows [1, 3] (mean 2, var 1) and [2, 6] (mean 4, var 4).
const Tensor kX = F({2, 2}, {1, 3, 2, 6});

TEST(LayerNormalizationTest, LastAxisWithStatistics) {
  const Tensor scale = F({2}, {2, 3});
  const Tensor bias = F({2}, {0.5f, 0});
  absl::StatusOr<std::vector<Tensor>> r =
      RunLayerNorm(kX, scale, &bias, Attrs({{"epsilon", 0.f}}), 3);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  ExpectClose((*r)[0], {2, 2}, {-1.5f, 3, -1.5f, 3});
  ExpectClose((*r)[1], {2, 1}, {2, 4});
  ExpectClose((*r)[2], {2, 1}, {1, 0.5f});
}

TEST(LayerNormalizationTest, DefaultEpsilonAndNoBias) {
  absl::StatusOr<std::vector<Tensor>> r = RunLayerNorm(kX, F({2}, {1, 1}), nullptr, {});
  ASSERT_TRUE(r.ok()) << r.status();
  const float a = 1.f / std::sqrt(1.f + 1e-5f);
  const float b = 2.f / std::sqrt(4.f + 1e-5f);
  ExpectClose((*r)[0], {2, 2}, {-a, a, -b, b});
}

TEST(LayerNormalizationTest, AxisZeroAndBroadcastScale) {
  // Over all four values: mean 3, var (4 + 0 + 1 + 9) / 4 = 3.5.
  const Tensor scale = F({1}, {2});
  const Tensor bias = F({2}, {1, -1});  // broadcast along the rows
  absl::StatusOr<std::vector<Tensor>> r =
      RunLayerNorm(kX, scale, &bias, Attrs({{"axis", int64_t{0}}, {"epsilon", 0.f}}), 2);
  ASSERT_TRUE(r.ok()) << r.status();
  const float inv = 1.f / std::sqrt(3.5f);
  ExpectClose((*r)[0], {2, 2},
              {-2 * inv * 2 + 1, 0 * inv * 2 - 1, -1 * inv * 2 + 1, 3 * inv * 2 - 1});
  ExpectClose((*r)[1], {1, 1}, {3});
}

TEST(LayerNormalizationTest, ThreeDNegativeAxis) {
  // axis -2 of [1, 2, 2]: one group of all four values, like axis 0 above.
  const Tensor x = F({1, 2, 2}, {1, 3, 2, 6});
  absl::StatusOr<std::vector<Tensor>> r = RunLayerNorm(
      x, F({2, 2}, {1, 1, 1, 1}), nullptr, Attrs({{"axis", int64_t{-2}}, {"epsilon", 0.f}}), 3);
  ASSERT_TRUE(r.ok()) << r.status();
  const float inv = 1.f / std::sqrt(3.5f);
  ExpectClose((*r)[0], {1, 2, 2}, {-2 * inv, 0, -inv, 3 * inv});
  ExpectClose((*r)[2], {1, 1, 1}, {inv});
}

TEST(LayerNormalizationTest, Rejects) {
  auto code = [](const absl::StatusOr<std::vector<Tensor>>& r) { return r.status().code(); };
  EXPECT_EQ(code(RunLayerNorm(kX, F({2}, {1, 1}), nullptr, Attrs({{"stash_type", int64_t{11}}}))),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(code(RunLayerNorm(kX, F({3}, {1, 1, 1}), nullptr, {})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunLayerNorm(kX, F({2}, {1, 1}), nullptr, Attrs({{"axis", int64_t{2}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(RunLayerNorm(kX, F({2}, {1, 1}), nullptr, {}, 4).ok());
}

}  // namespace
}  // namespace openbpu::ops
