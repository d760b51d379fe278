// Expand: bidirectional broadcast, every dtype, bad and huge shapes.
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

TEST(ExpandTest, AddsDimensions) {
  auto r =
      RunOp("Expand", {In(Tensor::FromVector<float>({3, 1}, {1, 2, 3})), Const(I64({2, 1, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
}

TEST(ExpandTest, ShapeOnesKeepInputDims) {
  auto r =
      RunOp("Expand", {In(Tensor::FromVector<int64_t>({2, 2}, {1, 2, 3, 4})), Const(I64({1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2, 2}, {1, 2, 3, 4});
}

TEST(ExpandTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2}, {1, 0}).CastTo(dtype);
    auto r = RunOp("Expand", {In(x), Const(I64({2, 1}))});
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 2}, {1, 0, 1, 0}).CastTo(dtype));
  }
}

TEST(ExpandTest, Errors) {
  const Tensor x(DType::kFloat32, {3});
  ExpectCode(RunOp("Expand", {In(x), Const(I64({2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Expand", {In(x), Const(I64({-1, 3}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Expand", {In(x), Const(I64({1 << 20, 1 << 20, 3}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Expand", {In(x), Const(I64({std::numeric_limits<int64_t>::max(), 3}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Expand", {In(x), In(I64({3}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
