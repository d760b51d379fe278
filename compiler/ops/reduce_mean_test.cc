// ReduceMean: axes attribute or input, int truncation, empty sets, bad axes.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

const Tensor kX = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(ReduceMeanTest, AxesAttribute) {
  auto r = RunOp("ReduceMean", {In(kX)},
                 Attrs({{"axes", std::vector<int64_t>{-1}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {2, 5});
}

TEST(ReduceMeanTest, AxesInput) {
  auto r = RunOp("ReduceMean", {In(kX), Const(I64({0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 3}, {2.5f, 3.5f, 4.5f});
  r = RunOp("ReduceMean", {In(kX)});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 1}, {3.5f});
}

TEST(ReduceMeanTest, IntMeanTruncatesTowardZero) {
  auto r = RunOp("ReduceMean", {In(Tensor::FromVector<int32_t>({2, 2}, {-3, 2, 7, 8}))},
                 Attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {2}, {0, 7});
  r = RunOp("ReduceMean", {In(Tensor::FromVector<int64_t>({3}, {-4, -4, -5}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {-4});
}

TEST(ReduceMeanTest, EmptySet) {
  auto r = RunOp("ReduceMean", {In(Tensor(DType::kFloat32, {2, 0})), Const(I64({1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ((*r)[0].shape(), (Shape{2, 1}));
  EXPECT_TRUE(std::isnan((*r)[0].data<float>()[0]));
  // An integer mean of nothing has no value.
  ExpectCode(RunOp("ReduceMean", {In(Tensor(DType::kInt32, {2, 0})), Const(I64({1}))}),
             absl::StatusCode::kInvalidArgument);
}

TEST(ReduceMeanTest, Errors) {
  ExpectCode(
      RunOp("ReduceMean", {In(kX), Const(I64({0}))}, Attrs({{"axes", std::vector<int64_t>{0}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMean", {In(kX)}, Attrs({{"axes", std::vector<int64_t>{-3}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMean", {In(kX)}, Attrs({{"axes", std::vector<int64_t>{1, 1}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMean", {In(kX), Const(T1<int32_t>({0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMean", {In(Tensor(DType::kBool, {2}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
