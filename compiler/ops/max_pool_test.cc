// MaxPool: strides, pads (never zero), ceil_mode, dilations, auto_pad, 1-D/3-D, int8/uint8
// and rejection of storage_order, the Indices output and bad attributes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(MaxPoolOpTest, Strided2d) {
  auto r = RunOp("MaxPool", {In(Iota({1, 1, 4, 4}, 1))},
                 Attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {6, 8, 14, 16});
}

TEST(MaxPoolOpTest, PaddingNeverWins) {
  // All inputs negative: a zero pad would leak into every border window.
  auto r = RunOp("MaxPool", {In(F({1, 1, 2, 2}, {-1, -2, -3, -4}))},
                 Attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3, 3}, {-1, -1, -2, -1, -1, -2, -3, -3, -4});
}

TEST(MaxPoolOpTest, WindowEntirelyInPaddingIsMinusInf) {
  auto r = RunOp("MaxPool", {In(F({1, 1, 1}, {5}))},
                 Attrs({{"kernel_shape", Ints{1}}, {"pads", Ints{1, 0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2}, {-kInf, 5});
}

TEST(MaxPoolOpTest, CeilMode1d) {
  auto floor = RunOp("MaxPool", {In(F({1, 1, 5}, {1, 2, 3, 4, 5}))},
                     Attrs({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}}));
  ASSERT_TRUE(floor.ok()) << floor.status();
  ExpectFloats((*floor)[0], {1, 1, 2}, {2, 4});
  auto ceil = RunOp("MaxPool", {In(F({1, 1, 5}, {1, 2, 3, 4, 5}))},
                    Attrs({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"ceil_mode", 1}}));
  ASSERT_TRUE(ceil.ok()) << ceil.status();
  ExpectFloats((*ceil)[0], {1, 1, 3}, {2, 4, 5});
}

TEST(MaxPoolOpTest, CeilModeDropsWindowStartingInEndPad) {
  // ceil((2 + 1 - 2) / 2) + 1 = 2 windows, but the second would start at
  // position 2, inside the end pad: it is dropped.
  auto r = RunOp("MaxPool", {In(F({1, 1, 2}, {1, 2}))},
                 Attrs({{"kernel_shape", Ints{2}},
                        {"strides", Ints{2}},
                        {"pads", Ints{0, 1}},
                        {"ceil_mode", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1}, {2});
}

TEST(MaxPoolOpTest, CeilMode2dMatchesOnnxTest) {
  // test_maxpool_2d_ceil.
  auto r = RunOp(
      "MaxPool", {In(Iota({1, 1, 4, 4}, 1))},
      Attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {11, 12, 15, 16});
}

TEST(MaxPoolOpTest, Dilations) {
  auto r = RunOp("MaxPool", {In(F({1, 1, 5}, {1, 5, 2, 4, 3}))},
                 Attrs({{"kernel_shape", Ints{2}}, {"dilations", Ints{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3}, {2, 5, 3});
}

TEST(MaxPoolOpTest, AutoPad) {
  const Tensor x = F({1, 1, 5}, {3, 1, 4, 1, 5});
  // SAME: 5 outputs, total pad 1: at the end (UPPER) or the start (LOWER).
  auto upper = RunOp("MaxPool", {In(x)},
                     Attrs({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_UPPER")}}));
  ASSERT_TRUE(upper.ok()) << upper.status();
  ExpectFloats((*upper)[0], {1, 1, 5}, {3, 4, 4, 5, 5});
  auto lower = RunOp("MaxPool", {In(x)},
                     Attrs({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_LOWER")}}));
  ASSERT_TRUE(lower.ok()) << lower.status();
  ExpectFloats((*lower)[0], {1, 1, 5}, {3, 3, 4, 4, 5});
  // VALID ignores explicit pads.
  auto valid = RunOp("MaxPool", {In(x)},
                     Attrs({{"kernel_shape", Ints{2}},
                            {"strides", Ints{2}},
                            {"pads", Ints{1, 1}},
                            {"auto_pad", std::string("VALID")}}));
  ASSERT_TRUE(valid.ok()) << valid.status();
  ExpectFloats((*valid)[0], {1, 1, 2}, {3, 4});
  // SAME with stride 2: ceil(5 / 2) = 3 outputs, total pad (3-1)*2+3-5 = 2.
  auto strided = RunOp("MaxPool", {In(x)},
                       Attrs({{"kernel_shape", Ints{3}},
                              {"strides", Ints{2}},
                              {"auto_pad", std::string("SAME_UPPER")}}));
  ASSERT_TRUE(strided.ok()) << strided.status();
  ExpectFloats((*strided)[0], {1, 1, 3}, {3, 4, 5});
}

TEST(MaxPoolOpTest, ThreeDAndChannels) {
  // Two channels of a 2x2x2 volume; kernel [1, 2, 2] keeps depth.
  auto r = RunOp("MaxPool", {In(Iota({1, 2, 2, 2, 2}))}, Attrs({{"kernel_shape", Ints{1, 2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 2, 1, 1}, {3, 7, 11, 15});
  auto all =
      RunOp("MaxPool", {In(Iota({2, 1, 2, 2, 2}))}, Attrs({{"kernel_shape", Ints{2, 2, 2}}}));
  ASSERT_TRUE(all.ok()) << all.status();
  ExpectFloats((*all)[0], {2, 1, 1, 1, 1}, {7, 15});
}

TEST(MaxPoolOpTest, Int8AndUInt8) {
  auto s8 = RunOp("MaxPool", {In(Tensor::FromVector<int8_t>({1, 1, 3}, {-5, -3, -7}))},
                  Attrs({{"kernel_shape", Ints{2}}, {"pads", Ints{1, 1}}}));
  ASSERT_TRUE(s8.ok()) << s8.status();
  ExpectTensor<int8_t>((*s8)[0], {1, 1, 4}, {-5, -3, -3, -7});
  auto u8 = RunOp("MaxPool", {In(Tensor::FromVector<uint8_t>({1, 1, 4}, {200, 3, 7, 255}))},
                  Attrs({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}}));
  ASSERT_TRUE(u8.ok()) << u8.status();
  ExpectTensor<uint8_t>((*u8)[0], {1, 1, 2}, {200, 255});
}

TEST(MaxPoolOpTest, RejectsUnsupported) {
  const Tensor x = Iota({1, 1, 4, 4});
  ExpectCode(RunOp("MaxPool", {In(x)},
                   Attrs({{"kernel_shape", Ints{2, 2}}, {"storage_order", int64_t{1}}})),
             absl::StatusCode::kUnimplemented);
  // The Indices output.
  ExpectCode(RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{2, 2}}}), 2),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("MaxPool", {In(Tensor::FromVector<int32_t>({1, 1, 2}, {1, 2}))},
                   Attrs({{"kernel_shape", Ints{2}}})),
             absl::StatusCode::kUnimplemented);
  // storage_order 0 is fine.
  EXPECT_TRUE(RunOp("MaxPool", {In(x)},
                    Attrs({{"kernel_shape", Ints{2, 2}}, {"storage_order", int64_t{0}}}))
                  .ok());
}

TEST(MaxPoolOpTest, RejectsBadAttributes) {
  const Tensor x = Iota({1, 1, 4, 4});
  ExpectCode(RunOp("MaxPool", {In(x)}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{5, 5}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{0, 1}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{-1, 0, 0, 0}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("MaxPool", {In(x)},
                   Attrs({{"kernel_shape", Ints{2, 2}}, {"auto_pad", std::string("SAME")}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("MaxPool", {In(Iota({4, 4}))}, Attrs({{"kernel_shape", Ints{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("MaxPool", {In(x)}, Attrs({{"kernel_shape", Ints{int64_t{1} << 40, 1}}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
