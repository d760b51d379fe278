// Convolution as im2col + blocked GEMM per group, over tiles of whole output
// rows so the column buffer stays bounded; ConvTranspose as GEMM + col2im
// scatter. 1x1 stride-1 unpadded convs skip im2col.
#include "common/kernels/conv.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/kernels/gemm.h"

namespace openbpu::kernels {
namespace {

// Column buffers are tiled to at most this many floats (16 MiB).
constexpr int64_t kMaxColumnFloats = int64_t{1} << 22;

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) p *= d;
  return p;
}

// Bound on attribute values so that size arithmetic cannot overflow int64.
constexpr int64_t kMaxAttributeValue = int64_t{1} << 31;

// Fills `value` with `def` (length n) when absent; checks the length otherwise.
absl::Status PerDim(const std::vector<int64_t>& given, size_t n, int64_t def, const char* name,
                    std::vector<int64_t>* value) {
  if (given.empty()) {
    value->assign(n, def);
    return absl::OkStatus();
  }
  if (given.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute '", name, "' has ", given.size(), " values, expected ", n));
  }
  for (int64_t v : given) {
    if (v > kMaxAttributeValue || v < -kMaxAttributeValue) {
      return absl::InvalidArgumentError(
          absl::StrCat("attribute '", name, "' value ", v, " is out of range"));
    }
  }
  *value = given;
  return absl::OkStatus();
}

// Strides, dilations, kernel and pads common to Conv and ConvTranspose.
absl::Status ResolveCommon(const std::vector<int64_t>& input, const std::vector<int64_t>& kernel,
                           const ConvAttrs& attrs, ConvGeometry* g) {
  const size_t n = input.size();
  if (n == 0) return absl::InvalidArgumentError("convolution needs at least one spatial dim");
  if (kernel.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel has ", kernel.size(), " spatial dims, input has ", n));
  }
  g->input = input;
  g->kernel = kernel;
  if (absl::Status s = PerDim(attrs.strides, n, 1, "strides", &g->strides); !s.ok()) return s;
  if (absl::Status s = PerDim(attrs.dilations, n, 1, "dilations", &g->dilations); !s.ok()) {
    return s;
  }
  std::vector<int64_t> pads;
  if (absl::Status s = PerDim(attrs.pads, 2 * n, 0, "pads", &pads); !s.ok()) return s;
  for (size_t i = 0; i < n; ++i) {
    if (g->strides[i] < 1) return absl::InvalidArgumentError("strides must be >= 1");
    if (g->dilations[i] < 1) return absl::InvalidArgumentError("dilations must be >= 1");
    if (kernel[i] < 1) return absl::InvalidArgumentError("kernel dimensions must be >= 1");
    if (input[i] < 0) return absl::InvalidArgumentError("negative input dimension");
  }
  bool any_pad = false;
  for (int64_t p : pads) {
    if (p < 0) return absl::InvalidArgumentError("pads must be >= 0");
    any_pad |= p != 0;
  }
  if (any_pad && attrs.auto_pad != ConvAutoPad::kNotSet) {
    return absl::InvalidArgumentError("non-zero 'pads' cannot be combined with 'auto_pad'");
  }
  g->pads_begin.assign(pads.begin(), pads.begin() + n);
  g->pads_end.assign(pads.begin() + n, pads.end());
  return absl::OkStatus();
}

// Outer (all but the last) spatial coordinates of `count` consecutive rows
// starting at row `first` of a grid with sizes `dims`.
std::vector<int64_t> RowCoords(const std::vector<int64_t>& dims, int64_t first, int64_t count) {
  const int outer = static_cast<int>(dims.size()) - 1;
  std::vector<int64_t> coords(count * outer);
  for (int64_t r = 0; r < count; ++r) {
    int64_t rest = first + r;
    for (int d = outer - 1; d >= 0; --d) {
      coords[r * outer + d] = rest % dims[d];
      rest /= dims[d];
    }
  }
  return coords;
}

// Kernel tap index t -> per-dimension tap coordinates (row-major over the kernel).
inline void DecomposeTap(int64_t t, const std::vector<int64_t>& kernel, std::vector<int64_t>& tap) {
  for (int d = static_cast<int>(kernel.size()) - 1; d >= 0; --d) {
    tap[d] = t % kernel[d];
    t /= kernel[d];
  }
}

