// ArgMax: axes, keepdims, select_last_index, ties, NaN, int data, errors.
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

TEST(ArgMaxTest, DefaultAxisKeepDims) {
  auto r = RunOp("ArgMax", {In(Tensor::FromVector<float>({2, 2}, {2, 1, 3, 10}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 2}, {1, 1});
}

TEST(ArgMaxTest, NegativeAxisNoKeepDimsTies) {
  const Tensor x = Tensor::FromVector<float>({2, 3}, {2, 5, 5, 7, 7, 7});
  auto r = RunOp("ArgMax", {In(x)}, Attrs({{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2}, {1, 0});
  r = RunOp(
      "ArgMax", {In(x)},
      Attrs({{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}, {"select_last_index", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2}, {2, 2});
}

TEST(ArgMaxTest, NanIsLargest) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = T1<float>({1, nan, 5, nan, 2});
  auto r = RunOp("ArgMax", {In(x)});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {1});
  r = RunOp("ArgMax", {In(x)}, Attrs({{"select_last_index", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {3});
}

TEST(ArgMaxTest, IntData) {
  auto r = RunOp("ArgMax", {In(Tensor::FromVector<int64_t>({3, 1}, {-5, 8, 8}))},
                 Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {1});
  r = RunOp("ArgMax", {In(Tensor::FromVector<int32_t>({1, 3}, {-5, -1, -9}))},
            Attrs({{"axis", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 1}, {1});
}

TEST(ArgMaxTest, Errors) {
  ExpectCode(RunOp("ArgMax", {In(Tensor(DType::kFloat32, {2, 3}))}, Attrs({{"axis", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ArgMax", {In(Tensor(DType::kFloat32, {0, 3}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ArgMax", {In(Tensor::Scalar<float>(1))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ArgMax", {In(Tensor(DType::kFloat32, {2}))},
                   Attrs({{"select_last_index", int64_t{3}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ArgMax", {In(Tensor(DType::kBool, {2}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
