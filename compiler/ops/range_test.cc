// Range: float/int32/int64, negative deltas, empty ranges, int64 extremes, errors.
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

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

template <typename T>
absl::StatusOr<std::vector<Tensor>> RunRange(T start, T limit, T delta) {
  return RunOp("Range", {Const(Tensor::Scalar<T>(start)), Const(Tensor::Scalar<T>(limit)),
                         Const(Tensor::Scalar<T>(delta))});
}

TEST(RangeTest, Float) {
  auto r = RunRange<float>(1, 5, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1, 3});
  r = RunRange<float>(1, 2, 0.25f);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {4}, {1, 1.25f, 1.5f, 1.75f});
  r = RunRange<float>(0, -1, -0.4f);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ((*r)[0].shape(), (Shape{3}));
}

TEST(RangeTest, Int) {
  auto r = RunRange<int32_t>(10, 6, -3);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {2}, {10, 7});
  auto r64 = RunRange<int64_t>(0, 10, 3);
  ASSERT_TRUE(r64.ok()) << r64.status();
  ExpectTensor<int64_t>((*r64)[0], {4}, {0, 3, 6, 9});
  r64 = RunRange<int64_t>(5, 1, 1);
  ASSERT_TRUE(r64.ok()) << r64.status();
  ExpectTensor<int64_t>((*r64)[0], {0}, {});
}

TEST(RangeTest, Int64ExtremesDoNotOverflow) {
  auto r = RunRange<int64_t>(kMin, kMax, kMax);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3}, {kMin, -1, kMax - 1});
  r = RunRange<int64_t>(kMax, kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2}, {kMax, -1});
  ExpectCode(RunRange<int64_t>(kMin, kMax, 1), absl::StatusCode::kInvalidArgument);
}

TEST(RangeTest, Errors) {
  ExpectCode(RunRange<float>(0, 1, 0), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<int32_t>(0, 1, 0), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<float>(0, std::numeric_limits<float>::infinity(), 1),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<float>(0, 1e30f, 1), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {Const(Tensor::Scalar<int32_t>(0)), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {Const(I64({0, 1})), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {In(Tensor::Scalar<int64_t>(0)), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunRange<double>(0, 1, 1), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
