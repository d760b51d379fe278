// Concat: values, negative axes, every dtype, zero-size inputs and bad shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ConcatTest, NegativeAxis) {
  auto r = RunOp("Concat",
                 {In(Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4})),
                  In(Tensor::FromVector<float>({2, 1}, {5, 6}))},
                 Attrs({{"axis", int64_t{-1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3}, {1, 2, 5, 3, 4, 6});
}

TEST(ConcatTest, ThreeInputsAxis0Int64) {
  auto r = RunOp("Concat", {In(I64({1, 2})), In(I64({3})), Const(I64({4, 5}))},
                 Attrs({{"axis", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {5}, {1, 2, 3, 4, 5});
}

TEST(ConcatTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor a = Tensor::FromVector<int64_t>({1, 2}, {1, 0}).CastTo(dtype);
    Tensor b = Tensor::FromVector<int64_t>({1, 2}, {0, 1}).CastTo(dtype);
    auto r = RunOp("Concat", {In(a), In(b)}, Attrs({{"axis", int64_t{-2}}}));
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 2}, {1, 0, 0, 1}).CastTo(dtype))
        << DTypeName(dtype);
  }
}

TEST(ConcatTest, ZeroSizedInput) {
  auto r =
      RunOp("Concat",
            {In(Tensor(DType::kBool, {2, 0})), In(Tensor::FromVector<bool>({2, 1}, {true, false}))},
            Attrs({{"axis", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {2, 1}, {true, false});
}

TEST(ConcatTest, Errors) {
  const Tensor a = Tensor(DType::kFloat32, {2, 2});
  ExpectCode(
      RunOp("Concat", {In(a), In(Tensor(DType::kFloat32, {3, 2}))}, Attrs({{"axis", int64_t{1}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("Concat", {In(a), In(Tensor(DType::kFloat32, {2}))}, Attrs({{"axis", int64_t{0}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Concat", {In(a), In(a)}, Attrs({{"axis", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Concat", {In(a), In(a)}, Attrs({{"axis", int64_t{-3}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("Concat", {In(a), In(Tensor(DType::kInt64, {2, 2}))}, Attrs({{"axis", int64_t{0}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Concat", {In(a), In(a)}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Concat", {In(Tensor::Scalar<float>(1)), In(Tensor::Scalar<float>(2))},
                   Attrs({{"axis", int64_t{0}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Concat", {In(a)}, Attrs({{"axis", int64_t{0}}, {"foo", int64_t{1}}})),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
