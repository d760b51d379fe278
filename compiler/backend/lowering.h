// The lowering registry of the back end: one function per op, registered by op name from the
// files under compiler/backend/lower/ (one per op family), turning a quantized node into
// instructions with the node's typed parameters (compiler/ops/qparams.h).
#ifndef OPENBPU_COMPILER_BACKEND_LOWERING_H_
#define OPENBPU_COMPILER_BACKEND_LOWERING_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/backend/emitter.h"
#include "compiler/backend/knobs.h"
#include "compiler/ir/graph.h"

namespace openbpu::backend {

// Where a value lives in DDR: dense NHWC ([N][H][W][C], a rank-2 [N][C] value as H = W = 1) of
// its storage dtype, in region `region` ("input", "output" or "scratch") at `offset`.
struct Buffer {
  std::string region;
  uint64_t offset = 0;
  DType dtype = DType::kInt8;
  int64_t n = 1, h = 1, w = 1, c = 1;
  // A channel slice of a wider buffer (a concat's output written in place): elements from one
  // pixel to the next; 0 = c (dense). Only the producers compile.cc allows (conv, resize) write
  // such views, and they address pixels through At() and PixelStride().
  int64_t cs = 0;
  int64_t esize() const { return static_cast<int64_t>(DTypeSize(dtype)); }
  int64_t bytes() const { return n * h * w * c * esize(); }
  int64_t PixelStride() const { return cs != 0 ? cs : c; }
  // Byte offset of pixel (image, row, column), channel 0.
  uint64_t At(int64_t image, int64_t row, int64_t col = 0) const {
    return offset + static_cast<uint64_t>(((image * h + row) * w + col) * PixelStride() * esize());
  }
};

// The buffer geometry of a value of `shape`: [N, C, spatial...] with the spatial dimensions as
// H = all but the last, W = the last (rank 3: H = 1; rank 2: H = W = 1; rank 1: N only; rank 0:
// one element). Convolution and pooling lowerings take rank 4 only; elementwise ones any rank.
Buffer BufferFor(const Shape& shape, DType dtype);

// Element strides of each dimension of a value of `shape` in its DDR layout (BufferFor): [N, C,
// d2.., dk] stored [N][d2..][dk][C]; rank 1: {1}; rank 0: {}.
std::vector<int64_t> LayoutStrides(const Shape& shape);
// The logical dimensions of a value of rank `rank` in its DDR byte order: N, the dimensions after
// C, then C.
std::vector<int> NhwcOrder(int rank);

// The text form's name of a storage dtype: "s8", "s16", "s32" or "s64".
const char* AsmDType(DType d);

// `rows` whole rows of `b` with `channels` channels (dense NHWC in DDR, no padding), at the SRAM
// pixel pitch align16(channels x esize).
Emitter::Box RowsOf(const Buffer& b, int64_t rows, int64_t channels);

// ISA 1.1 operand pitches: a value kept on chip (O2 chains, region "chain") whose pixels start at
// 16-byte boundaries is read or written in place instead of through a tile and an aae.move.
struct OnChip {
  int64_t at = -1;      // feature SRAM address of the first pixel asked for (-1: not on chip)
  int64_t pitch16 = 0;  // its pixel pitch in 16-byte units
  bool ok() const { return at >= 0; }
  // The bytes `pixels` pixels of `bytes_per_pixel` span from `at`.
  int64_t Span(int64_t pixels, int64_t bytes_per_pixel) const {
    return (pixels - 1) * pitch16 * 16 + bytes_per_pixel;
  }
};
// Pixel (image n, row, col) of `b`, channel `c0`, when `b` is on chip with 16-byte pixels (and
// `c0`'s byte offset a multiple of 16); OnChip{} otherwise.
OnChip OnChipAt(const Emitter& e, const Buffer& b, int64_t n, int64_t row, int64_t col = 0,
                int64_t c0 = 0);
// The `vae.pitch` / `tae.pitch` / `vae.cfg` field text for an operand of `channels` x `esize`
// bytes per pixel at `o`: "<name>=<pitch16>", or "" when it is the dense pitch.
std::string PitchField(const char* name, const OnChip& o, int64_t channels, int64_t esize);

// One dimension of an element move: `count` steps of `in` elements in the source and `out`
// elements in the destination; `offsets`, when set, lists the source offset of each step instead
// (a constant-index gather).
struct MoveDim {
  int64_t count = 1, in = 0, out = 0;
  std::vector<int64_t> offsets;
  bool explicit_offsets() const { return !offsets.empty(); }
  int64_t InAt(int64_t i) const { return explicit_offsets() ? offsets[i] : i * in; }
};

// Moves every element of `y` (whose dense bytes `dims` cover exactly once, in any order) from
// element `in_base` + the dims' offsets of `x`, through the feature SRAM with strided DMA
// (lower/datamove.cc): data movement ops and layout changes of model inputs and outputs.
absl::Status MoveElements(Emitter& e, const Buffer& x, const Buffer& y, std::vector<MoveDim> dims,
                          int64_t in_base);

class LowerContext;

// The lowering of every op whose quantized form only moves integers (qkind exact, output
// quantization inherited from input 0): the op's own kernel run on element addresses gives the
// map, MoveElements copies it (lower/datamove.cc). Pad uses it for its reflect and edge modes.
absl::Status LowerDataMovement(const ir::Node& node, LowerContext& ctx);

class LowerContext {
 public:
  LowerContext(Emitter& emit, std::map<const ir::Value*, Buffer> buffers)
      : emit_(emit), buffers_(std::move(buffers)) {}
  Emitter& emit() { return emit_; }
  const isa::March& march() const { return emit_.march(); }
  // The DDR buffer of `v`; InvalidArgument naming the node when it has none (a value the back
  // end does not place, e.g. a float value). A quantized constant operand (Mul by a constant,
  // Add of a bias tensor) is packed once into the parameter blob and read from the param region.
  absl::StatusOr<Buffer> BufferOf(const ir::Node& node, const ir::Value* v);
  // The search's tiling knobs (CompileOptions::knobs; the defaults change nothing).
  void set_knobs(const CompileKnobs& knobs) { knobs_ = knobs; }
  const CompileKnobs& knobs() const { return knobs_; }

