// LessOrEqual: float (NaN compares false) and integer inputs, bool output; the integer kernel
// compares quantized values exactly across scales.
#include <cstdint>
#include <vector>

#include "compiler/ops/op_test_util.h"
#include "compiler/ops/quant_exact_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::exact_test {
namespace {

TEST(LessOrEqualOpTest, Values) {
  auto out = RunOp("LessOrEqual", {In(F({2, 2}, {1.f, 2.f, 3.f, kNaN})), In(F({2}, {2.f, 2.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2, 2}, {true, true, false, false}));
  out = RunOp("LessOrEqual", {In(Tensor::FromVector<int64_t>({3}, {-1, 0, 5})),
                              Const(Tensor::Scalar<int64_t>(0))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({3}, {true, true, false}));
}

TEST(LessOrEqualOpTest, RejectsBoolAndMixedDTypes) {
  auto out = RunOp("LessOrEqual", {In(Tensor::FromVector<bool>({1}, {true})),
                                   In(Tensor::FromVector<bool>({1}, {false}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("LessOrEqual", {In(F({1}, {1.f})), In(Tensor::FromVector<int64_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

TEST(LessOrEqualOpTest, QuantizedIsExactAcrossScales) {
  // 3 * 0.5 = 1.5 = 6 * 0.25; 4 * 0.5 = 2 > 7 * 0.25 = 1.75; -2 * 0.5 = -1 < -3 * 0.25.
  absl::StatusOr<QResult> r = RunQuant(
      "LessOrEqual", {QIn(Q8({3}, {3, 4, -2}), 0.5f), QIn(Q16({3}, {6, 7, -3}), 0.25f)}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {3}, {true, false, true});
  // Unquantized int64 inputs run the plain comparison.
  r = RunQuant("LessOrEqual", {PIn(I64({1, 5, 2})), PIn(I64({2, 2, 2}))}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {3}, {true, false, true});
  // Against the float op on dequantized inputs, with many exact ties.
  const Tensor a = RandQ(kI8, {4, 5}, -8, 8, 8);
  const Tensor b = RandQ(kI16, {5}, -16, 16, 9);
  ExpectAgreement("LessOrEqual", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{}}, 0);
}

}  // namespace
}  // namespace openbpu::ops::exact_test
