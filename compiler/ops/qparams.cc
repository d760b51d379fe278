// Store: the one encoding of each parameter family on a node (compiler/ops/qparams.h), and Has.
#include "compiler/ops/qparams.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/qparams_internal.h"

namespace openbpu::ops::qparams {
namespace {

using internal::HasFamily;
using internal::Key;

// Removes every field of `family` from the node.
void Erase(ir::Node& node, absl::string_view family) {
  std::map<std::string, Tensor>& qp = node.mutable_qparams();
  const std::string prefix = absl::StrCat(family, ".");
  for (auto it = qp.lower_bound(prefix); it != qp.end() && it->first.rfind(prefix, 0) == 0;) {
    it = qp.erase(it);
  }
}

template <typename T>
void PutInts(ir::Node& node, absl::string_view family, absl::string_view field,
             absl::Span<const T> values) {
  node.mutable_qparams()[Key(family, field)] = Tensor::FromVector<T>(
      {static_cast<int64_t>(values.size())}, std::vector<T>(values.begin(), values.end()));
}

void PutRecords(ir::Node& node, absl::string_view family, absl::string_view field,
                absl::Span<const RequantizeRecord> records) {
  const int64_t n = static_cast<int64_t>(records.size());
  std::vector<int32_t> rows;
  rows.reserve(2 * records.size());
  for (const RequantizeRecord& r : records) {
    rows.push_back(r.multiplier);
    rows.push_back(r.shift);
  }
  node.mutable_qparams()[Key(family, field)] = Tensor::FromVector<int32_t>({n, 2}, rows);
}

// Stores after validating; the error names the node.
template <typename T>
absl::Status Checked(ir::Node& node, absl::string_view family, const T& p) {
  if (absl::Status st = Validate(p); !st.ok()) {
    return ir::NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat("invalid '", family, "' quantization parameters: ", st.message()));
  }
  Erase(node, family);
  return absl::OkStatus();
}

void PutSegmentLut(ir::Node& node, absl::string_view family, const numerics::SegmentLut& lut) {
  const std::vector<int32_t> words = numerics::PackRecord(lut.record);
  PutInts<int32_t>(node, family, "segment_record", words);
  PutInts<int16_t>(node, family, "segment_tables", lut.tables);
}

}  // namespace

absl::Status Store(ir::Node& node, const Requant& p) {
  if (absl::Status st = Checked(node, "requant", p); !st.ok()) return st;
  std::vector<RequantizeRecord> acc, sumin;
  std::vector<int32_t> lo, hi;
  for (const isa::RequantParam& c : p.channels) {
    acc.push_back(c.acc);
    sumin.push_back(c.sumin);
    lo.push_back(c.lo);
    hi.push_back(c.hi);
  }
  PutRecords(node, "requant", "acc", acc);
  PutRecords(node, "requant", "sumin", sumin);
  PutInts<int32_t>(node, "requant", "lo", lo);
  PutInts<int32_t>(node, "requant", "hi", hi);
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Add& p) {
  if (absl::Status st = Checked(node, "add", p); !st.ok()) return st;
  if (const auto* b = std::get_if<numerics::BayesAddParams>(&p.params)) {
    PutInts<int32_t>(node, "add", "bayes",
                     std::vector<int32_t>{b->x_input, b->x_sign, b->shift, b->qscale});
    PutRecords(node, "add", "out", {b->out});
  } else {
    const auto& b2 = std::get<numerics::Bernoulli2AddParams>(p.params);
    PutInts<int32_t>(node, "add", "bernoulli2",
                     std::vector<int32_t>{b2.feature_input, b2.w, b2.qm, b2.lshift});
    PutRecords(node, "add", "out", {b2.out});
  }
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Mul& p) {
  if (absl::Status st = Checked(node, "mul", p); !st.ok()) return st;
  PutRecords(node, "mul", "out", {p.params.out});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const InputRecords& p) {
  if (absl::Status st = Checked(node, "inputs", p); !st.ok()) return st;
  PutRecords(node, "inputs", "records", p.records);
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Divisors& p) {
  if (absl::Status st = Checked(node, "divisor", p); !st.ok()) return st;
  PutRecords(node, "divisor", "records", p.records);
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Compare& p) {
  if (absl::Status st = Checked(node, "cmp", p); !st.ok()) return st;
  PutInts<int32_t>(node, "cmp", "scales",
                   std::vector<int32_t>{p.x_scale.mantissa, p.x_scale.exponent, p.y_scale.mantissa,
                                        p.y_scale.exponent});
  PutInts<int32_t>(node, "cmp", "predicate",
                   std::vector<int32_t>{static_cast<int32_t>(p.predicate)});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Slope& p) {
  if (absl::Status st = Checked(node, "slope", p); !st.ok()) return st;
  PutRecords(node, "slope", "positive", {p.positive});
  PutRecords(node, "slope", "negative", p.negative);
  PutInts<int32_t>(node, "slope", "negative_sign", p.negative_sign);
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Clip& p) {
  if (absl::Status st = Checked(node, "clip", p); !st.ok()) return st;
  // Both bounds absent still marks the family present (a Clip without bounds is the identity).
  PutInts<int32_t>(node, "clip", "has",
                   std::vector<int32_t>{p.min.has_value() ? 1 : 0, p.max.has_value() ? 1 : 0});
  PutInts<int32_t>(node, "clip", "bounds",
                   std::vector<int32_t>{p.min.value_or(0), p.max.value_or(0)});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Pad& p) {
  if (absl::Status st = Checked(node, "pad", p); !st.ok()) return st;
  PutInts<int32_t>(node, "pad", "value", std::vector<int32_t>{p.value});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Resize& p) {
  if (absl::Status st = Checked(node, "resize", p); !st.ok()) return st;
  PutRecords(node, "resize", "output", {p.output});
  PutInts<int32_t>(node, "resize", "weight_frac_bits", std::vector<int32_t>{p.weight_frac_bits});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Table& p) {
  if (absl::Status st = Checked(node, "table", p); !st.ok()) return st;
  if (!p.lut.empty()) {
    PutInts<int32_t>(node, "table", "lut", p.lut);
  } else {
    PutSegmentLut(node, "table", *p.segment);
  }
  PutInts<int32_t>(node, "table", "strategy", std::vector<int32_t>{p.strategy});
  PutInts<int32_t>(node, "table", "max_lsb", std::vector<int32_t>{p.max_lsb});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Rounding& p) {
  if (absl::Status st = Checked(node, "rounding", p); !st.ok()) return st;
  PutRecords(node, "rounding", "input", {p.input});
  PutRecords(node, "rounding", "output", {p.output});
  PutInts<int32_t>(node, "rounding", "max_lsb", std::vector<int32_t>{p.max_lsb});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const NormTable& p) {
  if (absl::Status st = Checked(node, "norm", p); !st.ok()) return st;
  PutInts<int32_t>(node, "norm", "function",
                   std::vector<int32_t>{static_cast<int32_t>(p.function)});
  PutRecords(node, "norm", "output", {p.table.record});
  PutInts<int64_t>(node, "norm", "log_offset", std::vector<int64_t>{p.table.log_offset});
  PutInts<int32_t>(node, "norm", "table", p.table.entries);
  PutInts<int32_t>(node, "norm", "max_lsb", std::vector<int32_t>{p.max_lsb});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Div& p) {
  if (absl::Status st = Checked(node, "div", p); !st.ok()) return st;
  PutInts<int32_t>(node, "div", "reciprocal_table", p.reciprocal_table);
  PutRecords(node, "div", "out", {p.out});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const Softmax& p) {
  if (absl::Status st = Checked(node, "softmax", p); !st.ok()) return st;
  if (!p.exp_table.empty()) {
    PutInts<int32_t>(node, "softmax", "exp_table", p.exp_table);
  } else {
    PutSegmentLut(node, "softmax", p.exp_lut);
  }
  PutInts<int32_t>(node, "softmax", "reciprocal_table", p.reciprocal_table);
  PutRecords(node, "softmax", "output", {p.output});
  return absl::OkStatus();
}

