// Pad: constant / reflect / edge, negative pads (crop first), axes, every dtype, and
// rejection of wrap mode, dynamic pads and bad values.
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

TEST(PadOpTest, ConstantValue) {
  auto r = RunOp("Pad", {In(F({2, 2}, {1, 2, 3, 4})), Const(I64({1, 0, 0, 1})),
                         Const(Tensor::Scalar<float>(9))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {3, 3}, {9, 9, 9, 1, 2, 9, 3, 4, 9});
  // constant_value defaults to 0.
  r = RunOp("Pad", {In(F({2, 2}, {1, 2, 3, 4})), Const(I64({0, 1, 0, 0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2, 3}, {0, 1, 2, 0, 3, 4});
}

TEST(PadOpTest, Reflect) {
  const ir::AttributeMap reflect = Attrs({{"mode", std::string("reflect")}});
  auto r = RunOp("Pad", {In(F({3}, {1, 2, 3})), Const(I64({2, 2}))}, reflect);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {7}, {3, 2, 1, 2, 3, 2, 1});
  // Pads longer than the input keep reflecting, as numpy does.
  r = RunOp("Pad", {In(F({3}, {1, 2, 3})), Const(I64({5, 5}))}, reflect);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {13}, {2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2});
  // A single element reflects onto itself.
  r = RunOp("Pad", {In(F({1}, {7})), Const(I64({1, 2}))}, reflect);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {4}, {7, 7, 7, 7});
  // 2-D: rows and columns.
  r = RunOp("Pad", {In(Iota({2, 3}, 1)), Const(I64({1, 1, 0, 1}))}, reflect);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {3, 5}, {5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5});
}

TEST(PadOpTest, Edge) {
  auto r = RunOp("Pad", {In(F({3}, {1, 2, 3})), Const(I64({2, 1}))},
                 Attrs({{"mode", std::string("edge")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {6}, {1, 1, 1, 2, 3, 3});
}

TEST(PadOpTest, NegativePadsCropFirst) {
  const Tensor x = F({5}, {1, 2, 3, 4, 5});
  auto r = RunOp("Pad", {In(x), Const(I64({-1, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {6}, {2, 3, 4, 5, 0, 0});
  // Reflection of the cropped [2, 3, 4, 5].
  r = RunOp("Pad", {In(x), Const(I64({-1, 2}))}, Attrs({{"mode", std::string("reflect")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {6}, {2, 3, 4, 5, 4, 3});
  r = RunOp("Pad", {In(x), Const(I64({2, -3}))}, Attrs({{"mode", std::string("edge")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {4}, {1, 1, 1, 2});
  r = RunOp("Pad", {In(x), Const(I64({-2, -3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {0}, {});
}

TEST(PadOpTest, Axes) {
  auto r = RunOp("Pad", {In(Iota({2, 3}, 1)), Const(I64({1, 1})), Omitted(), Const(I64({-1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2, 5}, {0, 1, 2, 3, 0, 0, 4, 5, 6, 0});
  // int32 axes, pads given in axes order.
  r = RunOp("Pad", {In(Iota({2, 3}, 1)), Const(I64({0, 1, 1, 0})), Const(Tensor::Scalar<float>(-1)),
                    Const(Tensor::FromVector<int32_t>({2}, {1, 0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {3, 4}, {-1, -1, -1, -1, 1, 2, 3, -1, 4, 5, 6, -1});
}

TEST(PadOpTest, AnyDType) {
  auto i64 =
      RunOp("Pad", {In(Tensor::FromVector<int64_t>({2}, {int64_t{1} << 40, -3})),
                    Const(I64({1, 1})), Const(Tensor::Scalar<int64_t>(-(int64_t{1} << 50)))});
  ASSERT_TRUE(i64.ok()) << i64.status();
  ExpectTensor<int64_t>((*i64)[0], {4},
                        {-(int64_t{1} << 50), int64_t{1} << 40, -3, -(int64_t{1} << 50)});
  auto b = RunOp("Pad", {In(Tensor::FromVector<bool>({2}, {true, false})), Const(I64({2, 1}))},
                 Attrs({{"mode", std::string("edge")}}));
  ASSERT_TRUE(b.ok()) << b.status();
  ExpectTensor<bool>((*b)[0], {5}, {true, true, true, false, false});
  auto i8 =
      RunOp("Pad", {In(Tensor::FromVector<int8_t>({1, 2}, {-7, 5})), Const(I64({0, 1, 0, 0}))});
  ASSERT_TRUE(i8.ok()) << i8.status();
  ExpectTensor<int8_t>((*i8)[0], {1, 3}, {0, -7, 5});
  auto u8 = RunOp("Pad", {In(Tensor::FromVector<uint8_t>({3}, {1, 2, 3})), Const(I64({1, 1}))},
                  Attrs({{"mode", std::string("reflect")}}));
  ASSERT_TRUE(u8.ok()) << u8.status();
  ExpectTensor<uint8_t>((*u8)[0], {5}, {2, 1, 2, 3, 2});
  auto d = RunOp("Pad", {In(Tensor::FromVector<double>({1}, {0.5})), Const(I64({1, 0})),
                         Const(Tensor::Scalar<double>(2.5))});
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectTensor<double>((*d)[0], {2}, {2.5, 0.5});
}

TEST(PadOpTest, Rejects) {
  const Tensor x = F({3}, {1, 2, 3});
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1, 1}))}, Attrs({{"mode", std::string("wrap")}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1, 1}))}, Attrs({{"mode", std::string("mirror")}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), In(I64({1, 1}))}), absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1, 1})), In(Tensor::Scalar<float>(1))}),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({-2, -2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({std::numeric_limits<int64_t>::min(), 0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({int64_t{1} << 62, 0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1, 1})), Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Pad", {In(x), Const(I64({1, 1})), Omitted(), Const(I64({1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("Pad", {In(F({0}, {})), Const(I64({1, 1}))}, Attrs({{"mode", std::string("edge")}})),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
