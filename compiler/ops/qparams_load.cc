// Load: reading and validating each parameter family from a node (compiler/ops/qparams.h).
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/qparams_internal.h"
#include "isa/numerics/lut.h"

namespace openbpu::ops::qparams {
namespace {

using internal::HasFamily;
using internal::Key;

template <typename T>
constexpr DType DTypeOf() {
  if constexpr (std::is_same_v<T, int16_t>) return DType::kInt16;
  if constexpr (std::is_same_v<T, int32_t>) return DType::kInt32;
  return DType::kInt64;
}

// Reads one family's fields; every error names the node and the field.
class Reader {
 public:
  Reader(const ir::Node& node, absl::string_view family) : node_(node), family_(family) {}

  // NotFound naming the node when the family is absent altogether.
  absl::Status RequirePresent() const {
    if (HasFamily(node_, family_)) return absl::OkStatus();
    return ir::NodeError(absl::StatusCode::kFailedPrecondition, node_,
                         absl::StrCat("has no '", family_,
                                      "' quantization parameters (run convert's qprepare first)"));
  }

  bool Present(absl::string_view field) const {
    return node_.qparams().count(Key(family_, field)) > 0;
  }

  // `count` < 0: any length.
  template <typename T>
  absl::StatusOr<std::vector<T>> Ints(absl::string_view field, int64_t count = -1) const {
    absl::StatusOr<const Tensor*> t = Find(field);
    if (!t.ok()) return t.status();
    if ((*t)->dtype() != DTypeOf<T>() || (*t)->rank() != 1 ||
        (count >= 0 && (*t)->num_elements() != count)) {
      return Malformed(field,
                       absl::StrCat("must be ", DTypeName(DTypeOf<T>()), " [",
                                    count >= 0 ? absl::StrCat(count) : "n", "], is ",
                                    DTypeName((*t)->dtype()), " ", ShapeToString((*t)->shape())));
    }
    const absl::Span<const T> s = (*t)->span<T>();
    return std::vector<T>(s.begin(), s.end());
  }

  template <typename T>
  absl::StatusOr<T> Scalar(absl::string_view field) const {
    absl::StatusOr<std::vector<T>> v = Ints<T>(field, 1);
    if (!v.ok()) return v.status();
    return (*v)[0];
  }

  absl::StatusOr<std::vector<RequantizeRecord>> Records(absl::string_view field,
                                                        int64_t count = -1) const {
    absl::StatusOr<const Tensor*> t = Find(field);
    if (!t.ok()) return t.status();
    if ((*t)->dtype() != DType::kInt32 || (*t)->rank() != 2 || (*t)->dim(1) != 2 ||
        (count >= 0 && (*t)->dim(0) != count)) {
      return Malformed(
          field, absl::StrCat("must be int32 [", count >= 0 ? absl::StrCat(count) : "n",
                              ", 2] (multiplier, shift) rows, is ", DTypeName((*t)->dtype()), " ",
                              ShapeToString((*t)->shape())));
    }
    const int32_t* p = (*t)->data<int32_t>();
    std::vector<RequantizeRecord> records((*t)->dim(0));
    for (size_t i = 0; i < records.size(); ++i) {
      const int32_t shift = p[2 * i + 1];
      if (shift < INT8_MIN || shift > INT8_MAX) {
        return Malformed(field, absl::StrCat("record ", i, ": shift ", shift, " out of range"));
      }
      records[i] = {p[2 * i], static_cast<int8_t>(shift)};
      if (absl::Status st = isa::CheckRecord(records[i]); !st.ok()) {
        return Malformed(field, absl::StrCat("record ", i, ": ", st.message()));
      }
    }
    return records;
  }

  absl::StatusOr<RequantizeRecord> Record(absl::string_view field) const {
    absl::StatusOr<std::vector<RequantizeRecord>> r = Records(field, 1);
    if (!r.ok()) return r.status();
    return (*r)[0];
  }

