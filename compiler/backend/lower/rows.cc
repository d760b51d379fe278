// Softmax and LayerNormalization on the VAE's row instructions (ISA 1.1 vae.softmax,
// vae.layernorm), bit-exact with the quantized reference: the node's own parameters (qprepare of
// compiler/ops/softmax.cc and layer_normalization.cc, loaded as qparams::Softmax / LayerNorm)
// are packed into the instruction's image and the simulator runs the same isa/numerics row loop.
//
// The input's DDR bytes (dense NHWC: N, the dimensions after C, then C) are viewed as
// [outer][n][inner] around the normalized dimensions (Softmax: the axis; LayerNormalization: the
// dimensions from the axis on, which are always contiguous in that order). With inner = 1 each
// row is n contiguous elements: tiles of rows go through the feature SRAM as the [P][C] operand
// with C = n and the instruction runs along C (axis 0). Otherwise each outer slice is a
// [P = n][C = inner] operand normalized along P (axis 1), tiled over its channels. The
// LayerNormParam image holds one entry per position along the row, so the gamma/beta entries are
// permuted from the ONNX order of the normalized dimensions into the DDR order of the row.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

constexpr int64_t kMaxCount = 16383;           // DMA n0 / n2, vae.cfg channels (14 bits)
constexpr int64_t kMaxPixels = (1 << 20) - 1;  // vae.cfg pixels (20 bits)
constexpr int64_t kMaxDdrStride = int64_t{1} << 24;

// [outer][n][inner] of the DDR bytes around the logical dimensions [first, rank) (LayerNorm) or
// {first} (Softmax: `last` = first). `row_to_logical[m]` is the ONNX row-major index, within the
// normalized dimensions, of the m-th element of a row in DDR order.
struct RowView {
  int64_t outer = 1, n = 1, inner = 1;
  std::vector<int64_t> row_to_logical;
};

absl::StatusOr<RowView> ViewRows(const Shape& shape, int first, int last) {
  RowView v;
  const std::vector<int> order = NhwcOrder(static_cast<int>(shape.size()));
  std::vector<int> block;  // the normalized dims in DDR order
  int state = 0;           // 0 before the block, 1 inside, 2 after
  for (int d : order) {
    const bool in = d >= first && d <= last;
    const int64_t size = shape[static_cast<size_t>(d)];
    if (in) {
      if (state == 2) return absl::UnimplementedError("normalized dimensions not contiguous");
      state = 1;
      block.push_back(d);
      v.n *= size;
    } else if (state == 0) {
      v.outer *= size;
    } else {
      state = 2;
      v.inner *= size;
    }
  }
  // Logical strides of the normalized dims (ONNX row-major over [first, last]).
  std::vector<int64_t> logical_stride(shape.size(), 0);
  int64_t s = 1;
  for (int d = last; d >= first; --d) {
    logical_stride[static_cast<size_t>(d)] = s;
    s *= shape[static_cast<size_t>(d)];
  }
  v.row_to_logical.assign(static_cast<size_t>(v.n), 0);
  for (int64_t m = 0; m < v.n; ++m) {
    int64_t rest = m, k = 0;
    for (auto it = block.rbegin(); it != block.rend(); ++it) {
      const int64_t size = shape[static_cast<size_t>(*it)];
      k += (rest % size) * logical_stride[static_cast<size_t>(*it)];
      rest /= size;
    }
    v.row_to_logical[static_cast<size_t>(m)] = k;
  }
  return v;
}

// `count` pixels of `width` elements, `stride` elements apart in DDR from element `first` of
// `b`, to (load) or from (store) feature SRAM `sram` at the pixel pitch align16(width x esize),
// in DMA instructions of at most kMaxCount pixels.
void MovePixels(Emitter& e, bool load, const Buffer& b, int64_t first, int64_t count, int64_t width,
                int64_t stride, int64_t sram) {
  Emitter::Box box;
  box.width = 1;
  box.channels = width;
  box.esize = b.esize();
  box.full_width = 1;
  box.full_channels = stride;
  box.pitch = Align16(width * b.esize());
  for (int64_t p0 = 0; p0 < count; p0 += kMaxCount) {
    box.rows = std::min(kMaxCount, count - p0);
    const uint64_t offset = b.offset + static_cast<uint64_t>((first + p0 * stride) * b.esize());
    const int64_t at = sram + p0 * box.pitch;
    if (load) {
      e.LoadBox(b.region.c_str(), offset, at, box);
    } else {
      e.StoreBox(b.region.c_str(), offset, at, box);
    }
  }
}

