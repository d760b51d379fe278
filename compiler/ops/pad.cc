// Pad (ONNX Pad-18): constant / reflect / edge padding of any dtype; pads,
// constant_value and axes are constant inputs, and negative pads crop (the
// crop applies first, so reflect and edge read the cropped tensor).
#include <algorithm>
#include <cstring>

#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

enum class PadMode { kConstant, kReflect, kEdge };

absl::StatusOr<PadMode> ParsePadMode(const ir::Node& node) {
  const std::string mode = node.attrs().GetString("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap") {
    return absl::UnimplementedError("attribute 'mode' = 'wrap' is not supported");
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid attribute 'mode' = '", mode, "'"));
}

struct PadPlan {
  Shape shape;  // output shape
  // Per dimension, the input index each output index reads, or -1 for the
  // constant value.
  std::vector<std::vector<int64_t>> source;
};

absl::StatusOr<std::vector<int64_t>> IndexInput(const Tensor* t, absl::string_view what) {
  if (t == nullptr) return std::vector<int64_t>{};
  if (t->dtype() != DType::kInt64 && t->dtype() != DType::kInt32) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", what, "' must be int32 or int64, got ", DTypeName(t->dtype())));
  }
  if (t->rank() != 1)
    return absl::InvalidArgumentError(absl::StrCat("input '", what, "' must be 1-D"));
  return t->ToInt64Vector();
}

// Input index read by padded position p of a cropped extent of size m >= 1.
int64_t SourceIndex(PadMode mode, int64_t p, int64_t m) {
  if (p >= 0 && p < m) return p;
  if (mode == PadMode::kConstant) return -1;
  if (mode == PadMode::kEdge || m == 1) return std::clamp<int64_t>(p, 0, m - 1);
  // Reflection without repeating the edge is periodic with period 2 (m - 1),
  // which is also what numpy does for pads longer than the input.
  const int64_t period = 2 * (m - 1);
  int64_t q = p % period;
  if (q < 0) q += period;
  return q < m ? q : period - q;
}

absl::StatusOr<PadPlan> PlanPad(PadMode mode, const Shape& shape, const Tensor* pads_t,
                                const Tensor* axes_t) {
  const int rank = static_cast<int>(shape.size());
  absl::StatusOr<std::vector<int64_t>> pads = IndexInput(pads_t, "pads");
  if (!pads.ok()) return pads.status();
  absl::StatusOr<std::vector<int64_t>> axes_in = IndexInput(axes_t, "axes");
  if (!axes_in.ok()) return axes_in.status();
  std::vector<int> axes;
  if (axes_t == nullptr) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  } else {
    std::vector<bool> seen(rank, false);
    for (int64_t a : *axes_in) {
      absl::StatusOr<int> axis = NormalizeAxis(a, rank);
      if (!axis.ok()) return axis.status();
      if (seen[*axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
      seen[*axis] = true;
      axes.push_back(*axis);
    }
  }
  const size_t n = axes.size();
  if (pads->size() != 2 * n) {
    return absl::InvalidArgumentError(
        absl::StrCat("'pads' has ", pads->size(), " values, expected ", 2 * n));
  }
  std::vector<int64_t> begin(rank, 0), end(rank, 0);
  for (size_t i = 0; i < n; ++i) {
    begin[axes[i]] = (*pads)[i];
    end[axes[i]] = (*pads)[n + i];
  }
  PadPlan plan;
  plan.shape.resize(rank);
  plan.source.resize(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t in = shape[d];
    const int64_t b = begin[d];
    const int64_t e = end[d];
    if (b > ir::kMaxTensorElements || e > ir::kMaxTensorElements || b < -in || e < -in) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pads ", b, ", ", e, " are out of range for dimension ", d, " of size ", in));
    }
    const int64_t crop_begin = std::max<int64_t>(0, -b);
    const int64_t kept = in - crop_begin - std::max<int64_t>(0, -e);
    if (kept < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("pads ", b, ", ", e, " crop more than dimension ", d, " of size ", in));
    }
    const int64_t pad_begin = std::max<int64_t>(0, b);
    const int64_t out = kept + pad_begin + std::max<int64_t>(0, e);
    if (out > ir::kMaxTensorElements) {
      return absl::InvalidArgumentError(absl::StrCat("padded dimension ", d, " is too large"));
    }
    if (kept == 0 && out > 0 && mode != PadMode::kConstant) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot reflect or edge-pad the empty dimension ", d));
    }
    plan.shape[d] = out;
    plan.source[d].resize(out);
    for (int64_t o = 0; o < out; ++o) {
      const int64_t s = SourceIndex(mode, o - pad_begin, kept);
      plan.source[d][o] = s < 0 ? -1 : crop_begin + s;
    }
  }
  return plan;
}

