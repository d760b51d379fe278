// Gemm: transposes, alpha/beta, every C broadcast form, and rejected inputs.
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// A and B are graph inputs, C (if given) a constant.
absl::StatusOr<Tensor> RunGemm(const Tensor& a, const Tensor& b, const Tensor* c,
                               ir::AttributeMap attrs = {}) {
  std::vector<Arg> args = {In(a), In(b)};
  if (c != nullptr) args.push_back(Const(*c));
  return FirstOutput(RunOp("Gemm", std::move(args), std::move(attrs)));
}

// A = [[1,2,3],[4,5,6]], B = [[1,0],[0,1],[1,1]]: A*B = [[4,5],[10,11]].
const Tensor kA = F({2, 3}, {1, 2, 3, 4, 5, 6});
const Tensor kB = F({3, 2}, {1, 0, 0, 1, 1, 1});

TEST(GemmTest, PlainProduct) { ExpectClose(RunGemm(kA, kB, nullptr), {2, 2}, {4, 5, 10, 11}); }

TEST(GemmTest, Transposes) {
  const Tensor at = F({3, 2}, {1, 4, 2, 5, 3, 6});
  const Tensor bt = F({2, 3}, {1, 0, 1, 0, 1, 1});
  ExpectClose(RunGemm(at, kB, nullptr, Attrs({{"transA", int64_t{1}}})), {2, 2}, {4, 5, 10, 11});
  ExpectClose(RunGemm(kA, bt, nullptr, Attrs({{"transB", int64_t{1}}})), {2, 2}, {4, 5, 10, 11});
  ExpectClose(RunGemm(at, bt, nullptr, Attrs({{"transA", int64_t{1}}, {"transB", int64_t{1}}})),
              {2, 2}, {4, 5, 10, 11});
}

TEST(GemmTest, AlphaBetaAndBroadcastC) {
  const ir::AttributeMap ab = Attrs({{"alpha", 2.f}, {"beta", 0.5f}});
  const Tensor row = F({2}, {10, 20});
  ExpectClose(RunGemm(kA, kB, &row, ab), {2, 2}, {13, 20, 25, 32});
  const Tensor row2 = F({1, 2}, {10, 20});
  ExpectClose(RunGemm(kA, kB, &row2, ab), {2, 2}, {13, 20, 25, 32});
  const Tensor column = F({2, 1}, {10, 20});
  ExpectClose(RunGemm(kA, kB, &column, ab), {2, 2}, {13, 15, 30, 32});
  const Tensor scalar = Tensor::Scalar<float>(4.f);
  ExpectClose(RunGemm(kA, kB, &scalar, ab), {2, 2}, {10, 12, 22, 24});
  const Tensor one = F({1}, {4.f});
  ExpectClose(RunGemm(kA, kB, &one, ab), {2, 2}, {10, 12, 22, 24});
  const Tensor full = F({2, 2}, {2, 4, 6, 8});
  ExpectClose(RunGemm(kA, kB, &full, ab), {2, 2}, {9, 12, 23, 26});
  // Defaults alpha = beta = 1.
  ExpectClose(RunGemm(kA, kB, &full), {2, 2}, {6, 9, 16, 19});
}

TEST(GemmTest, LargerMatchesDirectLoops) {
  // Sizes that exercise the 4x8 tiles, their edges and more than one k block.
  const int64_t m = 13, n = 21, k = 300;
  Tensor a(DType::kFloat32, {k, m});  // transA
  Tensor b(DType::kFloat32, {n, k});  // transB
  for (int64_t i = 0; i < a.num_elements(); ++i) a.data<float>()[i] = (i % 7) * 0.25f - 0.5f;
  for (int64_t i = 0; i < b.num_elements(); ++i) b.data<float>()[i] = (i % 5) * 0.5f - 1.f;
  std::vector<float> expected(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t q = 0; q < k; ++q)
        sum += a.data<float>()[q * m + i] * b.data<float>()[j * k + q];
      expected[i * n + j] = static_cast<float>(sum);
    }
  }
  ExpectClose(RunGemm(a, b, nullptr, Attrs({{"transA", int64_t{1}}, {"transB", int64_t{1}}})),
              {m, n}, expected);
}

TEST(GemmTest, RejectsBadInputs) {
  auto code = [](const absl::StatusOr<Tensor>& r) { return r.status().code(); };
  const Tensor bad_c = F({3}, {1, 2, 3});
  EXPECT_EQ(code(RunGemm(kA, kB, &bad_c)), absl::StatusCode::kInvalidArgument);
  const Tensor bad_c3 = F({1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(code(RunGemm(kA, kB, &bad_c3)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunGemm(kA, kA, nullptr)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunGemm(F({6}, {1, 2, 3, 4, 5, 6}), kB, nullptr)),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunGemm(kA, kB, nullptr, Attrs({{"transA", int64_t{2}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunGemm(kA, kB, nullptr, Attrs({{"broadcast", int64_t{1}}}))),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(code(RunGemm(kA.CastTo(DType::kInt32), kB.CastTo(DType::kInt32), nullptr)),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