// One row op over the view: `image` (loaded once to weight SRAM 0) and the instruction.
absl::Status EmitRows(LowerContext& ctx, const char* mnemonic, const Buffer& x, const Buffer& y,
                      const RowView& v, bool along_c, std::vector<uint8_t> image) {
  Emitter& e = ctx.emit();
  const isa::March& m = ctx.march();
  const int64_t sram = m.feature_sram_bytes.value;
  if (static_cast<int64_t>(image.size()) > m.weight_sram_bytes.value) {
    return absl::UnimplementedError(
        absl::StrCat(mnemonic, " parameters of ", image.size(), " bytes exceed the weight SRAM"));
  }
  image.resize(static_cast<size_t>(Align16(static_cast<int64_t>(image.size()))), 0);
  const uint64_t at = e.AddParams(image);
  e.LoadParams("weight", 0, at, image.size());
  const int64_t param_bytes = static_cast<int64_t>(image.size());
  auto cfg = [&](int64_t pixels, int64_t channels) {
    e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", channels,
                          " x_dtype=", AsmDType(x.dtype), " out_dtype=", AsmDType(y.dtype)));
  };
  auto op = [&](int axis, int64_t xa, int64_t xb, int64_t ya, int64_t yb) {
    e.Data(absl::StrCat(mnemonic, " axis=", axis, " x=", xa, " dst=", ya, " param=0"),
           {Emitter::Read("feature", xa, xb), Emitter::Read("weight", 0, param_bytes),
            Emitter::Write("feature", ya, yb)});
  };
  if (along_c) {
    // Rows of n contiguous elements: tiles of T rows as [T][n], double-buffered when they fit.
    if (v.n > kMaxCount || v.n * std::max(x.esize(), y.esize()) >= kMaxDdrStride) {
      return absl::UnimplementedError(absl::StrCat(mnemonic, " rows of ", v.n, " elements"));
    }
    const int64_t px = Align16(v.n * x.esize()), py = Align16(v.n * y.esize());
    int64_t buffers = 2;
    int64_t t = sram / (buffers * (px + py));
    if (t == 0) {
      buffers = 1;
      t = sram / (px + py);
    }
    if (t == 0) return absl::ResourceExhaustedError("one row does not fit the feature SRAM");
    t = std::min({t, v.outer, kMaxPixels});
    const int64_t rows = v.outer;
    for (int64_t r0 = 0, k = 0; r0 < rows; r0 += t, ++k) {
      const int64_t r = std::min(t, rows - r0);
      const int64_t base = (k % buffers) * t * (px + py);
      const int64_t xa = base, ya = base + t * px;
      MovePixels(e, true, x, r0 * v.n, r, v.n, v.n, xa);
      cfg(r, v.n);
      op(0, xa, r * px, ya, r * py);
      MovePixels(e, false, y, r0 * v.n, r, v.n, v.n, ya);
    }
    return absl::OkStatus();
  }
  // Each outer slice is [P = n][C = inner], normalized along P, in chunks of channels.
  if (v.n > kMaxPixels || v.inner * std::max(x.esize(), y.esize()) >= kMaxDdrStride) {
    return absl::UnimplementedError(
        absl::StrCat(mnemonic, " over ", v.n, " pixels of ", v.inner, " channels"));
  }
  auto bytes = [&](int64_t cw) {
    return v.n * (Align16(cw * x.esize()) + Align16(cw * y.esize()));
  };
  int64_t cw = std::min(v.inner, kMaxCount);
  int64_t buffers = 2;
  while (cw > 1 && buffers * bytes(cw) > sram) cw = (cw + 1) / 2;
  if (buffers * bytes(cw) > sram) buffers = 1;
  if (bytes(cw) > sram) {
    return absl::UnimplementedError(
        absl::StrCat(mnemonic, " along ", v.n, " pixels: one column does not fit the SRAM"));
  }
  const int64_t px = Align16(cw * x.esize()), py = Align16(cw * y.esize());
  int64_t k = 0;
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t c0 = 0; c0 < v.inner; c0 += cw, ++k) {
      const int64_t c = std::min(cw, v.inner - c0);
      const int64_t base = (k % buffers) * v.n * (px + py);
      const int64_t xa = base, ya = base + v.n * px;
      const int64_t first = o * v.n * v.inner + c0;
      MovePixels(e, true, x, first, v.n, c, v.inner, xa);
      cfg(v.n, c);
      op(1, xa, v.n * Align16(c * x.esize()), ya, v.n * Align16(c * y.esize()));
      MovePixels(e, false, y, first, v.n, c, v.inner, ya);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> AxisOf(const ir::Node& node, int rank) {
  int64_t axis = node.attrs().GetInt("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return absl::InvalidArgumentError("axis out of range");
  return static_cast<int>(axis);
}

absl::Status CheckDTypes(const Buffer& x, const Buffer& y) {
  for (const Buffer* b : {&x, &y}) {
    if (b->dtype != DType::kInt8 && b->dtype != DType::kInt16) {
      return absl::UnimplementedError(
          absl::StrCat("a ", DTypeName(b->dtype), " operand (the VAE rows take int8 / int16)"));
    }
  }
  return absl::OkStatus();
}

absl::Status LowerSoftmax(const ir::Node& node, LowerContext& ctx) {
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (absl::Status st = CheckDTypes(*x, *y); !st.ok()) return st;
  absl::StatusOr<ops::qparams::Softmax> p = ops::qparams::Load<ops::qparams::Softmax>(node);
  if (!p.ok()) return p.status();
  if ((x->dtype == DType::kInt8) == p->exp_table.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        node.Describe(), ": softmax parameters do not match the ", DTypeName(x->dtype), " input"));
  }
  const Shape& shape = node.input(0)->type().shape;
  if (shape.empty()) return absl::UnimplementedError("Softmax of a scalar");
  absl::StatusOr<int> axis = AxisOf(node, static_cast<int>(shape.size()));
  if (!axis.ok()) return axis.status();
  absl::StatusOr<RowView> v = ViewRows(shape, *axis, *axis);
  if (!v.ok()) return v.status();
  if (v->n > numerics::kMaxSoftmaxLength) {
    return absl::UnimplementedError("a softmax axis longer than 65536");
  }
  std::vector<uint8_t> image = isa::PackSoftmaxParam(*p);
  if (image.empty()) return absl::InvalidArgumentError("malformed softmax parameters");
  const bool along_c = v->inner == 1 && v->n <= kMaxCount;
  return EmitRows(ctx, "vae.softmax", *x, *y, *v, along_c, std::move(image));
}

