// Resize: nearest (every nearest_mode, any dtype) and N-d linear under each coordinate
// transformation, scales vs sizes, axes, Resize-11 empty inputs, and rejections.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

Tensor Scales(const std::vector<float>& v) {
  return Tensor::FromVector<float>({static_cast<int64_t>(v.size())}, v);
}

ir::AttributeMap Mode(const std::string& mode, const std::string& coordinates,
                      const std::string& nearest = "round_prefer_floor") {
  return Attrs(
      {{"mode", mode}, {"coordinate_transformation_mode", coordinates}, {"nearest_mode", nearest}});
}

TEST(ResizeOpTest, UpsampleNearestAsymmetricFloor) {
  // What Upsample(mode=nearest) imports as: test_upsample_nearest.
  auto r =
      RunOp("Resize", {In(F({1, 1, 2, 2}, {1, 2, 3, 4})), Omitted(), Const(Scales({1, 1, 2, 3}))},
            Mode("nearest", "asymmetric", "floor"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 4, 6},
               {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST(ResizeOpTest, NearestDefaultsDownsample) {
  // half_pixel + round_prefer_floor; output floor(2 * 0.6) x floor(4 * 0.6).
  auto r =
      RunOp("Resize", {In(Iota({1, 1, 2, 4}, 1)), Omitted(), Const(Scales({1, 1, 0.6f, 0.6f}))},
            Attrs({{"mode", std::string("nearest")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1, 2}, {1, 3});
}

TEST(ResizeOpTest, NearestModes) {
  // Asymmetric x / 4: 0, .25, .5, .75, 1, 1.25, 1.5, 1.75, clamped to index 1.
  const Tensor x = F({2}, {10, 20});
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"round_prefer_floor", {10, 10, 10, 20, 20, 20, 20, 20}},
      {"round_prefer_ceil", {10, 10, 20, 20, 20, 20, 20, 20}},
      {"floor", {10, 10, 10, 10, 20, 20, 20, 20}},
      {"ceil", {10, 20, 20, 20, 20, 20, 20, 20}}};
  for (const auto& [mode, want] : cases) {
    SCOPED_TRACE(mode);
    auto r = RunOp("Resize", {In(x), Omitted(), Omitted(), Const(I64({8}))},
                   Mode("nearest", "asymmetric", mode));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectFloats((*r)[0], {8}, want);
  }
}

TEST(ResizeOpTest, NearestCoordinateModes) {
  const Tensor x = F({5}, {1, 2, 3, 4, 5});
  auto run = [&](const std::string& coordinates) {
    return RunOp("Resize", {In(x), Omitted(), Const(Scales({0.5f}))}, Mode("nearest", coordinates));
  };
  // half_pixel: (x + .5) / .5 - .5 = .5, 2.5 -> 0, 2.
  auto r = run("half_pixel");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2}, {1, 3});
  // half_pixel_symmetric shifts by center * (1 - 2 / 2.5) = 0.5: 1, 3.
  r = run("half_pixel_symmetric");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2}, {2, 4});
  // tf_half_pixel_for_nearest: (x + .5) / .5 = 1, 3.
  r = run("tf_half_pixel_for_nearest");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2}, {2, 4});
  // align_corners: x * 4 / (2.5 - 1) = 0, 2.67 -> 0, 3.
  r = run("align_corners");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2}, {1, 4});
}

