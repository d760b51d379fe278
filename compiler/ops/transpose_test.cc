// Transpose: default and explicit permutations, every dtype, bad perms.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(TransposeTest, DefaultReverses) {
  auto r = RunOp("Transpose", {In(Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(TransposeTest, Perm3d) {
  // x[i][j][k] = 100i + 10j + k, shape [2,3,2]; out[j][k][i] = x[i][j][k].
  std::vector<int64_t> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) v.push_back(100 * i + 10 * j + k);
  auto r = RunOp("Transpose", {In(Tensor::FromVector<int64_t>({2, 3, 2}, v))},
                 Attrs({{"perm", std::vector<int64_t>{1, 2, 0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3, 2, 2}, {0, 100, 1, 101, 10, 110, 11, 111, 20, 120, 21, 121});
}

TEST(TransposeTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({1, 2, 2}, {1, 1, 0, 1}).CastTo(dtype);
    auto r = RunOp("Transpose", {In(x)}, Attrs({{"perm", std::vector<int64_t>{2, 0, 1}}}));
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 1, 2}, {1, 0, 1, 1}).CastTo(dtype));
  }
}

TEST(TransposeTest, Errors) {
  const Tensor x(DType::kFloat32, {2, 3});
  for (const std::vector<int64_t>& perm :
       std::vector<std::vector<int64_t>>{{0}, {0, 0}, {0, 2}, {-1, 0}, {0, 1, 2}}) {
    ExpectCode(RunOp("Transpose", {In(x)}, Attrs({{"perm", perm}})),
               absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace openbpu::ops
