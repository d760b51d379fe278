// Identity: float, int64 and bool tensors pass through unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(IdentityOpTest, AnyDType) {
  const Tensor f = F({1, 2}, {1.5f, -2.f});
  auto out = RunOp("Identity", {In(f)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], f);
  const Tensor i = Tensor::FromVector<int64_t>({3}, {1, -2, 3});
  out = RunOp("Identity", {Const(i)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], i);
  const Tensor b = Tensor::FromVector<bool>({2}, {true, false});
  out = RunOp("Identity", {In(b)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], b);
}

TEST(IdentityOpTest, RejectsAttributes) {
  auto out = RunOp("Identity", {In(F({1}, {1.f}))}, Attrs({{"axis", int64_t{0}}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
