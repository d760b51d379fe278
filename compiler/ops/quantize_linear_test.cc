// QuantizeLinear / DequantizeLinear: ONNX float semantics (rounding, saturation, axis, zero point).
#include <cstdint>
#include <vector>

#include "compiler/ops/op_test_util.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(QuantizeLinearTest, RoundsHalfToEvenAndSaturatesInt8) {
  Tensor x = Tensor::FromVector<float>({6}, {0.5f, 1.5f, -2.5f, 1000.f, -1000.f, 0.74f});
  auto out = RunOp("QuantizeLinear",
                   {In(x), Const(Tensor::Scalar<float>(0.5f)), Const(Tensor::Scalar<int8_t>(0))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({6}, {1, 3, -5, 127, -128, 1}));
}

TEST(QuantizeLinearTest, DefaultsToUint8AndAddsZeroPoint) {
  Tensor x = Tensor::FromVector<float>({3}, {0.f, 2.f, -300.f});
  auto out = RunOp("QuantizeLinear", {In(x), Const(Tensor::Scalar<float>(2.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({3}, {0, 1, 0}));
  out = RunOp("QuantizeLinear",
              {In(x), Const(Tensor::Scalar<float>(2.f)), Const(Tensor::Scalar<uint8_t>(128))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({3}, {128, 129, 0}));
}

TEST(QuantizeLinearTest, Int16PerChannel) {
  Tensor x = Tensor::FromVector<float>({2, 2}, {1.f, 1.f, 1.f, 100000.f});
  Tensor s = Tensor::FromVector<float>({2}, {0.25f, 0.5f});
  Tensor zp = Tensor::FromVector<int16_t>({2}, {0, 0});
  auto out = RunOp("QuantizeLinear", {In(x), Const(s), Const(zp)}, Attrs({{"axis", int64_t{0}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int16_t>({2, 2}, {4, 4, 2, 32767}));
}

TEST(QuantizeLinearTest, Errors) {
  Tensor x = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  // Scale length must match dim(axis).
  auto out = RunOp("QuantizeLinear", {In(x), Const(Tensor::FromVector<float>({2}, {1.f, 1.f})),
                                      Const(Tensor::FromVector<int8_t>({2}, {0, 0}))});
  EXPECT_FALSE(out.ok());
  // int32 zero point (output) is not a QuantizeLinear type.
  out = RunOp("QuantizeLinear",
              {In(x), Const(Tensor::Scalar<float>(1.f)), Const(Tensor::Scalar<int32_t>(0))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
  // Non-positive scale.
  out = RunOp("QuantizeLinear",
              {In(x), In(Tensor::Scalar<float>(0.f)), Const(Tensor::Scalar<int8_t>(0))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  // Unknown attribute.
  out = RunOp("QuantizeLinear", {In(x), Const(Tensor::Scalar<float>(1.f))},
              Attrs({{"saturate", int64_t{1}}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
}

TEST(DequantizeLinearTest, PerTensorAndPerAxis) {
  Tensor q = Tensor::FromVector<int8_t>({2, 2}, {-128, 127, 3, -3});
  auto out = RunOp("DequantizeLinear", {In(q), Const(Tensor::Scalar<float>(0.5f))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<float>({2, 2}, {-64.f, 63.5f, 1.5f, -1.5f}));
  out = RunOp("DequantizeLinear", {In(q), Const(Tensor::FromVector<float>({2}, {1.f, 2.f})),
                                   Const(Tensor::FromVector<int8_t>({2}, {0, 1}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<float>({2, 2}, {-128.f, 252.f, 3.f, -8.f}));
}

TEST(DequantizeLinearTest, Int32AndInt16) {
  Tensor q = Tensor::FromVector<int32_t>({2}, {1 << 20, -7});
  auto out = RunOp("DequantizeLinear", {In(q), Const(Tensor::Scalar<float>(0.25f))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<float>({2}, {262144.f, -1.75f}));
  out = RunOp("DequantizeLinear",
              {In(q), Const(Tensor::Scalar<float>(0.25f)), Const(Tensor::Scalar<int32_t>(1))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  Tensor h = Tensor::FromVector<int16_t>({1}, {-32768});
  out = RunOp("DequantizeLinear", {In(h), Const(Tensor::Scalar<float>(1.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<float>({1}, {-32768.f}));
}

}  // namespace
}  // namespace openbpu::ops
