// Quantized Conv / FusedConv and ConvTranspose of the arithmetic family (docs/NUMERICS.md, "Conv
// and linear"): exact integer accumulation, then the shared epilogue of quant_util.cc.
#include <algorithm>
#include <vector>

#include "common/kernels/conv.h"
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/quant_util.h"
#include "compiler/ops/quant_util_internal.h"

namespace openbpu::ops::qarith {
namespace {

// offsets[t * |from| + p]: flat offset in `to` that position p of `from` reaches through kernel
// tap t (p * stride + tap * dilation - pad_begin per dim), or -1 outside `to`. Conv walks
// output positions into the input; ConvTranspose walks input positions into the output.
std::vector<int64_t> TapOffsets(const kernels::ConvGeometry& g, const std::vector<int64_t>& from,
                                const std::vector<int64_t>& to) {
  const int64_t taps = Product(g.kernel);
  const int64_t count = Product(from);
  const int n = static_cast<int>(g.input.size());
  std::vector<int64_t> offsets(taps * count);
  std::vector<int64_t> tap(n), pos(n);
  for (int64_t t = 0; t < taps; ++t) {
    int64_t rest = t;
    for (int d = n - 1; d >= 0; --d) {
      tap[d] = rest % g.kernel[d];
      rest /= g.kernel[d];
    }
    std::fill(pos.begin(), pos.end(), 0);
    for (int64_t p = 0; p < count; ++p) {
      int64_t off = 0;
      for (int d = 0; d < n && off >= 0; ++d) {
        const int64_t i = pos[d] * g.strides[d] + tap[d] * g.dilations[d] - g.pads_begin[d];
        off = (i < 0 || i >= to[d]) ? -1 : off * to[d] + i;
      }
      offsets[t * count + p] = off;
      for (int d = n - 1; d >= 0; --d) {
        if (++pos[d] < from[d]) break;
        pos[d] = 0;
      }
    }
  }
  return offsets;
}

// dst[p] = sum over k of wrow[k] * col[k * pc + p], summed in Acc (int32 when the caller knows
// the sum cannot overflow, else int64) in the scratch a[0, pc).
template <typename Acc>
void IntColumnDot(const int16_t* wrow, const int16_t* col, int64_t k_total, int64_t pc, Acc* a,
                  int64_t* dst) {
  std::fill(a, a + pc, 0);
  for (int64_t k = 0; k < k_total; ++k) {
    const Acc wv = wrow[k];
    if (wv == 0) continue;
    const int16_t* row = col + k * pc;
    for (int64_t p = 0; p < pc; ++p) a[p] += wv * row[p];
  }
  for (int64_t p = 0; p < pc; ++p) dst[p] = a[p];
}

// acc[n, m, p] = sum over (c, tap) of x * w (exact; int32 partial sums when
// they cannot overflow, int64 otherwise).
void IntConvAccumulate(const std::vector<int16_t>& x, int64_t batch, int64_t in_channels,
                       const std::vector<int16_t>& w, int64_t out_channels, int64_t group,
                       const kernels::ConvGeometry& g, int64_t x_bound, std::vector<int64_t>& acc) {
  const int64_t taps = Product(g.kernel);
  const int64_t positions = Product(g.output);
  const int64_t in_size = Product(g.input);
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  const int64_t k_total = cg * taps;
  // offsets[t * P + p]: flat spatial input offset of tap t at output p, or -1.
  const std::vector<int64_t> offsets = TapOffsets(g, g.output, g.input);
  // |x * w| <= x_bound * 128 per term.
  const bool narrow = k_total * x_bound * 128 < (int64_t{1} << 31);
  const int64_t chunk = std::max<int64_t>(
      1, std::min<int64_t>(positions, (int64_t{1} << 21) / std::max<int64_t>(1, k_total)));
  std::vector<int16_t> col(k_total * chunk);
  std::vector<int32_t> acc32(chunk);
  std::vector<int64_t> acc64(chunk);
  acc.assign(batch * out_channels * positions, 0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t gr = 0; gr < group; ++gr) {
      for (int64_t p0 = 0; p0 < positions; p0 += chunk) {
        const int64_t pc = std::min(chunk, positions - p0);
        for (int64_t c = 0; c < cg; ++c) {
          const int16_t* src = x.data() + (b * in_channels + gr * cg + c) * in_size;
          for (int64_t t = 0; t < taps; ++t) {
            int16_t* dst = col.data() + (c * taps + t) * pc;
            const int64_t* off = offsets.data() + t * positions + p0;
            for (int64_t p = 0; p < pc; ++p) dst[p] = off[p] < 0 ? 0 : src[off[p]];
          }
        }
        for (int64_t mm = 0; mm < mg; ++mm) {
          const int64_t m = gr * mg + mm;
          const int16_t* wrow = w.data() + m * k_total;
          int64_t* dst = acc.data() + (b * out_channels + m) * positions + p0;
          if (narrow) {
            IntColumnDot(wrow, col.data(), k_total, pc, acc32.data(), dst);
          } else {
            IntColumnDot(wrow, col.data(), k_total, pc, acc64.data(), dst);
          }
        }
      }
    }
  }
}

// Transposed conv as per-(output channel, tap) rows plus a scatter:
// row[i] = sum over c in the group of x[c, i] * w[c, j, t] (Acc: int32 when the
// sum cannot overflow, else int64), then acc[n, g * mg + j, o(i, t)] += row[i]
// with o = i * stride + t * dilation - pad_begin per dim (dropped outside the
// output). Every addition is exact.
template <typename Acc>
void IntConvTransposeRows(const int16_t* x, int64_t cg, int64_t in_size, const int16_t* w,
                          int64_t mg, int64_t taps, const int64_t* offsets, int64_t positions,
                          int64_t* acc) {
  std::vector<Acc> row(in_size);
  for (int64_t j = 0; j < mg; ++j) {
    int64_t* dst = acc + j * positions;
    for (int64_t t = 0; t < taps; ++t) {
      std::fill(row.begin(), row.end(), 0);
      bool any = false;
      for (int64_t c = 0; c < cg; ++c) {
        const Acc wv = w[(c * mg + j) * taps + t];
        if (wv == 0) continue;
        any = true;
        const int16_t* src = x + c * in_size;
        Acc* r = row.data();
        for (int64_t i = 0; i < in_size; ++i) r[i] += wv * src[i];
      }
      if (!any) continue;
      const int64_t* off = offsets + t * in_size;
      for (int64_t i = 0; i < in_size; ++i) {
        if (off[i] >= 0) dst[off[i]] += row[i];
      }
    }
  }
}

// acc[n, m, out] of conv_transpose(x [N, C, in...], w [C, M/group, kernel...]).
void IntConvTransposeAccumulate(const std::vector<int16_t>& x, int64_t batch, int64_t in_channels,
                                const std::vector<int16_t>& w, int64_t out_channels, int64_t group,
                                const kernels::ConvGeometry& g, int64_t x_bound,
                                std::vector<int64_t>& acc) {
  const int64_t taps = Product(g.kernel);
  const int64_t positions = Product(g.output);
  const int64_t in_size = Product(g.input);
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  // offsets[t * in_size + i]: flat output offset that input position i feeds
  // through tap t, or -1.
  const std::vector<int64_t> offsets = TapOffsets(g, g.input, g.output);
  // |x * w| <= x_bound * 128 per term, cg terms per row element.
  const bool narrow = cg * x_bound * 128 < (int64_t{1} << 31);
  acc.assign(batch * out_channels * positions, 0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t gr = 0; gr < group; ++gr) {
      const int16_t* xs = x.data() + (b * in_channels + gr * cg) * in_size;
      const int16_t* ws = w.data() + gr * cg * mg * taps;
      int64_t* dst = acc.data() + (b * out_channels + gr * mg) * positions;
      if (narrow) {
        IntConvTransposeRows<int32_t>(xs, cg, in_size, ws, mg, taps, offsets.data(), positions,
                                      dst);
      } else {
        IntConvTransposeRows<int64_t>(xs, cg, in_size, ws, mg, taps, offsets.data(), positions,
                                      dst);
      }
    }
  }
}

