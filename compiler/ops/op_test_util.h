// Helpers for the op unit tests: run one op on graph inputs, constants and
// omitted inputs through shape inference and the reference interpreter, and
// compare the results. Test-only (//compiler/ops:op_test_util).
#ifndef OPENBPU_COMPILER_OPS_OP_TEST_UTIL_H_
#define OPENBPU_COMPILER_OPS_OP_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/attribute.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {

// An op argument: a runtime graph input, a constant, or an omitted input.
struct Arg {
  enum Kind { kInput, kConstant, kOmitted } kind;
  Tensor tensor;
};
inline Arg In(Tensor t) { return {Arg::kInput, std::move(t)}; }
inline Arg Const(Tensor t) { return {Arg::kConstant, std::move(t)}; }
inline Arg Omitted() { return {Arg::kOmitted, Tensor()}; }

// Builds a one-node graph (shape inference, folding when all inputs are
// constant) and runs it on the reference interpreter.
inline absl::StatusOr<std::vector<Tensor>> RunOp(const std::string& op, std::vector<Arg> args,
                                                 ir::AttributeMap attrs = {}, int num_outputs = 1) {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < args.size(); ++i) {
    const Arg& a = args[i];
    if (a.kind == Arg::kOmitted) {
      values.push_back(nullptr);
    } else if (a.kind == Arg::kConstant) {
      values.push_back(b.Constant(a.tensor));
    } else {
      values.push_back(b.Input(absl::StrCat("in", i), a.tensor.dtype(), a.tensor.shape()));
      feeds.push_back(a.tensor);
    }
  }
  for (ir::Value* v : b.OpN(op, values, num_outputs, std::move(attrs))) b.Output(v);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  return reference::RunFloat(**g, feeds);
}

// Float32 values within a tight tolerance; NaN matches NaN, inf matches inf.
inline void ExpectFloats(const Tensor& t, const Shape& shape, const std::vector<float>& want) {
  ASSERT_EQ(t.dtype(), DType::kFloat32);
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const float got = t.data<float>()[i];
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got)) << "element " << i << ": " << got;
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got, want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got, want[i], 1e-6 + 1e-5 * std::fabs(want[i])) << "element " << i;
    }
  }
}

// Exact dtype, shape and values.
template <typename T>
void ExpectTensor(const Tensor& t, const Shape& shape, const std::vector<T>& values) {
  ASSERT_EQ(DTypeName(t.dtype()), DTypeName(DTypeOf<T>::value));
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  EXPECT_EQ(std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements()), values);
}

// Float32 values within 1e-5 * (1 + |want|), for results that accumulate
// (convolutions, matrix products, normalizations).
inline void ExpectClose(const Tensor& t, const Shape& shape, const std::vector<float>& values) {
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_NEAR(t.data<float>()[i], values[i], 1e-5f * (1.f + std::fabs(values[i]))) << "at " << i;
  }
}

inline void ExpectClose(const absl::StatusOr<Tensor>& t, const Shape& shape,
                        const std::vector<float>& values) {
  ASSERT_TRUE(t.ok()) << t.status();
  ExpectClose(*t, shape, values);
}

// The first output of a RunOp result.
inline absl::StatusOr<Tensor> FirstOutput(absl::StatusOr<std::vector<Tensor>> outputs) {
  if (!outputs.ok()) return outputs.status();
  return (*outputs)[0];
}

inline void ExpectCode(const absl::StatusOr<std::vector<Tensor>>& r, absl::StatusCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status();
}

inline Tensor F(Shape shape, std::vector<float> v) {
  return Tensor::FromVector<float>(std::move(shape), v);
}

// A 1-D tensor of `v`.
template <typename T>
Tensor T1(const std::vector<T>& v) {
  return Tensor::FromVector<T>({static_cast<int64_t>(v.size())}, v);
}

inline Tensor I64(const std::vector<int64_t>& v) { return T1<int64_t>(v); }

// start, start + 1, ... in row-major order.
inline Tensor Iota(Shape shape, float start = 0) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = start + i;
  return t;
}

// Uniform in [-2, 2), reproducible from `seed`.
inline Tensor Random(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

using Ints = std::vector<int64_t>;

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
inline constexpr float kInf = std::numeric_limits<float>::infinity();

// Every dtype a data-movement op must handle.
inline constexpr DType kAllDTypes[] = {DType::kFloat32, DType::kFloat64, DType::kInt8,
                                       DType::kInt16,   DType::kInt32,   DType::kInt64,
                                       DType::kUInt8,   DType::kBool};

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_OP_TEST_UTIL_H_
