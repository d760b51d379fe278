// SpaceToDepth: block order, round trip with DepthToSpace, any dtype, bad shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SpaceToDepthOpTest, BlockRowColumnChannelOrder) {
  auto r = RunOp("SpaceToDepth", {In(Iota({1, 1, 2, 2}))}, Attrs({{"blocksize", int64_t{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 4, 1, 1}, {0, 1, 2, 3});
  // Two channels: output channel (i * 2 + j) * 2 + c.
  r = RunOp("SpaceToDepth", {In(Iota({1, 2, 2, 2}))}, Attrs({{"blocksize", int64_t{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 8, 1, 1}, {0, 4, 1, 5, 2, 6, 3, 7});
}

TEST(SpaceToDepthOpTest, InvertsDepthToSpaceDcr) {
  frontend::GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {2, 3, 4, 6});
  ir::Value* d = b.Op("SpaceToDepth", {x}, Attrs({{"blocksize", int64_t{2}}}));
  b.Output(b.Op("DepthToSpace", {d}, Attrs({{"blocksize", int64_t{2}}})));
  auto g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  const Tensor in = Iota({2, 3, 4, 6});
  auto r = reference::RunFloat(**g, {in});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0], in);
}

TEST(SpaceToDepthOpTest, AnyDType) {
  auto r = RunOp("SpaceToDepth", {In(Tensor::FromVector<bool>({1, 1, 1, 2}, {false, true}))},
                 Attrs({{"blocksize", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {1, 1, 1, 2}, {false, true});
  auto i8 = RunOp("SpaceToDepth", {In(Tensor::FromVector<int8_t>({1, 1, 2, 2}, {-1, 2, -3, 4}))},
                  Attrs({{"blocksize", int64_t{2}}}));
  ASSERT_TRUE(i8.ok()) << i8.status();
  ExpectTensor<int8_t>((*i8)[0], {1, 4, 1, 1}, {-1, 2, -3, 4});
}

TEST(SpaceToDepthOpTest, Rejects) {
  ExpectCode(RunOp("SpaceToDepth", {In(Iota({1, 1, 2, 2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("SpaceToDepth", {In(Iota({1, 1, 3, 2}))}, Attrs({{"blocksize", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("SpaceToDepth", {In(Iota({1, 2, 2}))}, Attrs({{"blocksize", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("SpaceToDepth", {In(Iota({1, 1, 2, 2}))}, Attrs({{"blocksize", int64_t{-2}}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