 private:
  Emitter& emit_;
  std::map<const ir::Value*, Buffer> buffers_;
  CompileKnobs knobs_;
};

using LowerFn = std::function<absl::Status(const ir::Node& node, LowerContext& ctx)>;

// A 2-D convolution for LowerConvTiles: kernel, strides, dilations, pads, groups, output size.
struct ConvShape {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
  int64_t groups = 1;
  int64_t oh = 1, ow = 1;
};
// The default conv input tile: rows [first, first + rows) of image `n` of `x` padded by g (zero
// rows above and below it, g.pl / g.pr zero columns) by one DMA to feature SRAM `dst`.
absl::Status LoadConvRows(Emitter& e, const Buffer& x, const ConvShape& g, int64_t n, int64_t first,
                          int64_t rows, int64_t dst);
// Writes the input tile of image `image`: rows [first, first + rows) of the input (rows outside
// [0, input.h) are zero padding), columns [-g.pl, input.w + g.pr) of each at the pixel pitch
// align16(C x esize), to feature SRAM `dst`.
using ConvInputLoader =
    std::function<absl::Status(int64_t image, int64_t first, int64_t rows, int64_t dst)>;
// The conv lowering (lower/conv.cc): `input` convolved with int8 `weight` [M][C/groups][kh][kw]
// (+ int32 `bias`), requantized by the node's Requant records (+ `sumin`) into its output 0, in
// channel groups and row tiles. The input tiles are DMA loads of `input`'s rows with zero padding,
// or `load_input` when set (ConvTranspose's zero-inserted input, lower/conv_transpose.cc).
absl::Status LowerConvTiles(const ir::Node& node, LowerContext& ctx, const ConvShape& g,
                            const Buffer& input, const Tensor& weight, const Tensor* bias,
                            const ir::Value* sumin_value, const ConvInputLoader& load_input);
// A linear layer X [..., K] x W^T (+ int32 `bias`, + `sumin`) of an input whose DDR layout is not
// [rows][K] (rank other than 2, or with trans_a a 2-D X stored [K][rows]) on the matmul lowering
// (lower/matmul.cc): W int8 [M][K], the bias folded into the node's Requant records, the residual
// by vae.requant_sumin.
absl::Status LowerLinearAsMatMul(const ir::Node& node, LowerContext& ctx, const Tensor& weight,
                                 const Tensor* bias, const ir::Value* sumin, bool trans_a = false);

class LoweringRegistry {
 public:
  static LoweringRegistry& Global();
  bool Register(const std::string& op, LowerFn fn);
  const LowerFn* Find(absl::string_view op) const;
  std::vector<std::string> Ops() const;

