// Reshape: 0 and -1 handling, allowzero, any dtype and bad shapes.
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

TEST(ReshapeTest, ZeroCopiesAndMinusOneInfers) {
  Tensor x = Tensor::FromVector<int64_t>({2, 3, 4}, std::vector<int64_t>(24, 7));
  x.data<int64_t>()[23] = -5;
  auto r = RunOp("Reshape", {In(x), Const(I64({4, 0, -1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{4, 3, 2}));
  EXPECT_EQ((*r)[0].data<int64_t>()[23], -5);
}

TEST(ReshapeTest, AllowZero) {
  auto r = RunOp("Reshape", {In(Tensor(DType::kBool, {0, 3})), Const(I64({3, 0}))},
                 Attrs({{"allowzero", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {3, 0}, {});
  // Without allowzero the 0 copies input dimension 1.
  r = RunOp("Reshape", {In(Tensor(DType::kBool, {0, 3})), Const(I64({-1, 0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {0, 3}, {});
}

TEST(ReshapeTest, ToScalarAndBack) {
  auto r = RunOp("Reshape", {In(T1<bool>({true})), Const(I64({}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {}, {true});
}

TEST(ReshapeTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2, 2}, {1, 0, 0, 1}).CastTo(dtype);
    auto r = RunOp("Reshape", {In(x), Const(I64({-1}))});
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({4}, {1, 0, 0, 1}).CastTo(dtype));
  }
}

TEST(ReshapeTest, Errors) {
  const Tensor x(DType::kFloat32, {2, 3});
  for (const std::vector<int64_t>& bad : std::vector<std::vector<int64_t>>{
           {-1, -1},   // two -1
           {4, 2},     // element count
           {-2, 3},    // invalid value
           {4, -1},    // 6 not divisible by 4
           {2, 3, 0},  // 0 beyond the input rank
           {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()},
           {1 << 30, 1 << 30, 0, -1},  // huge product
       }) {
    ExpectCode(RunOp("Reshape", {In(x), Const(I64(bad))}), absl::StatusCode::kInvalidArgument);
  }
  ExpectCode(RunOp("Reshape", {In(x), Const(I64({0, -1}))}, Attrs({{"allowzero", int64_t{1}}})),
             absl::StatusCode::kInvalidArgument);
  // -1 next to a zero-sized dimension is ambiguous.
  ExpectCode(RunOp("Reshape", {In(Tensor(DType::kFloat32, {0, 3})), Const(I64({0, -1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Reshape", {In(x), Const(T1<float>({6}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Reshape", {In(x), Const(I64({6}))}, Attrs({{"allowzero", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Reshape", {In(x), In(I64({6}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
