// Reciprocal: values including 1/0 = inf.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ReciprocalOpTest, Values) {
  auto out = RunOp("Reciprocal", {In(F({3}, {-4.f, 2.f, 0.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-0.25f, 0.5f, kInf});
}

TEST(ReciprocalOpTest, RejectsIntegerInput) {
  auto out = RunOp("Reciprocal", {In(Tensor::FromVector<int32_t>({1}, {2}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
