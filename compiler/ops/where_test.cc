// Where: three-way broadcasting over float, int64 and bool data.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(WhereOpTest, Values) {
  const Tensor cond = Tensor::FromVector<bool>({2, 2}, {true, false, true, true});
  auto out = RunOp("Where", {In(cond), In(F({2, 2}, {1.f, 2.f, 3.f, 4.f})),
                             In(F({2, 2}, {9.f, 8.f, 7.f, 6.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 2}, {1.f, 8.f, 3.f, 4.f});
  // Condition [2,1], X [1,3], Y scalar: output [2,3].
  out = RunOp("Where", {In(Tensor::FromVector<bool>({2, 1}, {true, false})),
                        In(Tensor::FromVector<int64_t>({1, 3}, {1, 2, 3})),
                        Const(Tensor::Scalar<int64_t>(-1))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2, 3}, {1, 2, 3, -1, -1, -1}));
  out = RunOp("Where", {In(Tensor::FromVector<bool>({2}, {false, true})),
                        In(Tensor::FromVector<bool>({2}, {true, true})),
                        In(Tensor::FromVector<bool>({2}, {false, false}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2}, {false, true}));
}

TEST(WhereOpTest, RejectsBadDTypesAndShapes) {
  const Tensor x = F({2}, {1.f, 2.f});
  auto out = RunOp("Where", {In(F({2}, {1.f, 0.f})), In(x), In(x)});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Where", {In(Tensor::FromVector<bool>({2}, {true, false})), In(x),
                        In(Tensor::FromVector<int32_t>({2}, {1, 2}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Where", {In(Tensor::FromVector<bool>({3}, {true, false, true})), In(x), In(x)});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