absl::Status LowerLayerNorm(const ir::Node& node, LowerContext& ctx) {
  if (node.num_outputs() > 1) {
    return absl::UnimplementedError("LayerNormalization with Mean / InvStdDev outputs");
  }
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (absl::Status st = CheckDTypes(*x, *y); !st.ok()) return st;
  absl::StatusOr<ops::qparams::LayerNorm> p = ops::qparams::Load<ops::qparams::LayerNorm>(node);
  if (!p.ok()) return p.status();
  const Shape& shape = node.input(0)->type().shape;
  if (shape.empty()) return absl::UnimplementedError("LayerNormalization of a scalar");
  const int rank = static_cast<int>(shape.size());
  absl::StatusOr<int> axis = AxisOf(node, rank);
  if (!axis.ok()) return axis.status();
  absl::StatusOr<RowView> v = ViewRows(shape, *axis, rank - 1);
  if (!v.ok()) return v.status();
  if (static_cast<int64_t>(p->gamma_multiplier.size()) != v->n) {
    return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": parameters normalize ",
                                                   p->gamma_multiplier.size(), " elements, the ",
                                                   "input ", v->n));
  }
  // The per-element entries in the row's DDR order (row sums and variances do not depend on the
  // order: numerics::LayerNorm sums exactly).
  numerics::LayerNormParams permuted = *p;
  for (int64_t m = 0; m < v->n; ++m) {
    const size_t k = static_cast<size_t>(v->row_to_logical[static_cast<size_t>(m)]);
    const size_t at = static_cast<size_t>(m);
    permuted.gamma_multiplier[at] = p->gamma_multiplier[k];
    permuted.gamma_shift[at] = p->gamma_shift[k];
    permuted.gamma_sign[at] = p->gamma_sign[k];
    permuted.beta[at] = p->beta[k];
  }
  std::vector<uint8_t> image = isa::PackLayerNormParam(permuted);
  if (image.empty()) return absl::InvalidArgumentError("malformed layernorm parameters");
  const bool along_c = v->inner == 1 && v->n <= kMaxCount;
  return EmitRows(ctx, "vae.layernorm", *x, *y, *v, along_c, std::move(image));
}

OPENBPU_REGISTER_LOWERING(Softmax, "Softmax", LowerSoftmax);
OPENBPU_REGISTER_LOWERING(LayerNormalization, "LayerNormalization", LowerLayerNorm);

}  // namespace
}  // namespace openbpu::backend