 private:
  std::map<std::string, LowerFn, std::less<>> fns_;
};

#define OPENBPU_REGISTER_LOWERING(id, op, fn)          \
  static const bool openbpu_lowering_registered_##id = \
      ::openbpu::backend::LoweringRegistry::Global().Register(op, fn)

// Broadcasting elementwise operands (lower/broadcast.cc: Max/Min, the comparisons, Div, Where):
// every operand is materialized in the output tile's [P][C] layout by DMA, with stride 0 on its
// broadcast dimensions, so the VAE always sees full operands. An operand is seen through the
// output's dimensions: its DDR buffer and, per output (ONNX) dimension, the byte stride of that
// dimension in the operand's own dense NHWC layout (0 where it broadcasts).
struct BroadcastOperand {
  Buffer buf;
  std::vector<int64_t> stride;
};
// The output's geometry: G = N x H global rows of W pixels of C channels.
struct BroadcastGrid {
  int R = 0;
  Shape out;
  int64_t n = 1, h = 1, w = 1, c = 1;
};
// Input `i` of `node` seen through the output shape `out` (InvalidArgument when it does not
// broadcast to it).
absl::StatusOr<BroadcastOperand> BroadcastOperandOf(const ir::Node& node, LowerContext& ctx, int i,
                                                    const Shape& out);
// The grid of output 0 (buffer `y`); Unimplemented for an empty output.
absl::StatusOr<BroadcastGrid> BroadcastGridOf(const ir::Node& node, const Buffer& y);
// DMA of global rows [g0, g0 + rows) of `op`, broadcast to [rows][W][C] at feature SRAM `dst`
// (pixel pitch align16(C x esize)).
absl::Status LoadBroadcastRows(Emitter& e, const BroadcastGrid& g, const BroadcastOperand& op,
                               int64_t g0, int64_t rows, int64_t dst);
// The tiles of a binary op on two broadcast operands (Add/Sub/Mul, Div, the comparisons):
// double-buffered row tiles of both operands are loaded, `compute` emits the op reading x and y
// and writing dst (`pixels` pixels, pitches align16(C x esize)), and dst is stored to y's rows.
absl::Status LowerBroadcastPair(
    Emitter& e, const isa::March& march, const BroadcastGrid& g, const BroadcastOperand (&ops)[2],
    const Buffer& y,
    const std::function<void(int64_t x, int64_t y, int64_t dst, int64_t pixels)>& compute);
// Rows per tile so that two sets (double buffering) of `row_bytes` per row fit the feature SRAM
// (and a tile's pixels the 20-bit pixels field); ResourceExhausted when one row does not.
absl::StatusOr<int64_t> BroadcastTileRows(const isa::March& march, const BroadcastGrid& g,
                                          int64_t row_bytes);

// Ops that are views of their input's bytes in the NHWC layout (Flatten / Reshape of a value
// whose H = W = 1, Identity): the output shares the input's buffer, no instruction runs.
bool IsAliasOp(const ir::Node& node);

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_LOWERING_H_
