// AveragePool: strides, count_include_pad 0/1, ceil_mode windows past the padded input,
// dilations, auto_pad, 3-D, and rejection of bad dtypes and attributes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(AveragePoolOpTest, Strided2d) {
  auto r = RunOp("AveragePool", {In(Iota({1, 1, 4, 4}, 1))},
                 Attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {3.5, 5.5, 11.5, 13.5});
}

TEST(AveragePoolOpTest, CountIncludePad) {
  const Tensor x = F({1, 1, 3}, {1, 2, 3});
  auto exclude =
      RunOp("AveragePool", {In(x)}, Attrs({{"kernel_shape", Ints{3}}, {"pads", Ints{1, 1}}}));
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 3}, {1.5, 2, 2.5});
  auto include = RunOp(
      "AveragePool", {In(x)},
      Attrs({{"kernel_shape", Ints{3}}, {"pads", Ints{1, 1}}, {"count_include_pad", int64_t{1}}}));
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 3}, {1, 2, 5.f / 3});
}

TEST(AveragePoolOpTest, CeilMode2dMatchesOnnxTest) {
  // test_averagepool_2d_ceil: the clipped last windows average 2x3, 3x2, 2x2 inputs.
  auto r = RunOp(
      "AveragePool", {In(Iota({1, 1, 4, 4}, 1))},
      Attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {6, 7.5, 12, 13.5});
}

TEST(AveragePoolOpTest, CeilModeWindowPastPaddedInput) {
  // Input [1..5], begin pad 1, kernel 3, stride 2, ceil: windows start at -1,
  // 1 and 3; the last one covers 4, 5 and a position past the padded input,
  // which is never counted, not even with count_include_pad.
  const Tensor x = F({1, 1, 5}, {1, 2, 3, 4, 5});
  ir::AttributeMap attrs = Attrs({{"kernel_shape", Ints{3}},
                                  {"strides", Ints{2}},
                                  {"pads", Ints{1, 0}},
                                  {"ceil_mode", int64_t{1}}});
  auto exclude = RunOp("AveragePool", {In(x)}, attrs);
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 3}, {1.5, 3, 4.5});
  attrs.Set("count_include_pad", int64_t{1});
  auto include = RunOp("AveragePool", {In(x)}, attrs);
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 3}, {1, 3, 4.5});
}

TEST(AveragePoolOpTest, Dilations) {
  auto r = RunOp("AveragePool", {In(F({1, 1, 5}, {1, 2, 3, 4, 5}))},
                 Attrs({{"kernel_shape", Ints{2}}, {"dilations", Ints{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3}, {2, 3, 4});
}

TEST(AveragePoolOpTest, AutoPadSameCountsPadsWhenAsked) {
  const Tensor x = F({1, 1, 4}, {1, 2, 3, 4});
  // Total pad 2: one at each end for SAME_UPPER.
  auto exclude = RunOp("AveragePool", {In(x)},
                       Attrs({{"kernel_shape", Ints{3}}, {"auto_pad", std::string("SAME_UPPER")}}));
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 4}, {1.5, 2, 3, 3.5});
  auto include = RunOp("AveragePool", {In(x)},
                       Attrs({{"kernel_shape", Ints{3}},
                              {"auto_pad", std::string("SAME_UPPER")},
                              {"count_include_pad", int64_t{1}}}));
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 4}, {1, 2, 3, 7.f / 3});
  // Kernel 2: total pad 1, at the start for SAME_LOWER.
  auto lower = RunOp("AveragePool", {In(x)},
                     Attrs({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_LOWER")}}));
  ASSERT_TRUE(lower.ok()) << lower.status();
  ExpectFloats((*lower)[0], {1, 1, 4}, {1, 1.5, 2.5, 3.5});
}

TEST(AveragePoolOpTest, ThreeD) {
  auto r =
      RunOp("AveragePool", {In(Iota({1, 2, 2, 2, 2}))}, Attrs({{"kernel_shape", Ints{2, 2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 1, 1, 1}, {3.5, 11.5});
}

TEST(AveragePoolOpTest, Rejects) {
  ExpectCode(RunOp("AveragePool", {In(Tensor::FromVector<int8_t>({1, 1, 2}, {1, 2}))},
                   Attrs({{"kernel_shape", Ints{2}}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))},
                   Attrs({{"kernel_shape", Ints{2}}, {"storage_order", int64_t{0}}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))},
                   Attrs({{"kernel_shape", Ints{2}}, {"dilations", Ints{0}}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
