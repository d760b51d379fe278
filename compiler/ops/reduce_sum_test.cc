// ReduceSum: axes input, keepdims, noop_with_empty_axes, int data, bad axes.
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

const Tensor kX = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(ReduceSumTest, AxisKeepDims) {
  auto r = RunOp("ReduceSum", {In(kX), Const(I64({1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 1}, {6, 15});
}

TEST(ReduceSumTest, NegativeAxisNoKeepDims) {
  auto r = RunOp("ReduceSum", {In(kX), Const(I64({-2}))}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {3}, {5, 7, 9});
}

TEST(ReduceSumTest, NoAxesReducesAll) {
  auto r = RunOp("ReduceSum", {In(kX)});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 1}, {21});
  r = RunOp("ReduceSum", {In(kX), Const(I64({}))}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {}, {21});
}

TEST(ReduceSumTest, NoopWithEmptyAxes) {
  auto r = RunOp("ReduceSum", {In(kX), Const(I64({}))},
                 Attrs({{"noop_with_empty_axes", int64_t{1}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0], kX);
}

TEST(ReduceSumTest, IntData) {
  auto r = RunOp("ReduceSum",
                 {In(Tensor::FromVector<int32_t>({2, 2}, {1, 2147483647, 3, 1})), Const(I64({0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  // int32 sums wrap like the ONNX reference's astype(int32).
  ExpectTensor<int32_t>((*r)[0], {1, 2}, {4, std::numeric_limits<int32_t>::min()});
  r = RunOp("ReduceSum", {In(Tensor::FromVector<int64_t>({3}, {1, 2, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {6});
}

TEST(ReduceSumTest, EmptyReductionIsZero) {
  auto r = RunOp("ReduceSum", {In(Tensor(DType::kFloat32, {2, 0})), Const(I64({1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 1}, {0, 0});
}

TEST(ReduceSumTest, Errors) {
  ExpectCode(RunOp("ReduceSum", {In(kX), Const(I64({2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceSum", {In(kX), Const(I64({1, -1}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceSum", {In(kX)}, Attrs({{"keepdims", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  // ReduceSum takes axes only as an input (the importer converts old attributes).
  ExpectCode(RunOp("ReduceSum", {In(kX)}, Attrs({{"axes", std::vector<int64_t>{0}}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("ReduceSum", {In(kX), In(I64({0}))}), absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("ReduceSum", {In(Tensor(DType::kFloat64, {2}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
