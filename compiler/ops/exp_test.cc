// Exp: values, overflow to inf, dtype rejection.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ExpOpTest, Values) {
  auto out = RunOp("Exp", {In(F({4}, {0.f, 1.f, -1.f, 100.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {1.f, 2.7182818f, 0.36787944f, kInf});
}

TEST(ExpOpTest, RejectsInt64Input) {
  auto out = RunOp("Exp", {In(Tensor::FromVector<int64_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
