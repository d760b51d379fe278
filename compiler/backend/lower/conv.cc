// Conv, FusedConv, FusedLinear and Gemm on the TAE, requantized on the VAE.
//
// A linear layer is a 1x1 convolution of a [N][1][1][K] input (so bernoulli2, which has no
// matmul row for Linear, runs classifiers too). Per image and per group of output channels whose
// int8 weights and RequantParams fit the weight SRAM, output rows are computed in tiles: the DMA
// loads the tile's input rows with the zero padding added, tae.conv accumulates into the
// accumulator SRAM, vae.requant(_sumin) writes the output tile, the STORE writes it to DDR.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/cores.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {

absl::Status LowerConvTiles(const ir::Node& node, LowerContext& ctx, const ConvShape& g,
                            const Buffer& input, const Tensor& weight, const Tensor* bias,
                            const ir::Value* sumin_value, const ConvInputLoader& load_input) {
  Emitter& e = ctx.emit();
  const isa::March& march = ctx.march();
  const Buffer* x = &input;
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  Buffer s;
  if (sumin_value != nullptr) {
    absl::StatusOr<Buffer> b = ctx.BufferOf(node, sumin_value);
    if (!b.ok()) return b.status();
    s = *b;
  }
  if (x->dtype == DType::kInt16 && march.int16_mac_rate.value <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("int16 input, which ", march.name, " cannot convolve"));
  }
  absl::StatusOr<ops::qparams::Requant> requant = ops::qparams::Load<ops::qparams::Requant>(node);
  if (!requant.ok()) return requant.status();
  const int64_t m = y->c, c = x->c;
  if (static_cast<int64_t>(requant->channels.size()) != m || weight.dim(0) != m) {
    return absl::InvalidArgumentError("weight / parameters do not match the output channels");
  }
  const int64_t cg = c / g.groups;
  const int64_t k_bytes = g.kh * g.kw * cg;  // weight bytes per output channel
  const int64_t xes = x->esize(), yes = y->esize(), acc_es = x->dtype == DType::kInt16 ? 8 : 4;
  const int64_t weight_sram = march.weight_sram_bytes.value;
  const int64_t feature_sram = march.feature_sram_bytes.value;
  const int64_t acc_sram = march.acc_sram_bytes.value;

  // Output channels per group: weights + 32-byte RequantParams within the weight SRAM. When not
  // even one output channel's weights fit, or the input has more channels than tae.tile's in_c
  // holds (16383: a linear layer over a flattened feature map), the input channels go in chunks
  // of kc (a K-split:
  // each chunk's weights are loaded in turn and tae.conv accumulates into the same
  // accumulators; a chunk's input is a channel slice of x, read in place on chip with ISA 1.1's
  // tae.pitch or loaded by the DMA).
  int64_t kc = cg;
  const int64_t window = g.kh * g.kw;
  if (Align16(k_bytes) + isa::kRequantParamBytes > weight_sram || cg > 16383) {
    if (g.groups > 1 || load_input) {
      return absl::UnimplementedError(
          absl::StrCat("one output channel's weights (", k_bytes, " bytes) exceed the ", march.name,
                       " weight SRAM (", weight_sram, " bytes) in a grouped or patch convolution"));
    }
    const int64_t step = 16 / xes;  // chunks start at 16-byte channel offsets
    // One output channel's chunk in the weight SRAM, one output row's input tile of it in its
    // share of the feature SRAM.
    const int64_t tile_pixels = ((g.kh - 1) * g.dh + 1) * (g.pl + x->w + g.pr);
    const int64_t feature_share = feature_sram / 2 / (e.overlap() ? 2 : 1);
    // tae.tile in_c (and the DMA's n0) hold at most 16383 channels, the DMA's SRAM row stride
    // 65535 bytes.
    kc = std::min({(weight_sram - 16 - isa::kRequantParamBytes) / window,
                   feature_share / tile_pixels / xes, int64_t{16383},
                   65535 / (g.pl + x->w + g.pr) / xes}) /
         step * step;
    if (kc < step) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "one output channel's weights (", k_bytes, " bytes) exceed the ", march.name,
          " weight SRAM (", weight_sram, " bytes) and one input row does not fit a chunk"));
    }
  }
  const int64_t chunk_bytes = window * kc;  // weight bytes per output channel and chunk
  int64_t mg = m;
  while (mg > 1 && Align16(mg * chunk_bytes) + mg * isa::kRequantParamBytes > weight_sram) {
    mg = (mg + 1) / 2;
  }
  if (g.groups > 1 && mg != m) {
    return absl::UnimplementedError("grouped convolution whose weights exceed the weight SRAM");
  }
  struct Chunk {
    int64_t c0, count;
  };
  std::vector<Chunk> chunks = {{0, c}};  // one chunk: every channel (all groups)
  if (kc < cg) {
    chunks.clear();
    for (int64_t c0 = 0; c0 < c; c0 += kc) chunks.push_back({c0, std::min(kc, c - c0)});
  }
  const bool split = chunks.size() > 1;
  // Output rows per tile: input rows (with halo) in the lower half of the feature SRAM, the
  // output (and sumin) tile in the upper half, the accumulators in the accumulator SRAM. At O2
  // each of the three is double-buffered (tile t uses buffer t % 2), so the load of tile t + 1
  // and the store of tile t - 1 overlap the compute of tile t.
  const int64_t buffers = e.overlap() ? 2 : 1;
  const int64_t in_w = g.pl + x->w + g.pr;
  const int64_t in_pitch = Align16((split ? kc : c) * xes);
  const int64_t out_pitch = Align16(mg * yes), acc_pitch = Align16(mg * acc_es);
  const int64_t sumin_pitch = sumin_value != nullptr ? Align16(mg * s.esize()) : 0;
  auto in_rows = [&](int64_t r) { return (r - 1) * g.sh + (g.kh - 1) * g.dh + 1; };
  auto fits = [&](int64_t r) {
    return Align16(in_rows(r) * in_w * in_pitch) <= feature_sram / 2 / buffers &&
           Align16(r * g.ow * out_pitch) + r * g.ow * sumin_pitch <= feature_sram / 2 / buffers &&
           Align16(r * g.ow * acc_pitch) <= acc_sram / buffers && in_rows(r) <= 16383 &&
           r * g.ow <= 16383;
  };
  int64_t rows = g.oh;
  if (ctx.knobs().max_conv_tile_rows > 0)
    rows = std::min<int64_t>(rows, ctx.knobs().max_conv_tile_rows);
  while (rows > 1 && !fits(rows)) rows = (rows + 1) / 2;
  if (!fits(rows)) {
    return absl::ResourceExhaustedError(absl::StrCat("one output row does not fit the ", march.name,
                                                     " feature / accumulator SRAMs"));
  }
  const int64_t in_stride = feature_sram / 2 / buffers;  // between the two buffers of a kind
  // An on-chip input (O2 chains) whose pixels start at 16-byte boundaries is read in place.
  const int64_t x_pixel = x->PixelStride() * xes;
  const bool in_place = !load_input && OnChipAt(e, *x, 0, 0).ok() &&
                        x->w * x_pixel < (int64_t{1} << 24) &&
                        std::max({g.pt, g.pb, g.pl, g.pr}) < 64;
  const int64_t s_pixel = sumin_value != nullptr ? s.PixelStride() * s.esize() : 0;
  const bool sumin_in_place =
      sumin_value != nullptr && OnChipAt(e, s, 0, 0).ok() && (mg * s.esize()) % 16 == 0;
  const int64_t acc_stride = acc_sram / buffers;

  // Parameters, packed once per channel group: int8 weights [mg][kh][kw][C/g] dense, then one
  // RequantParam per channel with the int32 bias folded in.
  const std::vector<int64_t> wv = weight.ToInt64Vector();
  const std::vector<int64_t> bv = bias != nullptr ? bias->ToInt64Vector() : std::vector<int64_t>();
  // Split: per group a blob of RequantParams (loaded once, after the largest chunk's weights)
  // and per chunk a blob of its weights [count][kh][kw][chunk] (loaded per tile at 0).
  struct Group {
    int64_t m0, count;
    uint64_t offset, bytes, param_at;
    std::vector<std::pair<uint64_t, uint64_t>> chunk_blobs;  // (offset, bytes)
  };
  std::vector<Group> groups;
  for (int64_t m0 = 0; m0 < m; m0 += mg) {
    const int64_t count = std::min(mg, m - m0);
    Group grp{m0, count, 0, 0, 0, {}};
    std::vector<uint8_t> blob;
    for (const Chunk& ch : chunks) {
      std::vector<uint8_t>& w = blob;
      if (split) w.clear();
      for (int64_t o = m0; o < m0 + count; ++o) {
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            for (int64_t j = ch.c0; j < (split ? ch.c0 + ch.count : cg); ++j) {
              w.push_back(static_cast<uint8_t>(wv[((o * cg + j) * g.kh + ky) * g.kw + kx]));
            }
          }
        }
      }
      while (w.size() % 16) w.push_back(0);
      if (split) grp.chunk_blobs.push_back({e.AddParams(w), w.size()});
    }
    if (split) blob.clear();
    grp.param_at = split ? static_cast<uint64_t>(Align16(count * chunk_bytes)) : blob.size();
    for (int64_t o = m0; o < m0 + count; ++o) {
      isa::RequantParam r = requant->channels[o];
      if (!bv.empty()) {
        if (bv[o] < INT32_MIN || bv[o] > INT32_MAX) {
          return absl::InvalidArgumentError("bias outside int32");
        }
        r.bias = static_cast<int32_t>(bv[o]);
      }
      blob.resize(blob.size() + isa::kRequantParamBytes);
      isa::PackRequantParam(r, blob.data() + blob.size() - isa::kRequantParamBytes);
    }
    grp.bytes = blob.size();
    grp.offset = e.AddParams(blob);
    groups.push_back(std::move(grp));
  }

  // Several cores (ISA 1.2, cores.h): by output-channel group or by row tile, when its operands
  // are all in DDR (a value kept on chip is in core 0's feature SRAM) and the split pays.
  const bool in_ddr = x->region != "chain" && y->region != "chain" &&
                      (sumin_value == nullptr || s.region != "chain");
  double weight_bytes = 0;
  for (const Group& grp : groups) weight_bytes += static_cast<double>(grp.bytes);
  const int64_t row_tiles = (g.oh + rows - 1) / rows;
  const ConvSplit plan = PlanConvSplit(
      march, e.cores(), static_cast<double>(x->n * g.oh * g.ow * m) * window * (c / g.groups),
      weight_bytes, x->n * static_cast<int64_t>(groups.size()), row_tiles, in_ddr);
  const bool by_group = plan.by_group, by_rows = plan.by_rows;
  if (by_group || by_rows) e.CountSplitLayer();
  int64_t unit = 0;
  for (int64_t n = 0; n < x->n; ++n) {
    for (const Group& grp : groups) {
      if (by_group) e.OnCore(e.BlockCore(unit++, x->n * static_cast<int64_t>(groups.size())));
      if (by_rows) e.OnAllCores();
      e.LoadParams("weight", split ? grp.param_at : 0, grp.offset, grp.bytes);
      const std::string kernel = absl::StrCat(
          "tae.kernel kernel_h=", g.kh, " kernel_w=", g.kw, " stride_h=", g.sh, " stride_w=", g.sw,
          " dilation_h=", g.dh, " dilation_w=", g.dw, " groups=", g.groups);
      if (!in_place && !split) e.Config(kernel);
      for (int64_t o0 = 0; o0 < g.oh; o0 += rows) {
        const int64_t r = std::min(rows, g.oh - o0);
        if (by_rows) e.OnCore(e.BlockCore(o0 / rows, row_tiles));
        const int64_t parity = (o0 / rows) % buffers;
        const int64_t in_at = parity * in_stride;
        const int64_t out_at = feature_sram / 2 + parity * in_stride;
        const int64_t sumin_at = out_at + Align16(rows * g.ow * out_pitch);
        const int64_t acc_at = parity * acc_stride;
        const int64_t first = o0 * g.sh - g.pt;
        Emitter::Box out;
        out.rows = r;
        out.width = g.ow;
        out.channels = grp.count;
        out.full_width = g.ow;
        out.full_channels = y->PixelStride();  // a concat's slice when written in place
        // The residual, read in place when it is kept on chip (ISA 1.1 vae.pitch y_pitch).
        int64_t sumin_src = sumin_at, sumin_bytes = r * g.ow * Align16(grp.count * s.esize());
        if (sumin_in_place) {
          sumin_src = OnChipAt(e, s, n, o0, 0, grp.m0).at;
          sumin_bytes = (r * g.ow - 1) * s_pixel + grp.count * s.esize();
          e.CountInPlaceRead();
        } else if (sumin_value != nullptr) {
          Emitter::Box sb = out;
          sb.full_channels = s.PixelStride();
          sb.esize = s.esize();
          sb.pitch = Align16(grp.count * s.esize());
          e.LoadBox(s.region.c_str(), s.At(n, o0) + static_cast<uint64_t>(grp.m0 * s.esize()),
                    sumin_at, sb);
        }
        const int64_t acc_bytes = r * g.ow * Align16(grp.count * acc_es);
        for (size_t k = 0; k < chunks.size(); ++k) {
          // Chunk k of a K-split: its weights, and x's channel slice [c0, c0 + count).
          Buffer xs = *x;
          if (split) {
            xs.cs = x->PixelStride();
            xs.c = chunks[k].count;
            xs.offset += static_cast<uint64_t>(chunks[k].c0 * xes);
            e.LoadParams("weight", 0, grp.chunk_blobs[k].first, grp.chunk_blobs[k].second);
            if (!in_place) e.Config(kernel);
          }
          const int64_t kc_now = xs.c;
          // An input kept on chip (O2 chains) is read in place: the tile's rows of the value
          // (in_row_pitch its row, tae.pitch its pixel), the zero padding from tae.kernel's pads
          // (ISA 1.1), instead of being copied into a padded tile first.
          int64_t conv_in = in_at, conv_in_h = in_rows(r), conv_in_w = in_w, conv_in_bytes = 0;
          if (in_place) {
            const int64_t last = first + in_rows(r) - 1;
            const int64_t pt = std::max<int64_t>(0, -first);
            const int64_t pb = std::max<int64_t>(0, last - (xs.h - 1));
            conv_in = OnChipAt(e, xs, n, std::max<int64_t>(first, 0)).at;
            conv_in_h = in_rows(r) - pt - pb;
            conv_in_w = xs.w;
            conv_in_bytes = (conv_in_h - 1) * xs.w * x_pixel + (xs.w - 1) * x_pixel + kc_now * xes;
            e.Config(absl::StrCat(kernel, " pad_top=", pt, " pad_bottom=", pb, " pad_left=", g.pl,
                                  " pad_right=", g.pr));
            e.Pitch("tae", absl::StrCat("in_pitch=", x_pixel / 16));
            e.CountInPlaceRead();
          } else if (load_input) {
            if (absl::Status st = load_input(n, first, in_rows(r), in_at); !st.ok()) return st;
          } else if (absl::Status st = LoadConvRows(e, xs, g, n, first, in_rows(r), in_at);
                     !st.ok()) {
            return st;
          }
          e.Config(absl::StrCat("tae.tile in_h=", conv_in_h, " in_w=", conv_in_w, " in_c=", kc_now,
                                " out_c=", grp.count, " in_dtype=", AsmDType(x->dtype),
                                in_place ? absl::StrCat(" in_row_pitch=", x->w * x_pixel) : ""));
          e.Data(absl::StrCat("tae.conv in=", conv_in, " weight=0 acc=", acc_at,
                              k > 0 ? " accumulate=1" : ""),
                 {Emitter::Read("feature", conv_in,
                                in_place ? conv_in_bytes : in_rows(r) * in_w * in_pitch),
                  Emitter::Read("weight", 0, grp.count * window * (split ? kc_now : cg)),
                  Emitter::Write("acc", acc_at, acc_bytes)});
        }
        // A value kept on chip (O2 chains) whose pixels start at 16-byte boundaries is written
        // by the requantize itself (ISA 1.1 vae.cfg dst_pitch), not through a tile and a move.
        const int64_t pixel_bytes = y->PixelStride() * yes;
        const OnChip yo = OnChipAt(e, *y, n, o0, 0, grp.m0);
        const bool direct = yo.ok() && yo.pitch16 < 1024;  // vae.cfg dst_pitch has 10 bits
        const int64_t direct_at = yo.at;
        const int64_t dst_at = direct ? direct_at : out_at;
        const int64_t dst_bytes = direct ? (r * g.ow - 1) * pixel_bytes + grp.count * yes
                                         : r * g.ow * Align16(grp.count * yes);
        e.Config(absl::StrCat("vae.cfg pixels=", r * g.ow, " channels=", grp.count,
                              " x_dtype=", acc_es == 8 ? "s64" : "s32",
                              // y is read only with a sumin; a raw s32 output names s8 there.
                              " y_dtype=",
                              sumin_value != nullptr      ? AsmDType(s.dtype)
                              : y->dtype == DType::kInt32 ? std::string("s8")
                                                          : AsmDType(y->dtype),
                              " out_dtype=", AsmDType(y->dtype),
                              direct ? absl::StrCat(" dst_pitch=", pixel_bytes / 16) : ""));
        std::vector<Emitter::Access> requant = {
            Emitter::Read("acc", acc_at, acc_bytes),
            Emitter::Read("weight", static_cast<int64_t>(grp.param_at),
                          grp.count * isa::kRequantParamBytes),
            Emitter::Write("feature", dst_at, dst_bytes)};
        if (sumin_value != nullptr) {
          requant.push_back(Emitter::Read("feature", sumin_src, sumin_bytes));
          if (sumin_in_place) e.Pitch("vae", absl::StrCat("y_pitch=", s_pixel / 16));
          e.Data(absl::StrCat("vae.requant_sumin src=", acc_at, " dst=", dst_at,
                              " param=", grp.param_at, " sumin=", sumin_src),
                 std::move(requant));
        } else {
          e.Data(absl::StrCat("vae.requant src=", acc_at, " dst=", dst_at, " param=", grp.param_at),
                 std::move(requant));
        }
        if (direct) {
          e.CountDirectWrite();
          continue;
        }
        out.esize = yes;
        out.pitch = Align16(grp.count * yes);
        e.StoreBox(y->region.c_str(), y->At(n, o0) + static_cast<uint64_t>(grp.m0 * yes), out_at,
                   out);
      }
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status LowerConvLike(const ir::Node& node, LowerContext& ctx, const ConvShape& g,
                           const Tensor& weight /* int8 [M][C/g][kh][kw] */, const Tensor* bias,
                           const ir::Value* sumin_value) {
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  return LowerConvTiles(node, ctx, g, *x, weight, bias, sumin_value, nullptr);
}

// A patch embedding (a vision transformer's kernel = stride above the TAE's 15, no padding,
// no dilation, one group) as the 1x1 convolution it is: each output pixel's kh x kw x C patch
// is gathered by DMA into one pixel of kh * kw * C channels, ordered (row, column, channel), and
// the weights are reordered the same way. The integer sums are the same terms, so the result
// is exact.
absl::Status LowerPatchConv(const ir::Node& node, LowerContext& ctx, const ConvShape& g,
                            const Tensor& weight, const Tensor* bias) {
  if (g.kh != g.sh || g.kw != g.sw || g.dh != 1 || g.dw != 1 || g.groups != 1 || g.pt || g.pl ||
      g.pb > g.kh - 1 || g.pr > g.kw - 1 || g.kh > 1024 || g.kw > 1024 ||
      (node.op() == "FusedConv" && node.num_inputs() > 3 && node.input(3) != nullptr)) {
    return absl::UnimplementedError(
        "kernel or stride above 15 (only patch embeddings: kernel = stride, no padding, "
        "dilation, groups or residual)");
  }
  absl::StatusOr<Buffer> xb = ctx.BufferOf(node, node.input(0));
  if (!xb.ok()) return xb.status();
  const Buffer x = *xb;
  const int64_t m = weight.dim(0), c = weight.dim(1), kh = g.kh, kw = g.kw;
  const int64_t cc = kh * kw * c, es = x.esize();
  // W'[o][(r * kw + q) * C + ch] = W[o][ch][r][q].
  Tensor packed(DType::kInt8, {m, cc, 1, 1});
  const int8_t* src = weight.data<int8_t>();
  int8_t* dst = packed.data<int8_t>();
  for (int64_t o = 0; o < m; ++o)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t r = 0; r < kh; ++r)
        for (int64_t q = 0; q < kw; ++q)
          dst[(o * cc) + (r * kw + q) * c + ch] = src[((o * c + ch) * kh + r) * kw + q];
  ConvShape one;
  one.oh = g.oh;
  one.ow = g.ow;
  // What LowerConvTiles reads of the input: its sizes (one output row per input row).
  Buffer view = x;
  view.h = g.oh;
  view.w = g.ow;
  view.c = cc;
  const int64_t pitch = Align16(cc * es);
  if (pitch > 65535 || kw * c * es > (1 << 24) - 1) {
    return absl::UnimplementedError("a patch too large for the DMA strides");
  }
  Emitter& e = ctx.emit();
  ConvInputLoader load = [&e, x, g, c, kh, kw, es, pitch](int64_t n, int64_t first, int64_t rows,
                                                          int64_t at) -> absl::Status {
    // Output row y, patch row r: the input row y * kh + r, its columns j * kw + q, channels ch,
    // to tile pixel (y - first, j) at channel offset (r * kw + q) * C: n0 = C, n1 = q, n2 = j.
    for (int64_t y = first; y < first + rows; ++y) {
      for (int64_t r = 0; r < kh; ++r) {
        e.Config(absl::StrCat("load.shape elem=", es, " n0=", c, " n1=", kw, " n2=", g.ow,
                              " pad_top=0 pad_bottom=0 pad_left=0 pad_right=0"));
        e.Config(absl::StrCat("load.stride ddr_s1=", c * es, " ddr_s2=", kw * c * es,
                              " sram_s1=", c * es, " sram_s2=", pitch));
        const int64_t to = at + (y - first) * g.ow * pitch + r * kw * c * es;
        const uint64_t from = x.At(n, y * kh + r, 0);
        e.Data(
            absl::StrCat("load dst_space=feature dst=", to, " region=", x.region, " offset=", from),
            {Emitter::Write("feature", to, (g.ow - 1) * pitch + kw * c * es),
             Emitter::Read(absl::StrCat("ddr:", x.region), static_cast<int64_t>(from),
                           g.ow * kw * c * es)});
      }
    }
    return absl::OkStatus();
  };
  return LowerConvTiles(node, ctx, one, view, packed, bias, nullptr, load);
}

absl::Status LowerConv(const ir::Node& node, LowerContext& ctx) {
  const ir::Value* w = node.input(1);
  if (w == nullptr || !w->is_constant() || w->constant().dtype() != DType::kInt8) {
    return absl::InvalidArgumentError("the weight must be an int8 constant");
  }
  const ir::Value* b = node.input(2);
  if (b != nullptr && (!b->is_constant() || b->constant().dtype() != DType::kInt32)) {
    return absl::InvalidArgumentError("the bias must be an int32 constant");
  }
  const Shape& xs = node.input(0)->type().shape;
  if (xs.size() != 4) return absl::UnimplementedError("only 2-D convolutions");
  const Shape* bias_shape = b != nullptr ? &b->type().shape : nullptr;
  absl::StatusOr<ops::ConvPlan> plan = ops::PlanConv(node, xs, w->type().shape, bias_shape);
  if (!plan.ok()) return plan.status();
  const kernels::ConvGeometry& geo = plan->geometry;
  ConvShape g;
  g.kh = geo.kernel[0], g.kw = geo.kernel[1];
  g.sh = geo.strides[0], g.sw = geo.strides[1];
  g.dh = geo.dilations[0], g.dw = geo.dilations[1];
  g.pt = geo.pads_begin[0], g.pl = geo.pads_begin[1];
  g.pb = geo.pads_end[0], g.pr = geo.pads_end[1];
  g.groups = plan->group;
  g.oh = geo.output[0], g.ow = geo.output[1];
  if (g.kh > 15 || g.kw > 15 || g.sh > 15 || g.sw > 15) {
    return LowerPatchConv(node, ctx, g, w->constant(), b != nullptr ? &b->constant() : nullptr);
  }
  // pads_end may leave input columns unused (stride); the tile keeps only what the output reads.
  g.pr = std::max<int64_t>(0, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.pl - xs[3]);
  const ir::Value* sumin = node.op() == "FusedConv" ? node.input(3) : nullptr;
  return LowerConvLike(node, ctx, g, w->constant(), b != nullptr ? &b->constant() : nullptr, sumin);
}

// FusedLinear (X [N, K], W [M, K], B [M], [sumin]) and Gemm (A [N, K], B [K, M] or transB) as a
// 1x1 convolution over N images of 1x1 pixels; FusedLinear of another rank and Gemm with transA
// on the matmul lowering.
absl::Status LowerLinear(const ir::Node& node, LowerContext& ctx) {
  const ir::Value* w = node.input(1);
  const ir::Value* b = node.input(2);
  if (w == nullptr || !w->is_constant() || w->constant().dtype() != DType::kInt8 ||
      w->constant().rank() != 2) {
    return absl::InvalidArgumentError("the weight must be a 2-D int8 constant");
  }
  if (b != nullptr && (!b->is_constant() || b->constant().dtype() != DType::kInt32)) {
    return absl::InvalidArgumentError("the bias must be an int32 constant");
  }
  Tensor weight = w->constant();  // FusedLinear: [M, K]
  const bool trans_a = node.op() == "Gemm" && node.attrs().GetInt("transA", 0) != 0;
  if (node.op() == "Gemm") {
    if (node.attrs().GetInt("transB", 0) == 0) {  // [K, M] -> [M, K]
      const int64_t k = weight.dim(0), m = weight.dim(1);
      Tensor t(DType::kInt8, {m, k});
      for (int64_t i = 0; i < k; ++i) {
        for (int64_t j = 0; j < m; ++j)
          t.data<int8_t>()[j * k + i] = weight.data<int8_t>()[i * m + j];
      }
      weight = std::move(t);
    }
  }
  if (b != nullptr && b->constant().num_elements() != weight.dim(0)) {
    return absl::UnimplementedError("a bias that is not one value per output feature");
  }
  const ir::Value* sumin = node.op() == "FusedLinear" ? node.input(3) : nullptr;
  if (node.input(0)->type().shape.size() != 2 || trans_a) {
    // [..., K] is not [rows][K] in DDR (a rank-3 [B, L, K] is [B][K][L]; Gemm's transposed A is
    // [K][rows]): the matmul lowering's strided operand DMA reads it as it is.
    return LowerLinearAsMatMul(node, ctx, weight, b != nullptr ? &b->constant() : nullptr, sumin,
                               trans_a);
  }
  if (absl::Status st = weight.Reshape({weight.dim(0), weight.dim(1), 1, 1}); !st.ok()) return st;
  ConvShape g;
  return LowerConvLike(node, ctx, g, weight, b != nullptr ? &b->constant() : nullptr, sumin);
}

OPENBPU_REGISTER_LOWERING(Conv, "Conv", LowerConv);
OPENBPU_REGISTER_LOWERING(FusedConv, "FusedConv", LowerConv);
OPENBPU_REGISTER_LOWERING(FusedLinear, "FusedLinear", LowerLinear);
OPENBPU_REGISTER_LOWERING(Gemm, "Gemm", LowerLinear);

}  // namespace
}  // namespace openbpu::backend
