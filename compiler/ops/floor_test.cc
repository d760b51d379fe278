// Floor: rounding toward -inf on both signs.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(FloorOpTest, Values) {
  auto out = RunOp("Floor", {In(F({5}, {-1.5f, 1.5f, 2.f, -0.2f, 0.7f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {-2.f, 1.f, 2.f, -1.f, 0.f});
}

TEST(FloorOpTest, RejectsIntegerInput) {
  auto out = RunOp("Floor", {In(Tensor::FromVector<int64_t>({1}, {4}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
