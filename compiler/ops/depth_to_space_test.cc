// DepthToSpace: DCR and CRD orders, any dtype, and bad blocksize / shape / mode.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(DepthToSpaceOpTest, DcrAndCrd) {
  // Eight channels of 1x1, blocksize 2: two output channels of 2x2.
  auto dcr = RunOp("DepthToSpace", {In(Iota({1, 8, 1, 1}))}, Attrs({{"blocksize", int64_t{2}}}));
  ASSERT_TRUE(dcr.ok()) << dcr.status();
  ExpectFloats((*dcr)[0], {1, 2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7});
  auto crd = RunOp("DepthToSpace", {In(Iota({1, 8, 1, 1}))},
                   Attrs({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}}));
  ASSERT_TRUE(crd.ok()) << crd.status();
  ExpectFloats((*crd)[0], {1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
}

TEST(DepthToSpaceOpTest, SpatialInterleave) {
  // x[c][w] = 2c + w, 4 channels of 1x2 -> one channel of 2x4.
  auto r = RunOp("DepthToSpace", {In(Iota({1, 4, 1, 2}))},
                 Attrs({{"blocksize", int64_t{2}}, {"mode", std::string("DCR")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7});
  auto i64 = RunOp("DepthToSpace",
                   {In(Tensor::FromVector<int64_t>({1, 4, 1, 1}, {1, int64_t{1} << 40, 3, -4}))},
                   Attrs({{"blocksize", int64_t{2}}}));
  ASSERT_TRUE(i64.ok()) << i64.status();
  ExpectTensor<int64_t>((*i64)[0], {1, 1, 2, 2}, {1, int64_t{1} << 40, 3, -4});
}

TEST(DepthToSpaceOpTest, Rejects) {
  ExpectCode(RunOp("DepthToSpace", {In(Iota({1, 8, 1, 1}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("DepthToSpace", {In(Iota({1, 6, 1, 1}))}, Attrs({{"blocksize", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("DepthToSpace", {In(Iota({8, 1, 1}))}, Attrs({{"blocksize", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("DepthToSpace", {In(Iota({1, 8, 1, 1}))}, Attrs({{"blocksize", int64_t{0}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("DepthToSpace", {In(Iota({1, 8, 1, 1}))},
                   Attrs({{"blocksize", int64_t{2}}, {"mode", std::string("RCD")}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
