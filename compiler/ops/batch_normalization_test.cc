// BatchNormalization: per-channel inference formula on 2-D and 4-D inputs, and
// rejection of training mode and mismatched parameter shapes.
#include <cmath>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

absl::StatusOr<Tensor> RunBatchNorm(const Tensor& x, const std::vector<Tensor>& params,
                                    ir::AttributeMap attrs = {}, int num_outputs = 1) {
  std::vector<Arg> args = {In(x)};
  for (const Tensor& p : params) args.push_back(Const(p));
  return FirstOutput(RunOp("BatchNormalization", std::move(args), std::move(attrs), num_outputs));
}

// scale, B, mean, var for two channels: channel 0 is (x - 1) / 2 * 3 + 0.5,
// channel 1 is (x + 1) / 1 * -1 + 0 (epsilon 0 makes the values exact).
const std::vector<Tensor> kParams = {F({2}, {3, -1}), F({2}, {0.5f, 0}), F({2}, {1, -1}),
                                     F({2}, {4, 1})};

TEST(BatchNormalizationTest, FourD) {
  const Tensor x = F({2, 2, 1, 2}, {1, 3, -1, 0, 5, -3, 2, 4});
  ExpectClose(RunBatchNorm(x, kParams, Attrs({{"epsilon", 0.f}, {"momentum", 0.9f}})), {2, 2, 1, 2},
              {0.5f, 3.5f, 0, -1, 6.5f, -5.5f, -3, -5});
}

TEST(BatchNormalizationTest, TwoDAndDefaultEpsilon) {
  const Tensor x = F({1, 2}, {3, 1});
  const float e = 1e-5f;
  ExpectClose(RunBatchNorm(x, kParams), {1, 2},
              {2.f / std::sqrt(4 + e) * 3 + 0.5f, -2.f / std::sqrt(1 + e)});
}

TEST(BatchNormalizationTest, Rejects) {
  const Tensor x = F({1, 2}, {3, 1});
  auto code = [](const absl::StatusOr<Tensor>& r) { return r.status().code(); };
  EXPECT_EQ(code(RunBatchNorm(x, kParams, Attrs({{"training_mode", int64_t{1}}}))),
            absl::StatusCode::kUnimplemented);
  // Training outputs (running mean / var) are not produced.
  EXPECT_FALSE(RunBatchNorm(x, kParams, {}, 3).ok());
  std::vector<Tensor> bad = kParams;
  bad[3] = F({3}, {1, 1, 1});
  EXPECT_EQ(code(RunBatchNorm(x, bad)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunBatchNorm(F({2}, {1, 2}), kParams)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunBatchNorm(x, kParams, Attrs({{"spatial", int64_t{1}}}))),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
