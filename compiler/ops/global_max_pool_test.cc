// GlobalMaxPool: 3-D to 5-D inputs, negative values, rejection of rank < 3 and
// non-float input.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(GlobalMaxPoolOpTest, AnyRank) {
  auto r = RunOp("GlobalMaxPool", {In(F({1, 2, 2, 2}, {-4, -1, -3, -2, 0, 7, 7.5, 1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 1, 1}, {-1, 7.5});
  r = RunOp("GlobalMaxPool", {In(Iota({2, 1, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2, 1, 1}, {2, 5});
  r = RunOp("GlobalMaxPool", {In(Iota({1, 1, 2, 1, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1, 1, 1}, {3});
}

TEST(GlobalMaxPoolOpTest, Rejects) {
  ExpectCode(RunOp("GlobalMaxPool", {In(Iota({2, 3}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("GlobalMaxPool", {In(Tensor::FromVector<int32_t>({1, 1, 2}, {1, 2}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