// Element-wise copy with `Word` an unsigned integer as wide as the dtype, so
// every dtype moves bit-exactly.
template <typename Word>
void PadCopy(const Tensor& in, const PadPlan& plan, const uint8_t* value_bytes, Tensor& out) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  Word value;
  std::memcpy(&value, value_bytes, sizeof(Word));
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  const int rank = in.rank();
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  const std::vector<int64_t> strides = RowMajorStrides(in.shape());
  const std::vector<int64_t>& inner = plan.source[rank - 1];
  const int64_t row = plan.shape[rank - 1];
  std::vector<int64_t> coord(rank - 1, 0);
  for (int64_t r = 0; r < n / row; ++r) {
    // Offset of the row's input start, or -1 if an outer index is padding.
    int64_t base = 0;
    for (int d = 0; d < rank - 1 && base >= 0; ++d) {
      const int64_t s = plan.source[d][coord[d]];
      base = s < 0 ? -1 : base + s * strides[d];
    }
    Word* out_row = dst + r * row;
    if (base < 0) {
      std::fill(out_row, out_row + row, value);
    } else {
      for (int64_t o = 0; o < row; ++o) out_row[o] = inner[o] < 0 ? value : src[base + inner[o]];
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++coord[d] < plan.shape[d]) break;
      coord[d] = 0;
    }
  }
}

const Tensor* ConstantInput(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  return v == nullptr ? nullptr : &v->constant();
}

absl::Status CheckConstantValue(const Tensor* value, DType dtype) {
  if (value == nullptr) return absl::OkStatus();
  if (value->dtype() != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(
        "constant_value has dtype ", DTypeName(value->dtype()), ", data has ", DTypeName(dtype)));
  }
  if (value->num_elements() > 1) {
    return absl::InvalidArgumentError("constant_value must hold one value");
  }
  return absl::OkStatus();
}

ir::OpSchema PadSchema() {
  ir::OpSchema s;
  s.name = "Pad";
  s.min_inputs = 2;
  s.max_inputs = 4;
  s.constant_inputs = {1, 2, 3};
  s.attrs = {{"mode", ir::AttrKind::kString}};
  s.validate = [](const ir::Node& node) -> absl::Status { return ParsePadMode(node).status(); };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<PadMode> mode = ParsePadMode(node);
    if (!mode.ok()) return mode.status();
    if (absl::Status st = CheckConstantValue(ConstantInput(node, 2), dtype); !st.ok()) return st;
    absl::StatusOr<PadPlan> plan =
        PlanPad(*mode, InputType(node, 0).shape, ConstantInput(node, 1), ConstantInput(node, 3));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
    const Tensor& x = *inputs[0];
    absl::StatusOr<PadMode> mode = ParsePadMode(node);
    if (!mode.ok()) return mode.status();
    if (absl::Status st = CheckConstantValue(input(2), x.dtype()); !st.ok()) return st;
    absl::StatusOr<PadPlan> plan = PlanPad(*mode, x.shape(), input(1), input(3));
    if (!plan.ok()) return plan.status();
    uint8_t value[8] = {};  // zero bytes are 0 of every dtype
    if (input(2) != nullptr && input(2)->num_elements() == 1) {
      std::memcpy(value, input(2)->raw(), DTypeSize(x.dtype()));
    }
    Tensor y(x.dtype(), plan->shape);
    if (absl::Status st = WithElementWord(
            x.dtype(), [&](auto word) { PadCopy<decltype(word)>(x, *plan, value, y); });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  // Quantized (exact): reflect / edge copy integers; the constant value becomes
  // qparams::Pad value = clamp(round_half_even(float32(c) * (1.0f / s_x))), the
  // rounding of fake quantization, so the result equals the float Pad of the
  // dequantized input fake-quantized with s_x (0 stays 0).
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qprepare = [](ir::Node& node, const ir::QuantOpContext&) -> absl::Status {
    absl::StatusOr<float> s_x = qexact::InputScale(node, 0);
    if (!s_x.ok()) return s_x.status();
    absl::StatusOr<std::pair<int64_t, int64_t>> range =
        qexact::StorageRange(node.input(0)->type().dtype);
    if (!range.ok()) return range.status();
    absl::StatusOr<std::vector<double>> value = qexact::ConstantRealValues(node, 2);
    if (!value.ok()) return value.status();
    return qparams::Store(
        node,
        qparams::Pad{static_cast<int32_t>(
            value->empty() ? 0
                           : qexact::QuantizeLikeFakeQuant(static_cast<float>((*value)[0]), *s_x,
                                                           range->first, range->second))});
  };
  s.qcheck = qparams::CheckFn<qparams::Pad>();
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<qparams::Pad> p = qparams::Load<qparams::Pad>(node);
    if (!p.ok()) return p.status();
    const Tensor pad_value = qexact::IntTensor(x.dtype(), {}, {p->value});
    std::vector<const Tensor*> args(inputs.begin(), inputs.end());
    args.resize(std::max<size_t>(args.size(), 3), nullptr);
    args[2] = &pad_value;
    return kernel(node, args, outputs);
  };
  return s;
}

OPENBPU_REGISTER_OP(Pad, PadSchema());

}  // namespace
}  // namespace openbpu::ops