// Row-major offset, over the outer (all but the last) dimensions of `bounds`,
// of coordinate row * stride + tap * dilation - pad_begin; -1 if it falls
// outside. Im2Col reads input rows with it, Col2Im writes output rows.
inline int64_t TapRowOffset(const int64_t* row, const std::vector<int64_t>& tap,
                            const ConvGeometry& g, const std::vector<int64_t>& bounds) {
  int64_t offset = 0;
  for (size_t d = 0; d + 1 < bounds.size(); ++d) {
    const int64_t i = row[d] * g.strides[d] + tap[d] * g.dilations[d] - g.pads_begin[d];
    if (i < 0 || i >= bounds[d]) return -1;
    offset = offset * bounds[d] + i;
  }
  return offset;
}

// col[(c * K + tap), p] for output rows [r0, r0 + count): the input element each
// kernel tap sees at each output position (0 in the padding).
void Im2Col(const float* x, int64_t channels, const ConvGeometry& g, int64_t r0, int64_t count,
            float* col) {
  const int n = static_cast<int>(g.input.size());
  const int outer = n - 1;
  const int64_t wout = g.output[n - 1];
  const int64_t win = g.input[n - 1];
  const int64_t s = g.strides[n - 1];
  const int64_t in_size = Product(g.input);
  const int64_t taps = Product(g.kernel);
  const int64_t pt = count * wout;
  const std::vector<int64_t> rows = RowCoords(g.output, r0, count);
  std::vector<int64_t> tap(n, 0);
  for (int64_t t = 0; t < taps; ++t) {
    DecomposeTap(t, g.kernel, tap);
    const int64_t off = tap[n - 1] * g.dilations[n - 1] - g.pads_begin[n - 1];
    const int64_t lo = std::min(wout, std::max<int64_t>(0, CeilDiv(-off, s)));
    const int64_t hi = std::max(lo, std::min(wout, CeilDiv(win - off, s)));
    for (int64_t r = 0; r < count; ++r) {
      // Offset of the input row this tap reads for output row r, or -1.
      const int64_t row_offset = TapRowOffset(&rows[r * outer], tap, g, g.input);
      for (int64_t c = 0; c < channels; ++c) {
        float* dst = col + (c * taps + t) * pt + r * wout;
        if (row_offset < 0) {
          std::fill(dst, dst + wout, 0.f);
          continue;
        }
        const float* src = x + c * in_size + row_offset * win;
        std::fill(dst, dst + lo, 0.f);
        if (s == 1) {
          if (hi > lo) std::memcpy(dst + lo, src + lo + off, (hi - lo) * sizeof(float));
        } else {
          for (int64_t o = lo; o < hi; ++o) dst[o] = src[o * s + off];
        }
        std::fill(dst + hi, dst + wout, 0.f);
      }
    }
  }
}

// y[m, o] += col[(m * K + tap), p] for input rows [r0, r0 + count), where output
// position o = p * stride + tap * dilation - pad_begin (skipped outside y).
void Col2Im(const float* col, int64_t channels, const ConvGeometry& g, int64_t r0, int64_t count,
            float* y) {
  const int n = static_cast<int>(g.input.size());
  const int outer = n - 1;
  const int64_t wout = g.output[n - 1];
  const int64_t win = g.input[n - 1];
  const int64_t s = g.strides[n - 1];
  const int64_t out_size = Product(g.output);
  const int64_t taps = Product(g.kernel);
  const int64_t pt = count * win;
  const std::vector<int64_t> rows = RowCoords(g.input, r0, count);
  std::vector<int64_t> tap(n, 0);
  for (int64_t t = 0; t < taps; ++t) {
    DecomposeTap(t, g.kernel, tap);
    const int64_t off = tap[n - 1] * g.dilations[n - 1] - g.pads_begin[n - 1];
    const int64_t lo = std::min(win, std::max<int64_t>(0, CeilDiv(-off, s)));
    const int64_t hi = std::max(lo, std::min(win, CeilDiv(wout - off, s)));
    for (int64_t r = 0; r < count; ++r) {
      const int64_t row_offset = TapRowOffset(&rows[r * outer], tap, g, g.output);
      if (row_offset < 0) continue;
      for (int64_t c = 0; c < channels; ++c) {
        const float* src = col + (c * taps + t) * pt + r * win;
        float* dst = y + c * out_size + row_offset * wout;
        for (int64_t i = lo; i < hi; ++i) dst[i * s + off] += src[i];
      }
    }
  }
}

