// Tanh: values and dtype rejection.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(TanhOpTest, Values) {
  auto out = RunOp("Tanh", {In(F({2, 2}, {-1.f, 0.f, 0.5f, 30.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 2}, {-0.76159416f, 0.f, 0.46211716f, 1.f});
}

TEST(TanhOpTest, RejectsUnknownAttribute) {
  auto out = RunOp("Tanh", {In(F({1}, {0.f}))}, Attrs({{"alpha", 1.f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
