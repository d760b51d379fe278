// Cast: conversions between float, integer and bool types; unsupported targets.
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

TEST(CastOpTest, Conversions) {
  // float -> int32 truncates toward zero; out of range saturates; NaN -> 0.
  auto out =
      RunOp("Cast", {In(F({5}, {1.7f, -1.7f, 3e10f, -3e10f, kNaN}))}, Attrs({{"to", int64_t{6}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0],
            Tensor::FromVector<int32_t>({5}, {1, -1, std::numeric_limits<int32_t>::max(),
                                              std::numeric_limits<int32_t>::lowest(), 0}));
  out = RunOp("Cast", {In(F({3}, {0.f, -0.5f, kNaN}))}, Attrs({{"to", int64_t{9}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({3}, {false, true, true}));
  out = RunOp("Cast", {In(F({3}, {300.f, -4.f, 7.9f}))}, Attrs({{"to", int64_t{2}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({3}, {255, 0, 7}));
  out = RunOp("Cast", {Const(Tensor::FromVector<int64_t>({2}, {-3, 1 << 20}))},
              Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {-3.f, 1048576.f});
  out = RunOp("Cast", {In(Tensor::FromVector<bool>({2}, {true, false}))},
              Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {1.f, 0.f});
  out = RunOp("Cast", {In(Tensor::FromVector<double>({1}, {0.1}))}, Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {1}, {0.1f});
  out =
      RunOp("Cast", {In(Tensor::FromVector<int32_t>({2}, {-1, 300}))}, Attrs({{"to", int64_t{3}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({2}, {-1, 44}));
  out = RunOp("Cast", {In(F({1}, {2.5f}))}, Attrs({{"to", int64_t{11}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<double>({1}, {2.5}));
  out = RunOp("Cast", {In(F({1}, {-2.5f}))}, Attrs({{"to", int64_t{7}}, {"saturate", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({1}, {-2}));
  out = RunOp("Cast", {In(F({1}, {-2.5f}))}, Attrs({{"to", int64_t{5}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int16_t>({1}, {-2}));
}

TEST(CastOpTest, RejectsUnsupportedTargets) {
  const Tensor x = F({1}, {1.f});
  for (int64_t to : {0, 4, 8, 10, 12, 13, 16, 17, 99}) {
    auto out = RunOp("Cast", {In(x)}, Attrs({{"to", to}}));
    EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << to << ": " << out.status();
  }
  auto out = RunOp("Cast", {In(x)});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Cast", {In(x)}, Attrs({{"to", std::string("FLOAT")}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
