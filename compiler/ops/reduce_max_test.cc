// ReduceMax: axes attribute or input, NaN, int data, empty sets.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

const Tensor kX = Tensor::FromVector<float>({2, 3}, {1, 9, 3, 4, 5, -6});

TEST(ReduceMaxTest, AxesAttributeAndInput) {
  auto r = RunOp("ReduceMax", {In(kX)}, Attrs({{"axes", std::vector<int64_t>{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 3}, {4, 9, 3});
  r = RunOp("ReduceMax", {In(kX), Const(I64({-1}))}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {9, 5});
  r = RunOp("ReduceMax", {In(kX)}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {}, {9});
}

TEST(ReduceMaxTest, NanPropagates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto r = RunOp("ReduceMax", {In(Tensor::FromVector<float>({2, 2}, {1, nan, nan, 2}))},
                 Attrs({{"axes", std::vector<int64_t>{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::isnan((*r)[0].data<float>()[0]));
  EXPECT_TRUE(std::isnan((*r)[0].data<float>()[1]));
}

TEST(ReduceMaxTest, IntData) {
  auto r = RunOp(
      "ReduceMax",
      {In(Tensor::FromVector<int64_t>({2, 2}, {-7, std::numeric_limits<int64_t>::min(), -8, -1}))},
      Attrs({{"axes", std::vector<int64_t>{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 2}, {-7, -1});
}

TEST(ReduceMaxTest, EmptySet) {
  auto r = RunOp("ReduceMax", {In(Tensor(DType::kFloat32, {0, 2}))},
                 Attrs({{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  const float inf = std::numeric_limits<float>::infinity();
  ExpectTensor<float>((*r)[0], {2}, {-inf, -inf});
  r = RunOp("ReduceMax", {In(Tensor(DType::kInt32, {0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {1}, {std::numeric_limits<int32_t>::min()});
}

TEST(ReduceMaxTest, NoopWithEmptyAxes) {
  auto r = RunOp("ReduceMax", {In(kX)}, Attrs({{"noop_with_empty_axes", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0], kX);
}

TEST(ReduceMaxTest, Errors) {
  ExpectCode(RunOp("ReduceMax", {In(kX), Const(I64({2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMax", {In(kX), In(I64({0}))}), absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("ReduceMax", {In(kX)}, Attrs({{"select_last_index", int64_t{1}}})),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