TEST(ResizeOpTest, NearestAnyDTypeAndAxes) {
  auto r = RunOp("Resize",
                 {In(Tensor::FromVector<int64_t>({1, 2}, {int64_t{1} << 40, -5})), Omitted(),
                  Const(Scales({2}))},
                 Attrs({{"mode", std::string("nearest")}, {"axes", Ints{-1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 4}, {int64_t{1} << 40, int64_t{1} << 40, -5, -5});
  auto u8 = RunOp(
      "Resize",
      {In(Tensor::FromVector<uint8_t>({2, 1}, {7, 9})), Omitted(), Omitted(), Const(I64({2, 3}))},
      Attrs({{"mode", std::string("nearest")}, {"axes", Ints{1, 0}}}));
  ASSERT_TRUE(u8.ok()) << u8.status();
  ExpectTensor<uint8_t>((*u8)[0], {3, 2}, {7, 7, 7, 7, 9, 9});
}

TEST(ResizeOpTest, LinearHalfPixel) {
  // test_resize_upsample_scales_linear: edges clamp.
  auto r =
      RunOp("Resize", {In(F({1, 1, 2, 2}, {1, 2, 3, 4})), Omitted(), Const(Scales({1, 1, 2, 2}))},
            Attrs({{"mode", std::string("linear")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 4, 4},
               {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  r = RunOp("Resize", {In(F({4}, {1, 2, 3, 4})), Omitted(), Const(Scales({0.5f}))},
            Mode("linear", "half_pixel"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2}, {1.5, 3.5});
}

TEST(ResizeOpTest, LinearAsymmetric) {
  // What Upsample(mode=linear) imports as: x / 2 = 0, .5, 1, 1.5.
  auto r = RunOp("Resize", {In(F({2}, {1, 3})), Omitted(), Const(Scales({2}))},
                 Mode("linear", "asymmetric"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {4}, {1, 2, 3, 3});
}

TEST(ResizeOpTest, LinearAlignCorners) {
  auto r = RunOp("Resize", {In(F({2}, {1, 3})), Omitted(), Omitted(), Const(I64({5}))},
                 Mode("linear", "align_corners"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {5}, {1, 1.5, 2, 2.5, 3});
  // test_resize_downsample_scales_linear_align_corners: the resized length is
  // 4 * 0.6 = 2.4 (not the 2 output elements), so x = 1 maps to 3 / 1.4.
  r = RunOp("Resize", {In(Iota({1, 1, 2, 4}, 1)), Omitted(), Const(Scales({1, 1, 0.6f, 0.6f}))},
            Mode("linear", "align_corners"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1, 2}, {1, 1 + 3 / 1.4f});
}

TEST(ResizeOpTest, LinearPytorchHalfPixel) {
  // test_resize_downsample_sizes_linear_pytorch_half_pixel: a width-1 output
  // reads column 0.
  auto r =
      RunOp("Resize", {In(Iota({1, 1, 4, 4}, 1)), Omitted(), Omitted(), Const(I64({1, 1, 3, 1}))},
            Mode("linear", "pytorch_half_pixel"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3, 1}, {1 + 4 / 6.f, 7, 13 - 4 / 6.f});
  // One output element from scale 0.3 (resized length 1.5, not 1) uses the
  // half-pixel formula: 0.5 / 0.3 - 0.5 = 7/6.
  r = RunOp("Resize", {In(F({5}, {1, 2, 3, 4, 5})), Omitted(), Const(Scales({0.3f}))},
            Mode("linear", "pytorch_half_pixel"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1}, {1 + 7 / 6.f});
}

TEST(ResizeOpTest, LinearHalfPixelSymmetric) {
  // ONNX test_resize_upsample_scales_linear_half_pixel_symmetric (first and
  // second row).
  auto r = RunOp("Resize",
                 {In(F({1, 1, 2, 2}, {1, 2, 3, 4})), Omitted(), Const(Scales({1, 1, 2.3f, 2.94f}))},
                 Mode("linear", "half_pixel_symmetric"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(ShapeToString((*r)[0].shape()), "[1,1,4,5]");
  const float* y = (*r)[0].data<float>();
  const std::vector<float> want = {1,         1.159864f, 1.5,       1.840136f, 2,
                                   1.565217f, 1.725081f, 2.065217f, 2.405354f, 2.565217f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-5) << i;
}

TEST(ResizeOpTest, Trilinear) {
  // v = 4a + 2b + c is linear, so the result is 4t[i] + 2t[j] + t[k] with
  // t = x / 1.5 clamped to 1: 0, 2/3, 1.
  auto r = RunOp("Resize", {In(Iota({2, 2, 2})), Omitted(), Omitted(), Const(I64({3, 3, 3}))},
                 Mode("linear", "asymmetric"));
  ASSERT_TRUE(r.ok()) << r.status();
  const float t[3] = {0, 2.f / 3, 1};
  std::vector<float> want;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) want.push_back(4 * t[i] + 2 * t[j] + t[k]);
    }
  }
  ExpectFloats((*r)[0], {3, 3, 3}, want);
}

TEST(ResizeOpTest, Opset11EmptyInputs) {
  // Resize-11 passes an empty roi and an empty scales next to sizes:
  // test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn.
  auto r = RunOp(
      "Resize",
      {In(Iota({1, 1, 4, 4}, 1)), Const(F({0}, {})), Const(F({0}, {})), Const(I64({1, 1, 3, 2}))},
      Mode("nearest", "tf_half_pixel_for_nearest"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3, 2}, {6, 8, 10, 12, 14, 16});
  // A non-constant roi is ignored.
  r = RunOp("Resize", {In(F({2}, {1, 2})), In(F({2}, {0, 1})), Const(Scales({2}))},
            Mode("nearest", "asymmetric", "floor"));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {4}, {1, 1, 2, 2});
}

TEST(ResizeOpTest, RejectsUnsupported) {
  const Tensor x = Iota({1, 1, 2, 2});
  auto run = [&](ir::AttributeMap attrs) {
    return RunOp("Resize", {In(x), Omitted(), Const(Scales({1, 1, 2, 2}))}, std::move(attrs));
  };
  ExpectCode(run(Attrs({{"mode", std::string("cubic")}})), absl::StatusCode::kUnimplemented);
  ExpectCode(run(Attrs({{"coordinate_transformation_mode", std::string("tf_crop_and_resize")}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(run(Attrs({{"exclude_outside", int64_t{1}}})), absl::StatusCode::kUnimplemented);
  ExpectCode(run(Attrs({{"antialias", int64_t{1}}})), absl::StatusCode::kUnimplemented);
  ExpectCode(run(Attrs({{"keep_aspect_ratio_policy", std::string("not_larger")}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(run(Attrs({{"unknown", int64_t{1}}})), absl::StatusCode::kUnimplemented);
  // Accepted no-op attributes.
  EXPECT_TRUE(run(Attrs({{"cubic_coeff_a", -0.5f},
                         {"extrapolation_value", 1.f},
                         {"keep_aspect_ratio_policy", std::string("stretch")}}))
                  .ok());
  // Dynamic scales, linear on integers.
  ExpectCode(RunOp("Resize", {In(x), Omitted(), In(Scales({1, 1, 2, 2}))}),
             absl::StatusCode::kUnimplemented);
  ExpectCode(
      RunOp("Resize", {In(Tensor::FromVector<int32_t>({2}, {1, 2})), Omitted(), Const(Scales({2}))},
            Attrs({{"mode", std::string("linear")}})),
      absl::StatusCode::kUnimplemented);
}

TEST(ResizeOpTest, RejectsBadInputs) {
  const Tensor x = Iota({1, 1, 2, 2});
  ExpectCode(RunOp("Resize", {In(x)}), absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("Resize", {In(x), Omitted(), Const(Scales({1, 1, 2, 2})), Const(I64({1, 1, 4, 4}))}),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Resize", {In(x), Omitted(), Const(Scales({2, 2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Resize", {In(x), Omitted(), Const(Scales({1, 1, 0, 2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Resize", {In(x), Omitted(), Const(Scales({1, 1, 1e30f, 1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Resize", {In(x), Omitted(), Omitted(), Const(I64({1, 1, -1, 2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(
      RunOp("Resize", {In(x), Omitted(), Const(Scales({2, 2}))}, Attrs({{"axes", Ints{2, -2}}})),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Resize", {In(x), Omitted(), Const(Scales({2}))},
                   Attrs({{"mode", std::string("bilinear")}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
