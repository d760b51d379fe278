#include "compiler/backend/lowering.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"

namespace openbpu::backend {

absl::StatusOr<Buffer> LowerContext::BufferOf(const ir::Node& node, const ir::Value* v) {
  // A bool constant (Where's condition) is packed the same way: 1 byte, 0 / 1, per element.
  if (v != nullptr && v->is_constant() &&
      (v->type().quant.has_value() || v->type().dtype == DType::kBool) && !buffers_.count(v)) {
    const Tensor& t = v->constant();
    Buffer b = BufferFor(t.shape(), t.dtype());
    b.region = "param";
    // NCHW -> dense NHWC bytes.
    const int64_t es = b.esize(), hw = b.h * b.w;
    const uint8_t* src = static_cast<const uint8_t*>(t.raw());
    std::vector<uint8_t> bytes(static_cast<size_t>(t.num_elements() * es));
    for (int64_t i = 0; i < b.n; ++i)
      for (int64_t c = 0; c < b.c; ++c)
        for (int64_t p = 0; p < hw; ++p)
          for (int64_t k = 0; k < es; ++k)
            bytes[static_cast<size_t>(((i * hw + p) * b.c + c) * es + k)] =
                src[((i * b.c + c) * hw + p) * es + k];
    b.offset = emit_.AddParams(bytes);
    buffers_[v] = b;
  }
  auto it = buffers_.find(v);
  if (v == nullptr || it == buffers_.end()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("value '", v == nullptr ? "" : v->name(),
                                      "' has no DDR buffer (not a quantized BPU value)"));
  }
  return it->second;
}

LoweringRegistry& LoweringRegistry::Global() {
  static auto* registry = new LoweringRegistry();
  return *registry;
}

bool LoweringRegistry::Register(const std::string& op, LowerFn fn) {
  if (!fns_.emplace(op, std::move(fn)).second) {
    std::fprintf(stderr, "duplicate lowering for op %s\n", op.c_str());
    std::abort();
  }
  return true;
}

const LowerFn* LoweringRegistry::Find(absl::string_view op) const {
  auto it = fns_.find(op);
  return it == fns_.end() ? nullptr : &it->second;
}

std::vector<std::string> LoweringRegistry::Ops() const {
  std::vector<std::string> out;
  for (const auto& [op, fn] : fns_) out.push_back(op);
  return out;
}

Buffer BufferFor(const Shape& shape, DType dtype) {
  Buffer b;
  b.dtype = dtype;
  if (!shape.empty()) b.n = shape[0];
  if (shape.size() >= 2) b.c = shape[1];
  if (shape.size() >= 3) b.w = shape.back();
  for (size_t d = 2; d + 1 < shape.size(); ++d) b.h *= shape[d];
  return b;
}

std::vector<int64_t> LayoutStrides(const Shape& shape) {
  const size_t r = shape.size();
  std::vector<int64_t> s(r, 1);
  if (r <= 1) return s;
  int64_t inner = shape[1];
  for (size_t d = r; d-- > 2;) {
    s[d] = inner;
    inner *= shape[d];
  }
  s[1] = 1;
  s[0] = inner;
  return s;
}

std::vector<int> NhwcOrder(int rank) {
  std::vector<int> order;
  if (rank >= 1) order.push_back(0);
  for (int d = 2; d < rank; ++d) order.push_back(d);
  if (rank >= 2) order.push_back(1);
  return order;
}

const char* AsmDType(DType d) {
  switch (d) {
    case DType::kInt8:
      return "s8";
    case DType::kInt16:
      return "s16";
    case DType::kInt32:
      return "s32";
    default:
      return "s64";
  }
}

Emitter::Box RowsOf(const Buffer& b, int64_t rows, int64_t channels) {
  Emitter::Box box;
  box.rows = rows;
  box.width = b.w;
  box.channels = channels;
  box.esize = b.esize();
  box.full_width = b.w;
  box.full_channels = b.PixelStride();
  box.pitch = Align16(channels * b.esize());
  return box;
}

OnChip OnChipAt(const Emitter& e, const Buffer& b, int64_t n, int64_t row, int64_t col,
                int64_t c0) {
  const int64_t pixel = b.PixelStride() * b.esize();
  if (!e.operand_pitches() || b.region != "chain" || e.chain_base() < 0 || pixel % 16 != 0 ||
      pixel / 16 >= (1 << 14) || (c0 * b.esize()) % 16 != 0) {
    return {};
  }
  const int64_t at = e.chain_base() + static_cast<int64_t>(b.At(n, row, col)) + c0 * b.esize();
  if (at % 16 != 0) return {};
  return {at, pixel / 16};
}

std::string PitchField(const char* name, const OnChip& o, int64_t channels, int64_t esize) {
  if (o.pitch16 * 16 == Align16(channels * esize)) return "";
  return absl::StrCat(name, "=", o.pitch16);
}

namespace {
// The DDR layout of a value of `shape` orders its elements as NCHW does: nothing after C but
// ones, or a single channel.
bool LayoutIsRowMajor(const Shape& shape) {
  if (shape.size() <= 2 || shape[1] == 1) return true;
  for (size_t d = 2; d < shape.size(); ++d) {
    if (shape[d] != 1) return false;
  }
  return true;
}
}  // namespace

bool IsAliasOp(const ir::Node& node) {
  if (node.op() == "Identity") return true;
  if (node.op() != "Flatten" && node.op() != "Reshape" && node.op() != "Squeeze" &&
      node.op() != "Unsqueeze") {
    return false;
  }
  // The bytes are the same when both sides are laid out in NCHW order (a reshape keeps it).
  return LayoutIsRowMajor(node.input(0)->type().shape) &&
         LayoutIsRowMajor(node.output(0)->type().shape);
}

// The default input tile: rows [first, first + rows) of `x` padded by g (zero rows above and below
// it, g.pl / g.pr zero columns) by one DMA.
absl::Status LoadConvRows(Emitter& e, const Buffer& x, const ConvShape& g, int64_t n, int64_t first,
                          int64_t rows, int64_t dst) {
  const int64_t last = first + rows - 1;
  const int64_t pad_top = std::max<int64_t>(0, -first);
  const int64_t pad_bottom = std::max<int64_t>(0, last - (x.h - 1));
  Emitter::Box in;
  in.rows = last - first + 1 - pad_top - pad_bottom;
  in.width = x.w;
  in.channels = x.c;
  in.esize = x.esize();
  in.full_width = x.w;
  in.full_channels = x.PixelStride();  // a concat's channel slice when read in place
  in.pad_top = pad_top;
  in.pad_bottom = pad_bottom;
  in.pad_left = g.pl;
  in.pad_right = g.pr;
  in.pitch = Align16(x.c * x.esize());
  if (in.rows < 1) return absl::InternalError("empty input tile");
  if (std::max({pad_top, pad_bottom, g.pl, g.pr}) > 31) {
    return absl::UnimplementedError("padding above 31");
  }
  e.LoadBox(x.region.c_str(), x.At(n, std::max<int64_t>(first, 0)), dst, in);
  return absl::OkStatus();
}

}  // namespace openbpu::backend