// Checks the int8 / int16 input X, int8 weight and optional int32 bias of a Conv or
// ConvTranspose qkernel; the bias (nullptr when omitted).
absl::StatusOr<const Tensor*> ConvBias(const ir::Node& node,
                                       absl::Span<const Tensor* const> inputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input X", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8) {
    return NodeError(node, "the weight must be an int8 tensor");
  }
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  if (bias != nullptr && bias->dtype() != DType::kInt32) {
    return NodeError(node, "the bias must be an int32 tensor");
  }
  return bias;
}

// acc[n, c, p] += bias[c] for an accumulator of m channels of `positions` each.
void AddBias(const Tensor* bias, int64_t m, int64_t positions, std::vector<int64_t>& acc) {
  if (bias == nullptr) return;
  const int32_t* b = bias->data<int32_t>();
  for (size_t o = 0; o < acc.size(); ++o) acc[o] += b[(o / positions) % m];
}

}  // namespace

// -------------------------------------------------------------------- conv

absl::Status PrepareConv(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  if (w.empty()) return NodeError(node, "bad weight shape");
  absl::StatusOr<std::vector<double>> acc = AccScales(node, 0, w[0]);
  if (!acc.ok()) return acc.status();
  if (absl::Status st = CheckBias(node, 2, *acc); !st.ok()) return st;
  return PrepareEpilogue(node, *acc, node.num_inputs() > 3 ? node.input(3) : nullptr, 1);
}

