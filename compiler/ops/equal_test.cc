// Equal: float, int32, int64 and bool inputs with broadcasting, bool output.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(EqualOpTest, Values) {
  auto out = RunOp("Equal", {In(F({2, 2}, {1.f, 2.f, 2.f, kNaN})), In(F({2}, {2.f, kNaN}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2, 2}, {false, false, true, false}));
  out = RunOp("Equal", {In(Tensor::FromVector<int32_t>({3}, {1, 2, 3})),
                        In(Tensor::FromVector<int32_t>({3}, {1, 0, 3}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({3}, {true, false, true}));
  out = RunOp("Equal", {In(Tensor::FromVector<int64_t>({2, 1}, {4, 5})),
                        Const(Tensor::FromVector<int64_t>({2}, {5, 4}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2, 2}, {false, true, true, false}));
  out = RunOp("Equal", {In(Tensor::FromVector<bool>({2}, {true, false})),
                        In(Tensor::FromVector<bool>({2}, {true, true}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2}, {true, false}));
}

TEST(EqualOpTest, RejectsMixedDTypes) {
  auto out = RunOp("Equal", {In(F({1}, {1.f})), In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
