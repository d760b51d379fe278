// Not: logical negation of bool tensors; other dtypes rejected.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(NotOpTest, Values) {
  auto out = RunOp("Not", {In(Tensor::FromVector<bool>({2, 2}, {true, false, false, true}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2, 2}, {false, true, true, false}));
}

TEST(NotOpTest, RejectsNonBool) {
  auto out = RunOp("Not", {In(F({1}, {1.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
