// Shape: start/end clamping and folding to a constant.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ShapeTest, StartEnd) {
  const Tensor x(DType::kBool, {2, 3, 4});
  struct Case {
    ir::AttributeMap attrs;
    std::vector<int64_t> want;
  };
  const std::vector<Case> cases = {
      {{}, {2, 3, 4}},
      {Attrs({{"start", int64_t{1}}}), {3, 4}},
      {Attrs({{"end", int64_t{-1}}}), {2, 3}},
      {Attrs({{"start", int64_t{-1}}}), {4}},
      {Attrs({{"start", int64_t{-10}}, {"end", int64_t{10}}}), {2, 3, 4}},
      {Attrs({{"start", int64_t{2}}, {"end", int64_t{1}}}), {}},
      {Attrs({{"start", std::numeric_limits<int64_t>::min()},
              {"end", std::numeric_limits<int64_t>::max()}}),
       {2, 3, 4}},
  };
  for (const Case& c : cases) {
    auto r = RunOp("Shape", {In(x)}, c.attrs);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectTensor<int64_t>((*r)[0], {static_cast<int64_t>(c.want.size())}, c.want);
  }
}

TEST(ShapeTest, FoldsToConstant) {
  frontend::GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 3, 8, 8});
  ir::Value* s = b.Op("Shape", {x});
  b.Output(s);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)->nodes().empty());
  ASSERT_TRUE((*g)->outputs()[0]->is_constant());
  EXPECT_EQ((*g)->outputs()[0]->constant(), I64({1, 3, 8, 8}));
}

TEST(ShapeTest, Scalar) {
  auto r = RunOp("Shape", {In(Tensor::Scalar<float>(1))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {0}, {});
}

}  // namespace
}  // namespace openbpu::ops
