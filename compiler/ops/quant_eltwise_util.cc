// Quantized Add / Sub, Mul and Concat of the arithmetic family (docs/NUMERICS.md, "Add", "Mul",
// "Concat").
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_util.h"
#include "compiler/ops/quant_util_internal.h"
#include "isa/numerics/elementwise.h"

namespace openbpu::ops::qarith {

using numerics::RequantizeRecord;

namespace {

// The output storage of a two-input elementwise qkernel whose inputs must be int8 / int16.
absl::StatusOr<DType> BinaryStorage(const ir::Node& node, absl::Span<const Tensor* const> inputs) {
  for (int i = 0; i < 2; ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", false); !st.ok()) return st;
  }
  return OutputStorage(node);
}

// Two inputs broadcast together: the output shape, each output element's flat index into a
// and b, and their integer values.
struct BroadcastOperands {
  Shape shape;
  std::vector<int64_t> ia, ib;
  std::vector<int32_t> a, b;
};

absl::StatusOr<BroadcastOperands> Broadcast(absl::Span<const Tensor* const> inputs) {
  absl::StatusOr<Shape> shape = BroadcastShapes(inputs[0]->shape(), inputs[1]->shape());
  if (!shape.ok()) return shape.status();
  BroadcastOperands x;
  x.shape = *shape;
  x.ia = BroadcastIndex(inputs[0]->shape(), x.shape);
  x.ib = BroadcastIndex(inputs[1]->shape(), x.shape);
  x.a = ToVector<int32_t>(*inputs[0]);
  x.b = ToVector<int32_t>(*inputs[1]);
  return x;
}

// The integer output of a binary op: the inputs broadcast together, each element pair mapped by
// fn(a, b, lo, hi) with [lo, hi] the output storage range.
template <typename Fn>
absl::Status MapBinary(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs, Fn fn) {
  absl::StatusOr<DType> storage = BinaryStorage(node, inputs);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<BroadcastOperands> x = Broadcast(inputs);
  if (!x.ok()) return x.status();
  const auto [lo, hi] = *StorageRange(*storage);
  outputs.push_back(MakeOutput(
      *storage, x->shape, [&](int64_t i) { return fn(x->a[x->ia[i]], x->b[x->ib[i]], lo, hi); }));
  return absl::OkStatus();
}

}  // namespace

// -------------------------------------------------------------- add / mul

absl::Status PrepareAdd(ir::Node& node, const ir::QuantOpContext& ctx, bool subtract) {
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  absl::StatusOr<float> sb = TensorScale(node, node.input(1), "input B");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {sa.status(), sb.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  auto bits = [](const ir::Value* v) {
    return v->type().dtype == DType::kInt16 ? numerics::AddOperandBits::kInt16
                                            : numerics::AddOperandBits::kInt8;
  };
  for (int i = 0; i < 2; ++i) {
    const DType d = node.input(i)->type().dtype;
    if (d != DType::kInt8 && d != DType::kInt16) {
      return NodeError(node, absl::StrCat("input ", i, " must be int8 or int16"));
    }
  }
  if (ctx.march == "bernoulli2") {
    absl::StatusOr<numerics::Bernoulli2AddParams> p =
        numerics::MakeBernoulli2AddParams(*sa, *sb, *so, subtract);
    if (!p.ok()) return NodeError(node, p.status().message());
    return qparams::Store(node, qparams::Add{*p});
  }
  if (ctx.march != "bayes" && ctx.march != "bayes-e") {
    return NodeError(node, absl::StrCat("unknown march '", ctx.march, "'"));
  }
  absl::StatusOr<numerics::BayesAddParams> p = numerics::MakeBayesAddParams(
      *sa, bits(node.input(0)), *sb, bits(node.input(1)), *so, subtract);
  if (!p.ok()) return NodeError(node, p.status().message());
  return qparams::Store(node, qparams::Add{*p});
}

absl::Status AddKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  absl::StatusOr<qparams::Add> params = qparams::Load<qparams::Add>(node);
  if (!params.ok()) return params.status();
  if (const auto* b2 = std::get_if<numerics::Bernoulli2AddParams>(&params->params)) {
    return MapBinary(node, inputs, outputs, [&](int64_t a, int64_t b, int64_t lo, int64_t hi) {
      return numerics::ApplyBernoulli2Add(*b2, a, b, lo, hi);
    });
  }
  const auto& bayes = std::get<numerics::BayesAddParams>(params->params);
  return MapBinary(node, inputs, outputs, [&](int64_t a, int64_t b, int64_t lo, int64_t hi) {
    return numerics::ApplyBayesAdd(bayes, a, b, lo, hi);
  });
}

absl::Status PrepareMul(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  absl::StatusOr<float> sb = TensorScale(node, node.input(1), "input B");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {sa.status(), sb.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  absl::StatusOr<numerics::MulParams> p = numerics::MakeMulParams(*sa, *sb, *so);
  if (!p.ok()) return NodeError(node, p.status().message());
  return qparams::Store(node, qparams::Mul{*p});
}

absl::Status MulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  absl::StatusOr<qparams::Mul> params = qparams::Load<qparams::Mul>(node);
  if (!params.ok()) return params.status();
  return MapBinary(node, inputs, outputs, [&](int64_t a, int64_t b, int64_t lo, int64_t hi) {
    return numerics::ApplyMul(params->params, a, b, lo, hi);
  });
}

// ------------------------------------------------------------------ concat

absl::Status PrepareConcat(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  if (!so.ok()) return so.status();
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  std::vector<RequantizeRecord> records;
  for (int i = 0; i < node.num_inputs(); ++i) {
    absl::StatusOr<float> si = TensorScale(node, node.input(i), absl::StrCat("input ", i));
    if (!si.ok()) return si.status();
    absl::StatusOr<RequantizeRecord> r = Record(node, static_cast<double>(*si) / *so);
    if (!r.ok()) return r.status();
    records.push_back(*r);
  }
  return qparams::Store(node, qparams::InputRecords{records});
}

absl::Status ConcatKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<qparams::InputRecords> params = qparams::Load<qparams::InputRecords>(node);
  if (!params.ok()) return params.status();
  if (params->records.size() != inputs.size()) {
    return NodeError(node, absl::StrCat("'inputs' parameters have ", params->records.size(),
                                        " records for ", inputs.size(), " inputs"));
  }
  const std::vector<RequantizeRecord>& r = params->records;
  const auto [lo, hi] = *StorageRange(*storage);
  const Shape& shape = node.output(0)->type().shape;
  const int rank = static_cast<int>(shape.size());
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < *axis; ++d) outer *= shape[d];
  for (int d = *axis + 1; d < rank; ++d) inner *= shape[d];
  std::vector<int64_t> values(NumElements(shape));
  int64_t offset = 0;  // along the axis
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", true); !st.ok()) return st;
    const Tensor& in = *inputs[i];
    if (in.rank() != rank) return NodeError(node, "input rank differs from the output's");
    const int64_t len = in.dim(*axis);
    const std::vector<int64_t> v = in.ToInt64Vector();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < len * inner; ++j) {
        values[(o * shape[*axis] + offset) * inner + j] =
            numerics::Requantize(v[o * len * inner + j], r[i], lo, hi);
      }
    }
    offset += len;
  }
  outputs.push_back(MakeOutput(*storage, shape, [&](int64_t i) { return values[i]; }));
  return absl::OkStatus();
}

}  // namespace openbpu::ops::qarith
