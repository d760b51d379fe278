// Limit quantities from a node's shapes and attributes, and advice per limit name.
#include "compiler/check/quantities.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "compiler/check/check.h"

namespace openbpu::check {
namespace {

bool IsConv(const std::string& op) { return op == "Conv" || op == "FusedConv"; }
bool IsConvTranspose(const std::string& op) { return op == "ConvTranspose"; }
bool IsLinear(const ir::Node& node) {
  const std::string& op = node.op();
  return op == "Gemm" || op == "FusedLinear" ||
         (op == "MatMul" && node.input(1) != nullptr && node.input(1)->is_constant());
}
bool IsPool(const std::string& op) {
  return op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
         op == "GlobalMaxPool";
}
bool IsGlobalPool(const std::string& op) {
  return op == "GlobalAveragePool" || op == "GlobalMaxPool";
}

const Shape* ShapeOf(const ir::Value* v) {
  return v == nullptr || !v->type().known() ? nullptr : &v->type().shape;
}

std::vector<double> D(std::initializer_list<double> v) { return std::vector<double>(v); }
std::vector<double> D(const std::vector<int64_t>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// Linear layers as [out, in]: in_features, out_features.
bool LinearDims(const ir::Node& node, int64_t* in, int64_t* out) {
  const Shape* x = ShapeOf(node.input(0));
  const Shape* w = ShapeOf(node.input(1));
  if (x == nullptr || w == nullptr || x->empty() || w->size() < 2) return false;
  *in = x->back();
  if (node.op() == "Gemm") {
    const bool tb = node.attrs().GetInt("transB", 0) != 0;
    *out = tb ? (*w)[0] : (*w)[1];
  } else if (node.op() == "FusedLinear") {
    *out = (*w)[0];
  } else {
    *out = w->back();
  }
  return true;
}

// Spatial dims of the kernel: kernel_shape, else the weight's trailing dims.
std::vector<int64_t> Kernel(const ir::Node& node) {
  std::vector<int64_t> k = node.attrs().GetInts("kernel_shape");
  if (!k.empty()) return k;
  if (IsGlobalPool(node.op())) {
    const Shape* x = ShapeOf(node.input(0));
    if (x != nullptr && x->size() > 2) return std::vector<int64_t>(x->begin() + 2, x->end());
  }
  const Shape* w = ShapeOf(node.input(1));
  if ((IsConv(node.op()) || IsConvTranspose(node.op())) && w != nullptr && w->size() > 2) {
    return std::vector<int64_t>(w->begin() + 2, w->end());
  }
  return {};
}

size_t SpatialRank(const ir::Node& node) {
  const Shape* x = ShapeOf(node.input(0));
  return x == nullptr || x->size() < 2 ? 0 : x->size() - 2;
}

}  // namespace

std::vector<double> Quantity(const ir::Node& node, const std::string& name,
                             const march::MarchSupport& cell) {
  const std::string& op = node.op();
  const Shape* x = ShapeOf(node.input(0));
  if (x == nullptr) return {};
  const Feature f = FeatureOf(*x);
  const bool linear = IsLinear(node);
  const bool conv = IsConv(op) || IsConvTranspose(op);
  const Shape* w = conv ? ShapeOf(node.input(1)) : nullptr;
  int64_t in_f = 0, out_f = 0;
  const bool has_linear = linear && LinearDims(node, &in_f, &out_f);

  if (name == "N") return D({double(f.n)});
  if (name == "C") return D({double(f.c)});
  if (name == "H") return D({double(f.h)});
  if (name == "W") return D({double(f.w)});
  if (name == "D") return f.rank == 5 ? D({double(f.d)}) : std::vector<double>{};
  if (name == "rank") {
    bool restated = false;
    for (const march::Limit& l : cell.limits) restated = restated || l.name == "rank";
    if (restated && (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze")) {
      const Shape* y = ShapeOf(node.output(0));
      return y == nullptr ? std::vector<double>{} : D({double(y->size())});
    }
    return D({double(restated ? f.rank : std::max(f.rank, 4))});
  }
  if (name == "input_bytes") {
    const DType d = node.input(0)->type().dtype;
    const double size = d == DType::kFloat32 || d == DType::kInvalid ? 1 : DTypeSize(d);
    return D({double(NumElements(*x)) * size});
  }
  if (name == "H*W*C") return D({double(f.h) * f.w * f.c * (f.rank == 5 ? f.d : 1)});
  if (name == "H*W") return D({double(f.h) * f.w});
  if (name == "in_channels") {
    if (has_linear) return D({double(in_f)});
    return D({double(f.c)});
  }
  if (name == "out_channels") {
    if (has_linear) return D({double(out_f)});
    if (w == nullptr || w->size() < 2) return {};
    if (IsConvTranspose(op)) return D({double((*w)[1] * node.attrs().GetInt("group", 1))});
    return D({double((*w)[0])});
  }
  if (name == "channels_per_group") {
    if (has_linear) return D({double(in_f)});
    if (!conv) return {};
    return D({double(f.c / std::max<int64_t>(1, node.attrs().GetInt("group", 1)))});
  }
  if (name == "in_features") return has_linear ? D({double(in_f)}) : std::vector<double>{};
  if (name == "out_features") return has_linear ? D({double(out_f)}) : std::vector<double>{};
  if (name == "group") {
    if (!conv) return {};
    return D({double(node.attrs().GetInt("group", 1))});
  }
  if (name == "kernel") {
    if (has_linear) return D({1, 1});
    return D(Kernel(node));
  }
  if (name == "stride" || name == "dilation") {
    if (has_linear) return D({1, 1});
    if (!conv && !IsPool(op)) return {};
    if (IsGlobalPool(op)) return name == "stride" ? D(Kernel(node)) : std::vector<double>{};
    std::vector<int64_t> v = node.attrs().GetInts(name == "stride" ? "strides" : "dilations");
    if (v.empty()) v.assign(SpatialRank(node), 1);
    return D(v);
  }
  if (name == "padding") {
    if (has_linear) return D({0, 0});
    if (!conv && !IsPool(op)) return {};
    std::vector<int64_t> p = node.attrs().GetInts("pads");
    if (p.empty()) p.assign(2 * SpatialRank(node), 0);
    return D(p);
  }
  if (name == "output_padding") {
    if (!IsConvTranspose(op)) return {};
    std::vector<int64_t> p = node.attrs().GetInts("output_padding");
    if (p.empty()) p.assign(SpatialRank(node), 0);
    return D(p);
  }
  if (name.rfind("weight_", 0) == 0) {
    Shape ws;
    if (has_linear) {
      ws = {out_f, in_f, 1, 1};
    } else if (w != nullptr) {
      ws = *w;
    } else {
      return {};
    }
    // ASSUMPTION (docs/CHECK.md): weight_size is one filter's elements (one weight_N slice,
    // C x H x W): read as the whole weight, no ResNet's 3x3 512-channel conv would fit.
    if (name == "weight_size")
      return D({double(NumElements(ws)) / double(std::max<int64_t>(1, ws[0]))});
    if (name == "weight_N") return D({double(ws[0])});
    if (name == "weight_C") return ws.size() > 1 ? D({double(ws[1])}) : std::vector<double>{};
    const size_t r = ws.size();
    if (name == "weight_H") return r >= 4 ? D({double(ws[r - 2])}) : std::vector<double>{};
    if (name == "weight_W") return r >= 3 ? D({double(ws[r - 1])}) : std::vector<double>{};
    if (name == "weight_D") return r == 5 ? D({double(ws[2])}) : std::vector<double>{};
    return {};
  }
  if (name == "num_inputs") return D({double(node.num_inputs())});
  if (name == "each_dim") {
    const Shape* y = ShapeOf(node.output(0));
    return y == nullptr ? std::vector<double>{} : D(*y);
  }
  if (name == "scale") {
    const Shape* y = ShapeOf(node.output(0));
    if (y == nullptr || y->size() != x->size() || x->size() < 3) return {};
    std::vector<double> s;
    for (size_t i = 2; i < x->size(); ++i) {
      if ((*x)[i] > 0) s.push_back(double((*y)[i]) / double((*x)[i]));
    }
    return s;
  }
  if (name == "normalized_H*W") {
    int64_t axis = node.attrs().GetInt("axis", -1);
    if (axis < 0) axis += static_cast<int64_t>(x->size());
    double n = 1;
    for (size_t i = std::max<int64_t>(axis, 0); i < x->size(); ++i) n *= double((*x)[i]);
    return D({n});
  }
  if (name == "num_features") return D({double(std::max(1, node.num_inputs() - 1))});
  if (name == "input_abs") {
    const auto& q = node.input(0)->type().quant;
    if (!q.has_value() || q->scales.empty()) return {};
    const double qmax = q->storage == DType::kInt16 ? 32767 : 127;
    return D({double(*std::max_element(q->scales.begin(), q->scales.end())) * qmax});
  }
  return {};
}

std::string LimitAdvice(const ir::Node& node, const march::Limit& limit, double v, march::March m) {
  const std::string& n = limit.name;
  const std::string op = node.op();
  const std::string bound =
      std::isinf(limit.max) ? absl::StrCat(limit.min) : absl::StrCat(limit.max);
  const int64_t iv = static_cast<int64_t>(v);
  if (n == "out_channels" || n == "weight_N" || n == "out_features") {
    return absl::StrCat("split the ", iv, "-channel ", op,
                        " into output-channel groups of at most ", bound,
                        " (parallel layers joined by a Concat)");
  }
  if (n == "in_channels" || n == "weight_C" || n == "channels_per_group" || n == "in_features") {
    return absl::StrCat("split the ", iv, "-channel input of the ", op, " into parts of at most ",
                        bound, " channels (partial ", op, "s summed by Add)");
  }
  if (n == "kernel" || n == "weight_H" || n == "weight_W" || n == "weight_D") {
    if (op == "Conv" || op == "FusedConv") {
      return absl::StrCat("a ", iv, "-wide kernel exceeds ", limit.ToString(),
                          ": for a patch embedding (kernel = stride) use a SpaceToDepth "
                          "(PixelUnshuffle) and a 1x1 conv; otherwise stack smaller kernels "
                          "(two 3x3 for a 5x5)");
    }
    return absl::StrCat("split the ", iv, "-wide window into a chain of smaller ones (",
                        limit.ToString(), ")");
  }
  if (n == "weight_size") {
    return absl::StrCat("each filter has ", iv, " elements (input channels x kernel): split the ",
                        op, " by input channels (partial convs summed by Add)");
  }
  if (n == "stride") {
    return absl::StrCat("use a stride within ", limit.ToString(),
                        " (a stride-1 layer followed by a strided pool or slice)");
  }
  if (n == "dilation") return absl::StrCat("use a dilation within ", limit.ToString());
  if (n == "padding" || n == "output_padding") {
    return absl::StrCat("reduce the padding to ", limit.ToString(),
                        " (pad explicitly with a Pad node before the ", op, ")");
  }
  if (n == "group") return "use group 1 (split a grouped Conv3d into per-group convs)";
  if (n == "N") return absl::StrCat("run a batch of ", iv, " as several runs of at most ", bound);
  if (n == "C" || n == "H" || n == "W" || n == "D" || n == "H*W*C" || n == "H*W" ||
      n == "input_bytes") {
    return absl::StrCat("the feature's ", n, " is ", iv, " (", limit.ToString(),
                        "): tile it (Split, the ", op,
                        " per tile, Concat) or lower the resolution");
  }
  if (n == "rank") {
    if (limit.allowed.size() == 1 && limit.allowed[0] == 4) {
      return absl::StrCat("reshape the ", iv, "-D tensor to the 4-D [N, C, H, W] layout",
                          m == march::March::kBernoulli2 ? "" : " (fold extra dims into C or H)");
    }
    return absl::StrCat("reshape the ", iv, "-D tensor to a rank within ", limit.ToString());
  }
  if (n == "num_inputs") {
    return absl::StrCat("concatenate ", iv, " inputs as a tree of Concats of at most ", bound);
  }
  if (n == "each_dim") return "reshape so that no dimension exceeds the limit (fold into others)";
  if (n == "scale") return "resize in several steps, each within the factor limit";
  if (n == "normalized_H*W") {
    return "normalize over fewer elements (split the normalized dims into groups)";
  }
  if (n == "num_features") return "use at most 5 feature maps";
  if (n == "input_abs") return "rescale the input so that its magnitude stays within the limit";
  return absl::StrCat("keep ", n, " within ", limit.ToString());
}

}  // namespace openbpu::check