absl::Status Store(ir::Node& node, const LayerNorm& p) {
  if (absl::Status st = Checked(node, "layernorm", p); !st.ok()) return st;
  std::vector<RequantizeRecord> gamma;
  for (size_t i = 0; i < p.gamma_multiplier.size(); ++i) {
    gamma.push_back({p.gamma_multiplier[i], static_cast<int8_t>(p.gamma_shift[i])});
  }
  PutRecords(node, "layernorm", "gamma", gamma);
  PutInts<int32_t>(node, "layernorm", "gamma_sign", p.gamma_sign);
  PutInts<int64_t>(node, "layernorm", "beta", p.beta);
  PutInts<int32_t>(node, "layernorm", "eps", std::vector<int32_t>{p.eps_mantissa, p.eps_exponent});
  PutInts<int32_t>(node, "layernorm", "rsqrt_table", p.rsqrt_table);
  return absl::OkStatus();
}

#define OPENBPU_QP_HAS(T, family)     \
  template <>                         \
  bool Has<T>(const ir::Node& node) { \
    return HasFamily(node, family);   \
  }
OPENBPU_QP_HAS(Requant, "requant")
OPENBPU_QP_HAS(Add, "add")
OPENBPU_QP_HAS(Mul, "mul")
OPENBPU_QP_HAS(InputRecords, "inputs")
OPENBPU_QP_HAS(Divisors, "divisor")
OPENBPU_QP_HAS(Compare, "cmp")
OPENBPU_QP_HAS(Slope, "slope")
OPENBPU_QP_HAS(Clip, "clip")
OPENBPU_QP_HAS(Pad, "pad")
OPENBPU_QP_HAS(Resize, "resize")
OPENBPU_QP_HAS(Table, "table")
OPENBPU_QP_HAS(Rounding, "rounding")
OPENBPU_QP_HAS(NormTable, "norm")
OPENBPU_QP_HAS(Div, "div")
OPENBPU_QP_HAS(Softmax, "softmax")
OPENBPU_QP_HAS(LayerNorm, "layernorm")
#undef OPENBPU_QP_HAS

absl::StatusOr<int64_t> MeasuredTableError(const ir::Node& node) {
  if (Has<Table>(node)) {
    absl::StatusOr<Table> p = Load<Table>(node);
    if (!p.ok()) return p.status();
    return p->max_lsb;
  }
  if (Has<Rounding>(node)) {
    absl::StatusOr<Rounding> p = Load<Rounding>(node);
    if (!p.ok()) return p.status();
    return p->max_lsb;
  }
  if (Has<NormTable>(node)) {
    absl::StatusOr<NormTable> p = Load<NormTable>(node);
    if (!p.ok()) return p.status();
    return p->max_lsb;
  }
  return ir::NodeError(absl::StatusCode::kNotFound, node,
                       "has no table parameters ('table', 'rounding' or 'norm')");
}

}  // namespace openbpu::ops::qparams
