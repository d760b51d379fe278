// Sqrt: values including NaN for negative inputs.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SqrtOpTest, Values) {
  auto out = RunOp("Sqrt", {Const(F({4}, {0.f, 4.f, 2.f, -1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 2.f, 1.4142135f, kNaN});
}

TEST(SqrtOpTest, RejectsIntegerInput) {
  auto out = RunOp("Sqrt", {In(Tensor::FromVector<int32_t>({1}, {4}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
