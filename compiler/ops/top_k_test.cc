// TopK: largest/smallest, ties (lower index first), axes, NaN, K errors.
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

TEST(TopKTest, LargestTiesLowerIndexFirst) {
  auto r = RunOp("TopK", {In(Tensor::FromVector<float>({1, 5}, {1, 3, 2, 3, 0})), Const(I64({3}))},
                 {}, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 3}, {3, 3, 2});
  ExpectTensor<int64_t>((*r)[1], {1, 3}, {1, 3, 2});
}

TEST(TopKTest, SmallestAlongAxis0) {
  auto r = RunOp("TopK",
                 {In(Tensor::FromVector<int64_t>({3, 2}, {4, -1, 2, -1, 9, -7})), Const(I64({2}))},
                 Attrs({{"axis", int64_t{0}}, {"largest", int64_t{0}}}), 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2, 2}, {2, -7, 4, -1});
  ExpectTensor<int64_t>((*r)[1], {2, 2}, {1, 2, 0, 0});
}

TEST(TopKTest, NanRanksAboveNumbers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = T1<float>({1, nan, 5});
  auto r = RunOp("TopK", {In(x), Const(I64({2}))}, {}, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[1], {2}, {1, 2});
  r = RunOp("TopK", {In(x), Const(I64({2}))}, Attrs({{"largest", int64_t{0}}}), 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1, 5});
  ExpectTensor<int64_t>((*r)[1], {2}, {0, 2});
}

TEST(TopKTest, KZeroAndInt32) {
  auto r = RunOp("TopK", {In(T1<int32_t>({3, 1, 2})), Const(I64({0}))}, {}, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {0}, {});
  ExpectTensor<int64_t>((*r)[1], {0}, {});
  r = RunOp("TopK", {In(T1<int32_t>({3, 1, 2})), Const(I64({3}))},
            Attrs({{"sorted", int64_t{0}}, {"axis", int64_t{-1}}}), 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {3}, {3, 2, 1});
  ExpectTensor<int64_t>((*r)[1], {3}, {0, 2, 1});
}

TEST(TopKTest, Errors) {
  const Tensor x(DType::kFloat32, {2, 3});
  ExpectCode(RunOp("TopK", {In(x), Const(I64({4}))}, {}, 2), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), Const(I64({-1}))}, {}, 2), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), Const(I64({1, 1}))}, {}, 2), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), Const(T1<int32_t>({1}))}, {}, 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), Const(I64({1}))}, Attrs({{"axis", int64_t{2}}}), 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), Const(I64({1}))}, Attrs({{"largest", int64_t{2}}}), 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("TopK", {In(x), In(I64({1}))}, {}, 2), absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("TopK", {In(Tensor(DType::kBool, {2})), Const(I64({1}))}, {}, 2),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
