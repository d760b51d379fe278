// ReduceMin: axes attribute or input, NaN, int data, empty sets; the integer kernel is the same
// minimum over the integers (exact).
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "compiler/ops/op_test_util.h"
#include "compiler/ops/quant_exact_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::exact_test {
namespace {

const Tensor kMinX = Tensor::FromVector<float>({2, 3}, {1, 9, 3, 4, 5, -6});

TEST(ReduceMinTest, AxesAttributeAndInput) {
  auto r = RunOp("ReduceMin", {In(kMinX)}, Attrs({{"axes", std::vector<int64_t>{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1, 3}, {1, 5, -6});
  r = RunOp("ReduceMin", {In(kMinX), Const(I64({-1}))}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1, -6});
  r = RunOp("ReduceMin", {In(kMinX)}, Attrs({{"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {}, {-6});
}

TEST(ReduceMinTest, NanPropagates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto r = RunOp("ReduceMin", {In(Tensor::FromVector<float>({2, 2}, {1, nan, nan, 2}))},
                 Attrs({{"axes", std::vector<int64_t>{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::isnan((*r)[0].data<float>()[0]));
  EXPECT_TRUE(std::isnan((*r)[0].data<float>()[1]));
}

TEST(ReduceMinTest, IntDataAndEmptySet) {
  auto r = RunOp(
      "ReduceMin",
      {In(Tensor::FromVector<int64_t>({2, 2}, {7, std::numeric_limits<int64_t>::max(), 8, 1}))},
      Attrs({{"axes", std::vector<int64_t>{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 2}, {7, 1});
  r = RunOp("ReduceMin", {In(Tensor(DType::kFloat32, {0, 2}))},
            Attrs({{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  const float inf = std::numeric_limits<float>::infinity();
  ExpectTensor<float>((*r)[0], {2}, {inf, inf});
  r = RunOp("ReduceMin", {In(Tensor(DType::kInt32, {0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {1}, {std::numeric_limits<int32_t>::max()});
}

TEST(ReduceMinTest, NoopWithEmptyAxesAndErrors) {
  auto r = RunOp("ReduceMin", {In(kMinX)}, Attrs({{"noop_with_empty_axes", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0], kMinX);
  ExpectCode(RunOp("ReduceMin", {In(kMinX), Const(I64({2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ReduceMin", {In(kMinX), In(I64({0}))}), absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("ReduceMin", {In(kMinX)}, Attrs({{"select_last_index", int64_t{1}}})),
             absl::StatusCode::kUnimplemented);
}

TEST(ReduceMinTest, QuantizedIsTheIntegerMinimum) {
  const Tensor x = Q16({1, 2, 2, 2}, {1, -5, 300, 2, 32767, -7, -9, -8});
  absl::StatusOr<QResult> r = RunQuant("ReduceMin", {QIn(x, 0.5f), PConst(I64({1, 3}))},
                                       Attrs({{"keepdims", int64_t{0}}}), {{kI16, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {1, 2}, {-7, -9});
  r = RunQuant("ReduceMin", {QIn(Q8({2, 2}, {3, -128, 5, 6}), 0.5f)},
               Attrs({{"axes", std::vector<int64_t>{0}}}), {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 2}, {3, -128});
  // Against the float op on the dequantized input.
  ExpectAgreement("ReduceMin", {QIn(RandQ(kI8, {3, 4, 5}, -128, 127, 11), 0.03f)},
                  Attrs({{"axes", std::vector<int64_t>{0, 2}}}), {{kI8, 0.03f}}, 0);
}

}  // namespace
}  // namespace openbpu::ops::exact_test