void AddBias(const float* bias, int64_t channels, int64_t size, float* y) {
  if (bias == nullptr) return;
  for (int64_t c = 0; c < channels; ++c) {
    float* row = y + c * size;
    for (int64_t i = 0; i < size; ++i) row[i] += bias[c];
  }
}

// Whole rows (of the last spatial dim) per tile so that `floats_per_row` times
// the tile stays under the column budget.
int64_t RowsPerTile(int64_t total_rows, int64_t floats_per_row) {
  return std::max<int64_t>(
      1, std::min(total_rows, kMaxColumnFloats / std::max<int64_t>(1, floats_per_row)));
}

}  // namespace

absl::StatusOr<ConvAutoPad> ParseConvAutoPad(absl::string_view value) {
  if (value.empty() || value == "NOTSET") return ConvAutoPad::kNotSet;
  if (value == "VALID") return ConvAutoPad::kValid;
  if (value == "SAME_UPPER") return ConvAutoPad::kSameUpper;
  if (value == "SAME_LOWER") return ConvAutoPad::kSameLower;
  return absl::InvalidArgumentError(absl::StrCat("unknown auto_pad value '", value, "'"));
}

absl::StatusOr<ConvGeometry> ResolveConvGeometry(const std::vector<int64_t>& input,
                                                 const std::vector<int64_t>& kernel,
                                                 const ConvAttrs& attrs) {
  ConvGeometry g;
  if (absl::Status s = ResolveCommon(input, kernel, attrs, &g); !s.ok()) return s;
  const size_t n = input.size();
  g.output.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t extent = (kernel[i] - 1) * g.dilations[i] + 1;
    const int64_t s = g.strides[i];
    switch (attrs.auto_pad) {
      case ConvAutoPad::kNotSet:
      case ConvAutoPad::kValid: {
        const int64_t span = input[i] + g.pads_begin[i] + g.pads_end[i] - extent;
        g.output[i] = span < 0 ? 0 : span / s + 1;
        break;
      }
      case ConvAutoPad::kSameUpper:
      case ConvAutoPad::kSameLower: {
        g.output[i] = CeilDiv(input[i], s);
        const int64_t total = std::max<int64_t>(0, (g.output[i] - 1) * s + extent - input[i]);
        const int64_t small = total / 2;
        g.pads_begin[i] = attrs.auto_pad == ConvAutoPad::kSameUpper ? small : total - small;
        g.pads_end[i] = total - g.pads_begin[i];
        break;
      }
    }
    if (g.output[i] < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("spatial dim ", i, ": input size ", input[i],
                       " (padded) is smaller than the dilated kernel ", extent));
    }
  }
  return g;
}

absl::StatusOr<ConvGeometry> ResolveConvTransposeGeometry(const std::vector<int64_t>& input,
                                                          const std::vector<int64_t>& kernel,
                                                          const ConvAttrs& attrs) {
  ConvGeometry g;
  if (absl::Status s = ResolveCommon(input, kernel, attrs, &g); !s.ok()) return s;
  const size_t n = input.size();
  std::vector<int64_t> output_padding;
  if (absl::Status s = PerDim(attrs.output_padding, n, 0, "output_padding", &output_padding);
      !s.ok()) {
    return s;
  }
  if (!attrs.output_shape.empty() && attrs.output_shape.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attribute 'output_shape' has ", attrs.output_shape.size(), " values, expected ", n));
  }
  g.output.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = g.strides[i];
    if (output_padding[i] < 0 || output_padding[i] >= std::max(s, g.dilations[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("output_padding ", output_padding[i],
                       " must be >= 0 and smaller than the stride or the dilation"));
    }
    const int64_t full =
        s * (input[i] - 1) + output_padding[i] + (kernel[i] - 1) * g.dilations[i] + 1;
    const bool same =
        attrs.auto_pad == ConvAutoPad::kSameUpper || attrs.auto_pad == ConvAutoPad::kSameLower;
    if (!attrs.output_shape.empty() || same) {
      g.output[i] = attrs.output_shape.empty() ? input[i] * s : attrs.output_shape[i];
      if (g.output[i] < 0 || g.output[i] > kMaxAttributeValue) {
        return absl::InvalidArgumentError("'output_shape' value out of range");
      }
      const int64_t total = full - g.output[i];
      if (total < 0) {
        // Larger than the full result: nothing cropped, the tail is bias only.
        g.pads_begin[i] = 0;
      } else if (attrs.auto_pad == ConvAutoPad::kSameUpper) {
        g.pads_begin[i] = total / 2;
      } else {
        g.pads_begin[i] = total - total / 2;
      }
      g.pads_end[i] = total - g.pads_begin[i];
    } else {
      if (attrs.auto_pad == ConvAutoPad::kValid) g.pads_begin[i] = g.pads_end[i] = 0;
      g.output[i] = full - g.pads_begin[i] - g.pads_end[i];
      if (g.output[i] < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("spatial dim ", i, ": pads leave an empty ConvTranspose output"));
      }
    }
  }
  return g;
}