absl::Status ConvKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  absl::StatusOr<const Tensor*> bias_or = ConvBias(node, inputs);
  if (!bias_or.ok()) return bias_or.status();
  const Tensor* bias = *bias_or;
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  absl::StatusOr<ConvPlan> plan =
      PlanConv(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
  if (!plan.ok()) return plan.status();
  const int64_t m = w.dim(0);
  std::vector<int64_t> acc;
  IntConvAccumulate(ToVector<int16_t>(x), x.dim(0), x.dim(1), ToVector<int16_t>(w), m, plan->group,
                    plan->geometry, Bound(x.dtype()), acc);
  const int64_t positions = Product(plan->geometry.output);
  AddBias(bias, m, positions, acc);
  const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, plan->output, m, positions, sumin);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareConvTranspose(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  const int64_t group = node.attrs().GetInt("group", 1);
  if (w.size() < 3 || group < 1) return NodeError(node, "bad weight shape or group");
  // convert observes the weight per column j of axis 1 over every input
  // channel of every group, so the groups share s_w[j].
  const int64_t mg = w[1];
  absl::StatusOr<std::vector<double>> columns = AccScales(node, 1, mg);
  if (!columns.ok()) return columns.status();
  std::vector<double> acc(mg * group);
  for (int64_t c = 0; c < mg * group; ++c) acc[c] = (*columns)[c % mg];
  if (absl::Status st = CheckBias(node, 2, acc); !st.ok()) return st;
  return PrepareEpilogue(node, acc, nullptr, 1);
}

absl::Status ConvTransposeKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                 ConvPlanFn plan_fn, std::vector<Tensor>& outputs) {
  absl::StatusOr<const Tensor*> bias_or = ConvBias(node, inputs);
  if (!bias_or.ok()) return bias_or.status();
  const Tensor* bias = *bias_or;
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  absl::StatusOr<ConvPlan> plan =
      plan_fn(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
  if (!plan.ok()) return plan.status();
  const int64_t m = plan->output[1];
  std::vector<int64_t> acc;
  IntConvTransposeAccumulate(ToVector<int16_t>(x), x.dim(0), x.dim(1), ToVector<int16_t>(w), m,
                             plan->group, plan->geometry, Bound(x.dtype()), acc);
  const int64_t positions = Product(plan->geometry.output);
  AddBias(bias, m, positions, acc);
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, plan->output, m, positions, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

}  // namespace openbpu::ops::qarith
