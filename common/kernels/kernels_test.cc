// The float kernels as the runtime's CPU segments call them: by name from the registry, with an
// AttributeMap and no node (the op tests in compiler/ops run them through the op schemas).
#include <vector>

#include "common/kernels/registry.h"
#include "gtest/gtest.h"

namespace openbpu::kernels {
namespace {

absl::Status RunKernel(const char* op, const AttributeMap& attrs, std::vector<const Tensor*> inputs,
                       std::vector<Tensor>& outputs) {
  const FloatKernel* kernel = FindFloatKernel(op);
  if (kernel == nullptr) return absl::NotFoundError(op);
  return (*kernel)(attrs, inputs, outputs);
}

const Tensor kX = Tensor::FromVector<int16_t>({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});

TEST(FloatKernelsTest, SplitOutputCount) {
  std::vector<Tensor> out;
  // Equal parts need the node's output count.
  AttributeMap attrs;
  attrs.Set("axis", int64_t{1});
  EXPECT_EQ(RunKernel("Split", attrs, {&kX}, out).code(), absl::StatusCode::kInvalidArgument);
  attrs.Set(kNodeOutputsAttr, int64_t{2});
  out.clear();
  ASSERT_TRUE(RunKernel("Split", attrs, {&kX}, out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], Tensor::FromVector<int16_t>({2, 2}, {2, 3, 6, 7}));
  // Attribute num_outputs (Split-18: ceil parts) and the split input fix it themselves.
  AttributeMap n;
  n.Set("axis", int64_t{1});
  n.Set("num_outputs", int64_t{3});
  out.clear();
  ASSERT_TRUE(RunKernel("Split", n, {&kX}, out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].shape(), (Shape{2, 0}));
  const Tensor split = Tensor::FromVector<int64_t>({2}, {1, 3});
  out.clear();
  ASSERT_TRUE(RunKernel("Split", attrs, {&kX, &split}, out).ok());
  EXPECT_EQ(out[0], Tensor::FromVector<int16_t>({2, 1}, {0, 4}));
  // A node with another output count is an error.
  attrs.Set(kNodeOutputsAttr, int64_t{3});
  out.clear();
  EXPECT_EQ(RunKernel("Split", attrs, {&kX, &split}, out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FloatKernelsTest, MissingInputsAreErrors) {
  std::vector<Tensor> out;
  EXPECT_EQ(RunKernel("Reshape", {}, {&kX, nullptr}, out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunKernel("Tile", {}, {&kX}, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunKernel("Range", {}, {&kX}, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunKernel("TopK", {}, {&kX}, out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(FloatKernelsTest, AttributesTheSchemaWouldHaveRejected) {
  std::vector<Tensor> out;
  const Tensor f = Tensor::FromVector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  AttributeMap relu7;
  relu7.Set("activation", std::string("relu7"));
  const Tensor w = Tensor::FromVector<float>({1, 1, 1, 1}, {1});
  const Tensor b = Tensor::FromVector<float>({1}, {0});
  EXPECT_EQ(RunKernel("FusedConv", relu7, {&f, &w, &b}, out).code(),
            absl::StatusCode::kUnimplemented);
  AttributeMap group0;
  group0.Set("group", int64_t{0});
  EXPECT_EQ(RunKernel("Conv", group0, {&f, &w}, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunKernel("Cast", {}, {&f}, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace openbpu::kernels