void Conv(const float* x, int64_t batch, int64_t in_channels, const float* w, int64_t out_channels,
          int64_t group, const float* bias, const ConvGeometry& g, float* y) {
  const size_t n = g.input.size();
  const int64_t in_size = Product(g.input);
  const int64_t out_size = Product(g.output);
  if (out_size == 0 || batch == 0 || out_channels == 0) return;
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  const int64_t taps = Product(g.kernel);
  const int64_t ck = cg * taps;
  const int64_t wout = g.output[n - 1];
  const int64_t rows = out_size / wout;
  bool direct = true;
  for (size_t i = 0; i < n; ++i) {
    direct &= g.kernel[i] == 1 && g.strides[i] == 1 && g.pads_begin[i] == 0 && g.pads_end[i] == 0;
  }
  const int64_t tile_rows = RowsPerTile(rows, ck * wout);
  std::vector<float> col(direct ? 0 : ck * tile_rows * wout);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t grp = 0; grp < group; ++grp) {
      const float* xg = x + (b * in_channels + grp * cg) * in_size;
      const float* wg = w + grp * mg * ck;
      float* yg = y + (b * out_channels + grp * mg) * out_size;
      if (direct) {
        MatMulRowMajor(mg, out_size, cg, wg, ck, xg, in_size, yg, out_size, false);
      } else {
        for (int64_t r0 = 0; r0 < rows; r0 += tile_rows) {
          const int64_t count = std::min(tile_rows, rows - r0);
          const int64_t pt = count * wout;
          Im2Col(xg, cg, g, r0, count, col.data());
          MatMulRowMajor(mg, pt, ck, wg, ck, col.data(), pt, yg + r0 * wout, out_size, false);
        }
      }
      AddBias(bias == nullptr ? nullptr : bias + grp * mg, mg, out_size, yg);
    }
  }
}

void ConvTranspose(const float* x, int64_t batch, int64_t in_channels, const float* w,
                   int64_t out_channels, int64_t group, const float* bias, const ConvGeometry& g,
                   float* y) {
  const size_t n = g.input.size();
  const int64_t in_size = Product(g.input);
  const int64_t out_size = Product(g.output);
  if (out_size == 0 || batch == 0 || out_channels == 0) return;
  std::fill(y, y + batch * out_channels * out_size, 0.f);
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  const int64_t taps = Product(g.kernel);
  const int64_t mk = mg * taps;
  // Per group, w is [cg, mg * taps]; the GEMM wants its transpose.
  std::vector<float> wt(group * mk * cg);
  for (int64_t grp = 0; grp < group; ++grp) {
    Transpose2D(w + grp * cg * mk, cg, mk, wt.data() + grp * mk * cg);
  }
  const int64_t win = g.input[n - 1];
  const int64_t rows = win == 0 ? 0 : in_size / win;
  const int64_t tile_rows = RowsPerTile(rows, mk * win);
  std::vector<float> col(rows == 0 ? 0 : mk * tile_rows * win);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t grp = 0; grp < group; ++grp) {
      const float* xg = x + (b * in_channels + grp * cg) * in_size;
      float* yg = y + (b * out_channels + grp * mg) * out_size;
      for (int64_t r0 = 0; r0 < rows; r0 += tile_rows) {
        const int64_t count = std::min(tile_rows, rows - r0);
        const int64_t pt = count * win;
        MatMulRowMajor(mk, pt, cg, wt.data() + grp * mk * cg, cg, xg + r0 * win, in_size,
                       col.data(), pt, false);
        Col2Im(col.data(), mg, g, r0, count, yg);
      }
      AddBias(bias == nullptr ? nullptr : bias + grp * mg, mg, out_size, yg);
    }
  }
}

}  // namespace openbpu::kernels
