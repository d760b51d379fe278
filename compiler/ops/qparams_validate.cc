// Validate: the range and length checks of each parameter family (compiler/ops/qparams.h).
#include <cstdint>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/qparams_internal.h"
#include "isa/numerics/lut.h"

namespace openbpu::ops::qparams {
namespace internal {

std::string Key(absl::string_view family, absl::string_view field) {
  return absl::StrCat(family, ".", field);
}

bool HasFamily(const ir::Node& node, absl::string_view family) {
  const std::string prefix = absl::StrCat(family, ".");
  auto it = node.qparams().lower_bound(prefix);
  return it != node.qparams().end() && it->first.rfind(prefix, 0) == 0;
}

absl::Status CheckRecords(absl::Span<const RequantizeRecord> records, absl::string_view what) {
  for (size_t i = 0; i < records.size(); ++i) {
    if (absl::Status st = isa::CheckRecord(records[i]); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(what, " ", i, ": ", st.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLength(size_t got, size_t want, absl::string_view what) {
  if (got == want) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " has ", got, " entries, expected ", want));
}

absl::Status CheckSegmentLut(const numerics::SegmentLut& lut) {
  return isa::UnpackSegmentLutImage(isa::PackSegmentLutImage(lut)).status();
}

}  // namespace internal

using internal::CheckLength;
using internal::CheckRecords;
using internal::CheckSegmentLut;

absl::Status Validate(const Requant& p) {
  if (p.channels.empty()) return absl::InvalidArgumentError("no channels");
  for (size_t c = 0; c < p.channels.size(); ++c) {
    const isa::RequantParam& r = p.channels[c];
    if (r.bias != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("channel ", c, ": bias ", r.bias, " (the bias is input B, here 0)"));
    }
    uint8_t bytes[32];
    isa::PackRequantParam(r, bytes);
    if (absl::StatusOr<isa::RequantParam> u = isa::UnpackRequantParam(bytes); !u.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("channel ", c, ": ", u.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const Add& p) {
  uint8_t bytes[isa::kEltwiseParamBytes];
  if (const auto* b = std::get_if<numerics::BayesAddParams>(&p.params)) {
    if (b->x_input > 1 || (b->x_sign != 1 && b->x_sign != -1)) {
      return absl::InvalidArgumentError("bayes add: x_input must be 0/1 and x_sign +1/-1");
    }
    isa::PackBayesAdd(*b, bytes);
    return isa::UnpackBayesAdd(bytes).status();
  }
  const auto& b2 = std::get<numerics::Bernoulli2AddParams>(p.params);
  if (b2.feature_input > 1) {
    return absl::InvalidArgumentError("bernoulli2 add: feature_input must be 0/1");
  }
  isa::PackBernoulli2Add(b2, bytes);
  return isa::UnpackBernoulli2Add(bytes).status();
}

absl::Status Validate(const Mul& p) { return CheckRecords({p.params.out}, "output record"); }

absl::Status Validate(const InputRecords& p) {
  if (p.records.empty()) return absl::InvalidArgumentError("no input records");
  return CheckRecords(p.records, "input record");
}

absl::Status Validate(const Divisors& p) {
  if (p.records.empty()) return absl::InvalidArgumentError("no divisor records");
  return CheckRecords(p.records, "divisor record");
}

absl::Status Validate(const Compare& p) {
  uint8_t bytes[isa::kCmpParamBytes];
  isa::PackCmpParam(p, bytes);
  return isa::UnpackCmpParam(bytes).status();
}

absl::Status Validate(const Slope& p) {
  if (absl::Status st = CheckRecords({p.positive}, "positive record"); !st.ok()) return st;
  if (p.negative.empty()) return absl::InvalidArgumentError("no negative records");
  if (absl::Status st = CheckLength(p.negative_sign.size(), p.negative.size(), "negative_sign");
      !st.ok()) {
    return st;
  }
  for (int32_t s : p.negative_sign) {
    if (s != 1 && s != -1) return absl::InvalidArgumentError("negative_sign entries must be +1/-1");
  }
  return CheckRecords(p.negative, "negative record");
}

absl::Status Validate(const Clip& p) {
  if (p.min.has_value() && (*p.min < INT16_MIN || *p.min > INT16_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("min ", *p.min, " outside int16"));
  }
  if (p.max.has_value() && (*p.max < INT16_MIN || *p.max > INT16_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("max ", *p.max, " outside int16"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const Pad& p) {
  if (p.value < INT16_MIN || p.value > INT16_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("value ", p.value, " outside int16"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const Resize& p) {
  if (p.weight_frac_bits != 16 && p.weight_frac_bits != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight_frac_bits ", p.weight_frac_bits, " is not 16 or 32"));
  }
  return CheckRecords({p.output}, "output record");
}

absl::Status Validate(const Table& p) {
  if (p.lut.empty() == !p.segment.has_value()) {
    return absl::InvalidArgumentError("exactly one of the int8 table and the SegmentLUT is set");
  }
  if (!p.lut.empty()) {
    if (absl::Status st = CheckLength(p.lut.size(), 256, "int8 table"); !st.ok()) return st;
    for (int32_t v : p.lut) {
      if (v < INT16_MIN || v > INT16_MAX) {
        return absl::InvalidArgumentError(absl::StrCat("int8 table entry ", v, " outside int16"));
      }
    }
  } else if (absl::Status st = CheckSegmentLut(*p.segment); !st.ok()) {
    return st;
  }
  if (p.strategy != 0 && p.strategy != 1) {
    return absl::InvalidArgumentError(absl::StrCat("strategy ", p.strategy, " is not 0 or 1"));
  }
  if (p.max_lsb < 0) return absl::InvalidArgumentError("max_lsb is negative");
  return absl::OkStatus();
}

absl::Status Validate(const Rounding& p) {
  if (p.max_lsb < 0) return absl::InvalidArgumentError("max_lsb is negative");
  return CheckRecords({p.input, p.output}, "record");
}

absl::Status Validate(const NormTable& p) {
  if (p.function != isa::NormFunction::kReciprocal && p.function != isa::NormFunction::kSqrt &&
      p.function != isa::NormFunction::kLog) {
    return absl::InvalidArgumentError("unknown normalized function");
  }
  if (absl::Status st =
          CheckLength(p.table.entries.size(), isa::NormTableEntries(p.function), "table");
      !st.ok()) {
    return st;
  }
  if (p.max_lsb < 0) return absl::InvalidArgumentError("max_lsb is negative");
  const std::vector<uint8_t> image =
      isa::PackNormTableImage(p.function, p.table.record, p.table.log_offset, p.table.entries);
  return isa::UnpackNormTableImage(p.function, image).status();
}

absl::Status Validate(const Div& p) {
  if (absl::Status st = CheckLength(p.reciprocal_table.size(), numerics::kReciprocalTableSize,
                                    "reciprocal table");
      !st.ok()) {
    return st;
  }
  return CheckRecords({p.out}, "output record");
}

absl::Status Validate(const Softmax& p) {
  if (!p.exp_table.empty()) {
    if (absl::Status st =
            CheckLength(p.exp_table.size(), numerics::kSoftmaxExpTableSize, "exp table");
        !st.ok()) {
      return st;
    }
    for (int32_t v : p.exp_table) {
      if (v < 0 || v > 32767) {
        return absl::InvalidArgumentError(
            absl::StrCat("exp table entry ", v, " outside [0, 32767]"));
      }
    }
  } else if (absl::Status st = CheckSegmentLut(p.exp_lut); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckLength(p.reciprocal_table.size(), numerics::kReciprocalTableSize,
                                    "reciprocal table");
      !st.ok()) {
    return st;
  }
  return CheckRecords({p.output}, "output record");
}

absl::Status Validate(const LayerNorm& p) {
  const size_t n = p.gamma_multiplier.size();
  if (n == 0 || n > static_cast<size_t>(numerics::kMaxLayerNormSize)) {
    return absl::InvalidArgumentError(absl::StrCat("normalized size ", n, " outside [1, 2^20]"));
  }
  for (const auto& [size, what] :
       {std::pair{p.gamma_shift.size(), "gamma_shift"},
        std::pair{p.gamma_sign.size(), "gamma_sign"}, std::pair{p.beta.size(), "beta"}}) {
    if (absl::Status st = CheckLength(size, n, what); !st.ok()) return st;
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t shift = p.gamma_shift[i];
    if (shift < numerics::kMinShift || shift > numerics::kMaxShift) {
      return absl::InvalidArgumentError(
          absl::StrCat("gamma record ", i, ": shift ", shift, " out of range"));
    }
    if (absl::Status st = CheckRecords(
            {RequantizeRecord{p.gamma_multiplier[i], static_cast<int8_t>(shift)}}, "gamma record");
        !st.ok()) {
      return st;
    }
    if (p.gamma_sign[i] != 1 && p.gamma_sign[i] != -1) {
      return absl::InvalidArgumentError("gamma_sign entries must be +1/-1");
    }
    // |beta| <= 2^62 (qprepare saturates there) keeps t_i + beta_i in int64.
    if (p.beta[i] < -(int64_t{1} << 62) || p.beta[i] > (int64_t{1} << 62)) {
      return absl::InvalidArgumentError(absl::StrCat("beta ", i, " out of range"));
    }
  }
  if (p.eps_mantissa < 0) return absl::InvalidArgumentError("eps_mantissa is negative");
  if (p.eps_exponent < 0 || p.eps_exponent > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("eps_exponent ", p.eps_exponent, " outside [0, 64]"));
  }
  return CheckLength(p.rsqrt_table.size(), numerics::kRsqrtTableSize, "rsqrt table");
}

}  // namespace openbpu::ops::qparams