  // Wraps a family-level Validate error.
  absl::Status Invalid(const absl::Status& st) const {
    if (st.ok()) return st;
    return ir::NodeError(
        absl::StatusCode::kInvalidArgument, node_,
        absl::StrCat("invalid '", family_, "' quantization parameters: ", st.message()));
  }

 private:
  absl::StatusOr<const Tensor*> Find(absl::string_view field) const {
    auto it = node_.qparams().find(Key(family_, field));
    if (it == node_.qparams().end()) {
      if (absl::Status st = RequirePresent(); !st.ok()) return st;
      return ir::NodeError(
          absl::StatusCode::kInvalidArgument, node_,
          absl::StrCat("quantization parameter '", Key(family_, field), "' is missing"));
    }
    return &it->second;
  }

  absl::Status Malformed(absl::string_view field, absl::string_view what) const {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node_,
                         absl::StrCat("quantization parameter '", Key(family_, field), "' ", what));
  }

  const ir::Node& node_;
  std::string family_;
};

absl::StatusOr<numerics::SegmentLut> ReadSegmentLut(const Reader& r, const ir::Node& node) {
  absl::StatusOr<std::vector<int32_t>> words =
      r.Ints<int32_t>("segment_record", numerics::kSegmentLutRecordWords);
  if (!words.ok()) return words.status();
  absl::StatusOr<std::vector<int16_t>> tables =
      r.Ints<int16_t>("segment_tables", numerics::kSegmentTableTotal);
  if (!tables.ok()) return tables.status();
  absl::StatusOr<numerics::SegmentLutRecord> record = numerics::UnpackRecord(*words);
  if (!record.ok()) return ir::NodeError(node, record.status());
  numerics::SegmentLut lut;
  lut.record = *record;
  std::copy(tables->begin(), tables->end(), lut.tables.begin());
  return lut;
}

}  // namespace

