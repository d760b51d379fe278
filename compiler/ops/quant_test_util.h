// Helpers of the quantized-kernel unit tests of the arithmetic family (arith_quant_test.cc,
// conv_transpose_quant_test.cc): hand-made quantized nodes run through qprepare and qkernel
// next to the float kernel on the dequantized inputs.
#ifndef OPENBPU_COMPILER_OPS_QUANT_TEST_UTIL_H_
#define OPENBPU_COMPILER_OPS_QUANT_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/op_registry.h"
#include "gtest/gtest.h"

namespace openbpu::ops::quant_test {

// An argument: integer tensor with scales (per-tensor, or per-channel along
// axis), a graph input or a constant, or omitted.
struct A {
  enum Kind { kInput, kConstant, kOmitted } kind = kOmitted;
  Tensor q;
  std::vector<float> scales;
  int axis = -1;
};
inline A In8(Tensor q, float s) { return {A::kInput, std::move(q), {s}, -1}; }
inline A Cst(Tensor q, std::vector<float> s, int axis = -1) {
  return {A::kConstant, std::move(q), std::move(s), axis};
}
inline A Omit() { return {}; }

struct Out {
  DType storage;
  std::vector<float> scales;
  int axis = -1;
};

// Dequantized float32 value of a per-tensor quantized tensor, as DequantizeLinear computes it.
inline Tensor Dequantize(const Tensor& q, float s) {
  Tensor f(DType::kFloat32, q.shape());
  for (int64_t i = 0; i < q.num_elements(); ++i) {
    f.data<float>()[i] = static_cast<float>(q.GetAsInt64(i)) * s;
  }
  return f;
}

inline Tensor Dequantize(const A& a) {
  if (a.scales.empty()) return a.q;  // an index / axes tensor
  Tensor f(DType::kFloat32, a.q.shape());
  const int64_t n = a.q.num_elements();
  int64_t inner = 1, channels = 1;
  if (a.scales.size() > 1) {
    channels = a.q.dim(a.axis);
    for (int d = a.axis + 1; d < a.q.rank(); ++d) inner *= a.q.dim(d);
  }
  for (int64_t i = 0; i < n; ++i) {
    const float s = a.scales.size() > 1 ? a.scales[(i / inner) % channels] : a.scales[0];
    f.data<float>()[i] = static_cast<float>(a.q.GetAsInt64(i)) * s;
  }
  return f;
}

struct QRun {
  std::unique_ptr<ir::Graph> graph;
  ir::Node* node = nullptr;
  std::vector<Tensor> q;  // quantized outputs
  std::vector<Tensor> f;  // float kernel on dequantized inputs
};

inline absl::StatusOr<QRun> RunBoth(const std::string& op, const std::vector<A>& args,
                                    ir::AttributeMap attrs, const Out& out,
                                    const std::string& march = "bayes") {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  std::vector<Tensor> floats;
  for (size_t i = 0; i < args.size(); ++i) {
    const A& a = args[i];
    if (a.kind == A::kOmitted) {
      values.push_back(nullptr);
      floats.emplace_back();
      continue;
    }
    Tensor f = Dequantize(a);
    values.push_back(a.kind == A::kConstant ? b.Constant(f)
                                            : b.Input(absl::StrCat("in", i), f.dtype(), f.shape()));
    floats.push_back(std::move(f));
  }
  b.Output(b.Op(op, values, std::move(attrs), "n"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  QRun r;
  r.graph = *std::move(g);
  r.node = r.graph->FindNode("n");
  if (r.node == nullptr) return absl::InternalError("node folded away");
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  std::vector<const Tensor*> fin;
  for (size_t i = 0; i < args.size(); ++i) {
    fin.push_back(args[i].kind == A::kOmitted ? nullptr : &floats[i]);
  }
  if (absl::Status st = schema->kernel(*r.node, fin, r.f); !st.ok()) return st;
  for (size_t i = 0; i < args.size(); ++i) {
    const A& a = args[i];
    if (a.kind == A::kOmitted || a.scales.empty()) continue;
    ir::Value* v = r.node->input(static_cast<int>(i));
    if (a.kind == A::kConstant) v->set_constant(a.q);
    v->mutable_type().dtype = a.q.dtype();
    v->mutable_type().quant = ir::QuantInfo{a.q.dtype(), a.scales, a.axis};
  }
  ir::TensorType& t = r.node->output(0)->mutable_type();
  t.dtype = out.storage;
  t.quant = ir::QuantInfo{out.storage, out.scales, out.axis};
  if (schema->qkind != ir::QuantKind::kArithmetic || !schema->qprepare || !schema->qkernel) {
    return absl::NotFoundError(absl::StrCat(op, " has no arithmetic qkernel"));
  }
  if (absl::Status st = schema->qprepare(*r.node, ir::QuantOpContext{march}); !st.ok()) return st;
  std::vector<const Tensor*> qin;
  for (const A& a : args) qin.push_back(a.kind == A::kOmitted ? nullptr : &a.q);
  if (absl::Status st = schema->qkernel(*r.node, qin, r.q); !st.ok()) return st;
  if (r.q.size() != 1 || r.q[0].dtype() != out.storage || r.q[0].shape() != t.shape) {
    return absl::InternalError("qkernel output does not match the output value type");
  }
  return r;
}

inline void ExpectInts(const Tensor& t, const std::vector<int64_t>& want) {
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(t.GetAsInt64(i), want[i]) << "element " << i;
  }
}

inline Tensor I8(Shape s, const std::vector<int8_t>& v) { return Tensor::FromVector(s, v); }
inline Tensor I16(Shape s, const std::vector<int16_t>& v) { return Tensor::FromVector(s, v); }
inline Tensor I32(Shape s, const std::vector<int32_t>& v) { return Tensor::FromVector(s, v); }

inline Tensor RandInt(DType dtype, Shape shape, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(lo, hi);
  const int64_t n = NumElements(shape);
  if (dtype == DType::kInt8) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(d(rng));
    return Tensor::FromVector(shape, v);
  }
  if (dtype == DType::kInt16) {
    std::vector<int16_t> v(n);
    for (auto& x : v) x = static_cast<int16_t>(d(rng));
    return Tensor::FromVector(shape, v);
  }
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return Tensor::FromVector(shape, v);
}

constexpr DType k8 = DType::kInt8;
constexpr DType k16 = DType::kInt16;
constexpr DType k32 = DType::kInt32;

}  // namespace openbpu::ops::quant_test

#endif  // OPENBPU_COMPILER_OPS_QUANT_TEST_UTIL_H_
