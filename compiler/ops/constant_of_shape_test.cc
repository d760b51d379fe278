// ConstantOfShape: default and typed values, empty shapes, bad shapes.
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

TEST(ConstantOfShapeTest, DefaultFloatZero) {
  auto r = RunOp("ConstantOfShape", {Const(I64({2, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3}, std::vector<float>(6, 0.f));
}

TEST(ConstantOfShapeTest, TypedValues) {
  auto r = RunOp("ConstantOfShape", {Const(I64({3}))}, Attrs({{"value", T1<int64_t>({-7})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3}, {-7, -7, -7});
  r = RunOp("ConstantOfShape", {Const(I64({1, 2}))}, Attrs({{"value", T1<bool>({true})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {1, 2}, {true, true});
  r = RunOp("ConstantOfShape", {Const(I64({2}))}, Attrs({{"value", T1<float>({1.5f})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1.5f, 1.5f});
}

TEST(ConstantOfShapeTest, EmptyShapes) {
  auto r = RunOp("ConstantOfShape", {Const(I64({}))}, Attrs({{"value", T1<int32_t>({4})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {}, {4});
  r = RunOp("ConstantOfShape", {Const(I64({0}))}, Attrs({{"value", T1<int32_t>({4})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {0}, {});
}

TEST(ConstantOfShapeTest, Errors) {
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({-1}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({1 << 20, 1 << 20}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({std::numeric_limits<int64_t>::max(), 0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({2}))}, Attrs({{"value", T1<float>({1, 2})}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(T1<int32_t>({2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {In(I64({2}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
