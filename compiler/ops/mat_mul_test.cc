// MatMul: 2-D, batched with broadcasting, 1-D promotion, a larger product
// against direct loops, and rejected shapes.
#include <vector>

#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

// 0, scale, 2 * scale, ... in row-major order.
Tensor ScaledIota(Shape shape, float scale) {
  Tensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = i * scale;
  return t;
}

absl::StatusOr<Tensor> RunMatMul(const Tensor& a, const Tensor& b) {
  return FirstOutput(RunOp("MatMul", {In(a), In(b)}));
}

// Direct numpy-style batched matmul for [batch..., m, k] x [batch..., k, n]
// after broadcasting, with the batch index mapping given by the caller.
TEST(MatMulTest, TwoD) {
  ExpectClose(RunMatMul(F({2, 3}, {1, 2, 3, 4, 5, 6}), F({3, 2}, {1, 0, 0, 1, 1, 1})), {2, 2},
              {4, 5, 10, 11});
}

TEST(MatMulTest, OneDPromotion) {
  const Tensor m = F({2, 3}, {1, 2, 3, 4, 5, 6});
  // [3] x [3, 2] -> [2]; [2, 3] x [3] -> [2]; [3] x [3] -> scalar.
  ExpectClose(RunMatMul(F({2}, {1, 1}), m), {3}, {5, 7, 9});
  ExpectClose(RunMatMul(m, F({3}, {1, 0, -1})), {2}, {-2, -2});
  ExpectClose(RunMatMul(F({3}, {1, 2, 3}), F({3}, {4, 5, 6})), {}, {32});
  // A 1-D operand against a batched one: [3] x [2, 3, 1] -> [2, 1].
  ExpectClose(RunMatMul(F({3}, {1, 2, 3}), F({2, 3, 1}, {1, 1, 1, 0, 0, 1})), {2, 1}, {6, 3});
  ExpectClose(RunMatMul(F({2, 1, 3}, {1, 1, 1, 0, 0, 1}), F({3}, {1, 2, 3})), {2, 1}, {6, 3});
}

TEST(MatMulTest, BatchedWithBroadcasting) {
  // [2, 2, 3] x [3, 2]: shared right operand.
  const Tensor a = Iota({2, 2, 3});
  const Tensor b = F({3, 2}, {1, 0, 0, 1, 1, 1});
  ExpectClose(RunMatMul(a, b), {2, 2, 2}, {2, 3, 8, 9, 14, 15, 20, 21});
  // [2, 1, 1, 2] x [3, 2, 1] -> [2, 3, 1, 1]: both sides broadcast.
  const Tensor a4 = F({2, 1, 1, 2}, {1, 2, 3, 4});
  const Tensor b3 = F({3, 2, 1}, {1, 0, 0, 1, 1, 1});
  ExpectClose(RunMatMul(a4, b3), {2, 3, 1, 1}, {1, 2, 3, 3, 4, 7});
  // [1, 2] x [2, 2, 1]: the left operand broadcasts over the right's batch.
  ExpectClose(RunMatMul(F({1, 2}, {1, 2}), F({2, 2, 1}, {1, 1, 2, 3})), {2, 1, 1}, {3, 8});
}

TEST(MatMulTest, LargerMatchesDirectLoops) {
  const int64_t batch = 3, m = 9, k = 70, n = 37;
  const Tensor a = ScaledIota({batch, m, k}, 0.001f);
  Tensor b(DType::kFloat32, {batch, k, n});
  for (int64_t i = 0; i < b.num_elements(); ++i) b.data<float>()[i] = (i % 11) * 0.1f - 0.5f;
  std::vector<float> expected(batch * m * n);
  for (int64_t t = 0; t < batch; ++t) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t q = 0; q < k; ++q) {
          sum += a.data<float>()[(t * m + i) * k + q] * b.data<float>()[(t * k + q) * n + j];
        }
        expected[(t * m + i) * n + j] = static_cast<float>(sum);
      }
    }
  }
  ExpectClose(RunMatMul(a, b), {batch, m, n}, expected);
}

TEST(MatMulTest, RejectsBadShapes) {
  auto code = [](const absl::StatusOr<Tensor>& r) { return r.status().code(); };
  EXPECT_EQ(code(RunMatMul(Iota({2, 3}), Iota({2, 3}))), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunMatMul(Iota({2, 2, 3}), Iota({3, 3, 2}))), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunMatMul(Tensor::Scalar<float>(1.f), Iota({2}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunMatMul(Iota({2, 2}).CastTo(DType::kInt64), Iota({2, 2}).CastTo(DType::kInt64))),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