#define OPENBPU_QP_TRY(var, expr)               \
  auto var##_or = (expr);                       \
  if (!var##_or.ok()) return var##_or.status(); \
  auto& var = *var##_or

template <>
absl::StatusOr<Requant> Load<Requant>(const ir::Node& node) {
  Reader r(node, "requant");
  OPENBPU_QP_TRY(acc, r.Records("acc"));
  const int64_t n = static_cast<int64_t>(acc.size());
  OPENBPU_QP_TRY(sumin, r.Records("sumin", n));
  OPENBPU_QP_TRY(lo, r.Ints<int32_t>("lo", n));
  OPENBPU_QP_TRY(hi, r.Ints<int32_t>("hi", n));
  Requant p;
  for (int64_t c = 0; c < n; ++c) {
    isa::RequantParam q;
    q.acc = acc[c];
    q.sumin = sumin[c];
    q.lo = lo[c];
    q.hi = hi[c];
    p.channels.push_back(q);
  }
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Add> Load<Add>(const ir::Node& node) {
  Reader r(node, "add");
  if (absl::Status st = r.RequirePresent(); !st.ok()) return st;
  OPENBPU_QP_TRY(out, r.Record("out"));
  Add p;
  if (r.Present("bayes")) {
    OPENBPU_QP_TRY(v, r.Ints<int32_t>("bayes", 4));
    numerics::BayesAddParams b;
    if (v[0] < 0 || v[0] > 1 || v[1] < -1 || v[1] > 1 || v[2] < 0 || v[2] > 23 || v[3] < -32767 ||
        v[3] > 32767) {
      return r.Invalid(absl::InvalidArgumentError("bayes fields out of range"));
    }
    b.x_input = static_cast<uint8_t>(v[0]);
    b.x_sign = static_cast<int8_t>(v[1]);
    b.shift = static_cast<int8_t>(v[2]);
    b.qscale = static_cast<int16_t>(v[3]);
    b.out = out;
    p.params = b;
  } else {
    OPENBPU_QP_TRY(v, r.Ints<int32_t>("bernoulli2", 4));
    if (v[0] < 0 || v[0] > 1 || v[1] < -128 || v[1] > 127 || v[2] < -32767 || v[2] > 32767 ||
        v[3] < 0 || v[3] > 11) {
      return r.Invalid(absl::InvalidArgumentError("bernoulli2 fields out of range"));
    }
    numerics::Bernoulli2AddParams b;
    b.feature_input = static_cast<uint8_t>(v[0]);
    b.w = static_cast<int8_t>(v[1]);
    b.qm = static_cast<int16_t>(v[2]);
    b.lshift = static_cast<int8_t>(v[3]);
    b.out = out;
    p.params = b;
  }
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Mul> Load<Mul>(const ir::Node& node) {
  Reader r(node, "mul");
  OPENBPU_QP_TRY(out, r.Record("out"));
  return Mul{numerics::MulParams{out}};
}

template <>
absl::StatusOr<InputRecords> Load<InputRecords>(const ir::Node& node) {
  Reader r(node, "inputs");
  OPENBPU_QP_TRY(records, r.Records("records"));
  InputRecords p{records};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Divisors> Load<Divisors>(const ir::Node& node) {
  Reader r(node, "divisor");
  OPENBPU_QP_TRY(records, r.Records("records"));
  Divisors p{records};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Compare> Load<Compare>(const ir::Node& node) {
  Reader r(node, "cmp");
  OPENBPU_QP_TRY(s, r.Ints<int32_t>("scales", 4));
  OPENBPU_QP_TRY(pred, r.Scalar<int32_t>("predicate"));
  if (pred < 0 || pred > 5) {
    return r.Invalid(absl::InvalidArgumentError(absl::StrCat("predicate ", pred)));
  }
  Compare p;
  p.x_scale = {s[0], s[1]};
  p.y_scale = {s[2], s[3]};
  p.predicate = static_cast<isa::CmpPredicate>(pred);
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Slope> Load<Slope>(const ir::Node& node) {
  Reader r(node, "slope");
  OPENBPU_QP_TRY(pos, r.Record("positive"));
  OPENBPU_QP_TRY(neg, r.Records("negative"));
  OPENBPU_QP_TRY(sign, r.Ints<int32_t>("negative_sign", static_cast<int64_t>(neg.size())));
  Slope p{pos, neg, sign};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Clip> Load<Clip>(const ir::Node& node) {
  Reader r(node, "clip");
  OPENBPU_QP_TRY(has, r.Ints<int32_t>("has", 2));
  OPENBPU_QP_TRY(bounds, r.Ints<int32_t>("bounds", 2));
  Clip p;
  if (has[0] != 0) p.min = bounds[0];
  if (has[1] != 0) p.max = bounds[1];
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Pad> Load<Pad>(const ir::Node& node) {
  Reader r(node, "pad");
  OPENBPU_QP_TRY(value, r.Scalar<int32_t>("value"));
  Pad p{value};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Resize> Load<Resize>(const ir::Node& node) {
  Reader r(node, "resize");
  OPENBPU_QP_TRY(out, r.Record("output"));
  OPENBPU_QP_TRY(bits, r.Scalar<int32_t>("weight_frac_bits"));
  Resize p{out, bits};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Table> Load<Table>(const ir::Node& node) {
  Reader r(node, "table");
  if (absl::Status st = r.RequirePresent(); !st.ok()) return st;
  Table p;
  if (r.Present("lut")) {
    OPENBPU_QP_TRY(lut, r.Ints<int32_t>("lut", 256));
    p.lut = lut;
  } else {
    OPENBPU_QP_TRY(segment, ReadSegmentLut(r, node));
    p.segment = segment;
  }
  OPENBPU_QP_TRY(strategy, r.Scalar<int32_t>("strategy"));
  OPENBPU_QP_TRY(max_lsb, r.Scalar<int32_t>("max_lsb"));
  p.strategy = strategy;
  p.max_lsb = max_lsb;
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Rounding> Load<Rounding>(const ir::Node& node) {
  Reader r(node, "rounding");
  OPENBPU_QP_TRY(in, r.Record("input"));
  OPENBPU_QP_TRY(out, r.Record("output"));
  OPENBPU_QP_TRY(max_lsb, r.Scalar<int32_t>("max_lsb"));
  Rounding p{in, out, max_lsb};
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<NormTable> Load<NormTable>(const ir::Node& node) {
  Reader r(node, "norm");
  OPENBPU_QP_TRY(fn, r.Scalar<int32_t>("function"));
  if (fn < 0 || fn > 2) return r.Invalid(absl::InvalidArgumentError(absl::StrCat("function ", fn)));
  NormTable p;
  p.function = static_cast<isa::NormFunction>(fn);
  OPENBPU_QP_TRY(out, r.Record("output"));
  OPENBPU_QP_TRY(offset, r.Scalar<int64_t>("log_offset"));
  OPENBPU_QP_TRY(table, r.Ints<int32_t>("table", isa::NormTableEntries(p.function)));
  OPENBPU_QP_TRY(max_lsb, r.Scalar<int32_t>("max_lsb"));
  p.table.record = out;
  p.table.log_offset = offset;
  p.table.entries = table;
  p.max_lsb = max_lsb;
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<Div> Load<Div>(const ir::Node& node) {
  Reader r(node, "div");
  OPENBPU_QP_TRY(table, r.Ints<int32_t>("reciprocal_table", numerics::kReciprocalTableSize));
  OPENBPU_QP_TRY(out, r.Record("out"));
  return Div{table, out};
}

template <>
absl::StatusOr<Softmax> Load<Softmax>(const ir::Node& node) {
  Reader r(node, "softmax");
  if (absl::Status st = r.RequirePresent(); !st.ok()) return st;
  Softmax p;
  if (r.Present("exp_table")) {
    OPENBPU_QP_TRY(t, r.Ints<int32_t>("exp_table", numerics::kSoftmaxExpTableSize));
    p.exp_table = t;
  } else {
    OPENBPU_QP_TRY(lut, ReadSegmentLut(r, node));
    p.exp_lut = lut;
  }
  OPENBPU_QP_TRY(rec, r.Ints<int32_t>("reciprocal_table", numerics::kReciprocalTableSize));
  OPENBPU_QP_TRY(out, r.Record("output"));
  p.reciprocal_table = rec;
  p.output = out;
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

template <>
absl::StatusOr<LayerNorm> Load<LayerNorm>(const ir::Node& node) {
  Reader r(node, "layernorm");
  OPENBPU_QP_TRY(gamma, r.Records("gamma"));
  const int64_t n = static_cast<int64_t>(gamma.size());
  OPENBPU_QP_TRY(sign, r.Ints<int32_t>("gamma_sign", n));
  OPENBPU_QP_TRY(beta, r.Ints<int64_t>("beta", n));
  OPENBPU_QP_TRY(eps, r.Ints<int32_t>("eps", 2));
  OPENBPU_QP_TRY(rsqrt, r.Ints<int32_t>("rsqrt_table", numerics::kRsqrtTableSize));
  LayerNorm p;
  for (const RequantizeRecord& g : gamma) {
    p.gamma_multiplier.push_back(g.multiplier);
    p.gamma_shift.push_back(g.shift);
  }
  p.gamma_sign = sign;
  p.beta = beta;
  p.eps_mantissa = eps[0];
  p.eps_exponent = eps[1];
  p.rsqrt_table = rsqrt;
  if (absl::Status st = r.Invalid(Validate(p)); !st.ok()) return st;
  return p;
}

#undef OPENBPU_QP_TRY

}  // namespace openbpu::ops::qparams
