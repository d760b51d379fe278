// GenerateCases: one-node graphs built from a row's IR op with the limit's quantity set to a
// value inside (at the bound) and outside the limit; every other quantity at a small default.
#include "compiler/check/cases.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "compiler/check/check.h"

namespace openbpu::check {
namespace {

using Overrides = std::map<std::string, double>;

int64_t I(double v) { return static_cast<int64_t>(std::llround(v)); }

struct Built {
  std::unique_ptr<ir::Graph> graph;
};

ir::Value* NewValue(ir::Graph& g, const std::string& name, DType dtype, const Shape& shape,
                    bool quantized, double scale) {
  ir::Value* v = *g.AddValue(name);
  ir::TensorType t;
  t.dtype = dtype;
  t.shape = shape;
  if (quantized) t.quant = ir::QuantInfo{dtype, {static_cast<float>(scale)}, -1};
  v->set_type(t);
  return v;
}

// One node of `op` (alias `pattern`) with the quantities in `o` set; `ctx` the limit's context.
std::unique_ptr<ir::Graph> Build(const std::string& op, const std::string& pattern,
                                 const Overrides& o, march::When ctx, bool output_only) {
  auto get = [&](const char* k, double d) {
    auto it = o.find(k);
    return it == o.end() ? d : it->second;
  };
  auto g = std::make_unique<ir::Graph>();
  const bool quantized = ctx == march::When::kInt8Input || ctx == march::When::kInt16Input;
  const DType dt = ctx == march::When::kInt16Input ? DType::kInt16
                   : quantized                     ? DType::kInt8
                                                   : DType::kFloat32;
  const double qmax = dt == DType::kInt16 ? 32767 : 127;
  const double scale = o.count("input_abs") ? o.at("input_abs") / qmax : 1.0 / 64;
  if (quantized) g->set_march("bayes");

  int64_t n = I(get("N", 1)), c = I(get("C", 8)), h = I(get("H", 8)), w = I(get("W", 8));
  const int64_t group = I(get("group", 1));
  c = I(get("in_channels", get("in_features", c)));
  if (o.count("channels_per_group")) c = I(o.at("channels_per_group")) * group;
  if (o.count("weight_C") && op != "ConvTranspose") c = I(o.at("weight_C")) * group;
  int64_t k = I(get("kernel", get("weight_H", get("weight_W", op == "ConvTranspose" ? 2 : 3))));
  if (o.count("weight_size") && op != "ConvTranspose") {
    k = 1;
    c = I(o.at("weight_size"));
  }
  const int64_t kd = I(get("weight_D", 3));
  if (o.count("H*W*C")) h = std::max<int64_t>(1, I(std::ceil(o.at("H*W*C") / double(c * w))));
  if (o.count("H*W")) h = std::max<int64_t>(1, I(std::ceil(o.at("H*W") / double(w))));
  if (o.count("input_bytes")) {
    const double per = double(n) * c * DTypeSize(dt == DType::kFloat32 ? DType::kInt8 : dt);
    h = w = std::max<int64_t>(1, I(std::ceil(std::sqrt(o.at("input_bytes") / per))));
  }
  h = std::max(h, k);
  w = std::max(w, k);
  int64_t d = I(get("D", 4));
  Shape x = {n, c, h, w};
  if (pattern == "5d" || o.count("D")) x = {n, c, d, h, w};
  // LSTMCell's features are [N, C] (the row restates rank in {2}).
  if (op == "LSTM" && !o.count("H") && !o.count("W") && !o.count("rank") &&
      !o.count("input_bytes")) {
    x = {n, c};
  }
  if (o.count("rank")) {
    const int64_t r = I(o.at("rank"));
    x.clear();
    for (int64_t i = 0; i < r; ++i) x.push_back(i == 0 ? n : (i == 1 ? c : 4));
  }
  ir::Value* in = NewValue(*g, "x", dt, x, quantized, scale);
  g->AddInput(in);
  std::vector<ir::Value*> inputs = {in};
  AttributeMap attrs;
  Shape y = x;
  const size_t sr = x.size() >= 2 ? x.size() - 2 : 0;
  auto spatial = [&](double v) { return std::vector<int64_t>(sr, I(v)); };
  const int64_t stride = I(get("stride", op == "ConvTranspose" ? 2 : 1));
  const int64_t dil = I(get("dilation", 1));
  const int64_t pad = I(get("padding", 0));
  if (op == "Conv" || op == "ConvTranspose") {
    int64_t out = I(get("out_channels", get("weight_N", 8)));
    if (op == "ConvTranspose") {  // weight [C, out / group, kh, kw]
      out = I(get("out_channels", get("weight_C", 8)));
      if (o.count("weight_size")) {
        k = 2;
        out = I(std::ceil(o.at("weight_size") / 4.0));
      }
    }
    Shape ws = op == "Conv" ? Shape{out, c / std::max<int64_t>(group, 1)}
                            : Shape{c, out / std::max<int64_t>(group, 1)};
    if (o.count("weight_N") && op == "ConvTranspose") ws[0] = I(o.at("weight_N"));
    for (size_t i = 0; i < sr; ++i) ws.push_back(sr == 3 && i == 0 ? kd : k);
    inputs.push_back(NewValue(*g, "w", DType::kFloat32, ws, false, 1));
    attrs.Set("kernel_shape", std::vector<int64_t>(ws.begin() + 2, ws.end()));
    attrs.Set("strides", spatial(stride));
    attrs.Set("dilations", spatial(dil));
    attrs.Set("pads", std::vector<int64_t>(2 * sr, pad));
    attrs.Set("group", group);
    if (op == "ConvTranspose") attrs.Set("output_padding", spatial(get("output_padding", 0)));
    y[1] = out;
  } else if (op == "MaxPool" || op == "AveragePool") {
    attrs.Set("kernel_shape", spatial(get("kernel", 2)));
    attrs.Set("strides", spatial(get("stride", 2)));
    attrs.Set("pads", std::vector<int64_t>(2 * sr, pad));
  } else if (op == "Gemm" || (op == "MatMul" && pattern == "constant_weight")) {
    // [..., in] x [in, out]: the general limits' shapes kept, the last dim in_features.
    const int64_t in_f =
        I(get("in_features", o.size() == 1 && !o.count("out_features") && !o.count("in_features")
                                 ? double(x.back())
                                 : 8));
    const int64_t out_f = I(get("out_features", 8));
    if (o.count("in_features") || o.count("out_features") || o.empty()) x = {1, in_f};
    x.back() = in_f;
    in->mutable_type().shape = x;
    if (op == "Gemm") {
      inputs.push_back(NewValue(*g, "w", DType::kFloat32, {out_f, in_f}, false, 1));
      attrs.Set("transB", int64_t{1});
    } else {
      inputs.push_back(*g->AddConstant("w", Tensor(DType::kFloat32, {in_f, out_f})));
    }
    y = x;
    y.back() = out_f;
  } else if (op == "Concat") {
    const int64_t count = I(get("num_inputs", 2));
    for (int64_t i = 1; i < count; ++i) inputs.push_back(in);
    attrs.Set("axis", int64_t{1});
    y[1] = c * count;
  } else if (op == "Resize") {
    const double s = get("scale", 2);
    for (size_t i = 2; i < y.size(); ++i) {
      y[i] = std::max<int64_t>(1, I(x[i] * s));
      if (s < 1) {  // a downscale: an input large enough for the factor
        x[i] = 512;
        y[i] = std::max<int64_t>(1, I(512 * s));
      }
    }
    in->mutable_type().shape = x;
  } else if (op == "LayerNormalization") {
    if (o.count("normalized_H*W")) {
      x = {1, 1, 1, I(o.at("normalized_H*W"))};
      in->mutable_type().shape = x;
      y = x;
    }
    attrs.Set("axis", int64_t{-1});
  } else if (op == "Reshape") {
    if (o.count("each_dim")) {
      y = {1, I(o.at("each_dim")), 1, 1};
      x = {1, I(o.at("each_dim"))};
      in->mutable_type().shape = x;
    } else if (o.count("rank")) {
      y = x = Shape(static_cast<size_t>(I(o.at("rank"))), 1);
      in->mutable_type().shape = x;
    }
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Max" || op == "Min" ||
             op == "Div" || op == "Where") {
    if (pattern == "scalar_operand") {
      inputs.push_back(*g->AddConstant("s", Tensor::Scalar<float>(2)));
    } else {
      inputs.push_back(NewValue(*g, "x2", dt, x, quantized, scale));
      g->AddInput(inputs.back());
    }
  } else if (op == "Clip" && pattern == "relu6") {
    inputs.push_back(*g->AddConstant("lo", Tensor::Scalar<float>(0)));
    inputs.push_back(*g->AddConstant("hi", Tensor::Scalar<float>(6)));
  } else if (op == "Gather" && pattern == "integer_index") {
    inputs.push_back(*g->AddConstant("i", Tensor::Scalar<int64_t>(0)));
  } else if (op == "RoiAlign") {
    const int64_t count = I(get("num_features", 1));
    for (int64_t i = 1; i < count; ++i) inputs.push_back(in);
    inputs.push_back(NewValue(*g, "rois", DType::kFloat32, {1, 4}, false, 1));
  }
  if (ctx == march::When::kWithSumin) {
    inputs.resize(std::max<size_t>(inputs.size(), 3), nullptr);
    inputs[2] = NewValue(*g, "b", DType::kFloat32, {y[1]}, false, 1);
    inputs.push_back(NewValue(*g, "sumin", dt, y, quantized, scale));
  }
  ir::Value* out = NewValue(*g, "y", dt, y, quantized, scale);
  const std::string node_op = ctx == march::When::kWithSumin ? "FusedConv" : op;
  (void)g->AddNode("n", node_op, inputs, {out}, attrs);
  if (ctx == march::When::kModelOutput || output_only) g->AddOutput(out);
  return g;
}

struct Values {
  double pass, fail;
  bool ok = true;
};

Values Pick(const march::Limit& l) {
  Values v;
  if (!l.allowed.empty()) {
    v.pass = *std::max_element(l.allowed.begin(), l.allowed.end());
    v.fail = v.pass + 1;
    return v;
  }
  if (std::isfinite(l.max)) {
    v.pass = l.max_exclusive ? l.max - 1 : l.max;
    v.fail = l.max_exclusive ? l.max : l.max + 1;
    if (l.name == "scale") v.fail = l.max * 2;
    return v;
  }
  if (std::isfinite(l.min)) {
    v.pass = l.min_exclusive ? l.min + 1 : l.min;
    v.fail = l.min_exclusive ? l.min : l.min - 1;
    if (l.name == "scale") v.pass = 1, v.fail = l.min / 2;
    return v;
  }
  v.ok = false;
  return v;
}

bool HasViolations(const ir::Graph& g, march::March m) {
  const CheckReport r = CheckGraph(g, m);
  return r.violations > 0;
}

}  // namespace

CaseSet GenerateCases() {
  CaseSet set;
  const march::March marches[] = {march::March::kBernoulli2, march::March::kBayes,
                                  march::March::kBayesE};
  for (const march::OpTableEntry& row : march::OpTable()) {
    const bool has_limit = !march::EffectiveLimits(row.bernoulli2).empty() ||
                           !march::EffectiveLimits(row.bayes).empty();
    if (!has_limit) continue;
    ++set.rows_with_limits;
    set.rows_with_own_limits += !row.bernoulli2.limits.empty() || !row.bayes.limits.empty();
    const march::IrOpMapping* map = nullptr;
    for (const march::IrOpMapping& mm : row.ir_ops) {
      if (mm.role != march::IrRole::kPart) {
        map = &mm;
        break;
      }
    }
    if (map == nullptr) {
      set.skipped.push_back(absl::StrCat(row.vendor_name, ": no IR form"));
      continue;
    }
    for (march::March m : marches) {
      const march::MarchSupport& cell = row.For(m);
      const std::vector<march::Limit> limits = march::EffectiveLimits(cell);
      if (cell.supported != march::Supported::kYes || limits.empty()) continue;
      // An op that may only be a model output (torch.max's index) is built as one.
      const bool output_only = cell.model_output_only != march::ModelOutputOnly::kNo;
      for (const march::Limit& limit : limits) {
        const Values v = Pick(limit);
        if (!v.ok) continue;
        if (map->op == "Conv" && limit.name == "rank" && map->pattern.empty()) {
          // A Conv of another rank is the Conv3d row (alias 5d): not a Conv2d rank violation.
          set.skipped.push_back(absl::StrCat(row.vendor_name, " ", march::MarchName(m), " ",
                                             limit.ToString(),
                                             ": violating case unreachable (a 5-D Conv is "
                                             "torch.nn.Conv3d)"));
        }
        for (bool violating : {false, true}) {
          if (violating && map->op == "Conv" && limit.name == "rank" && map->pattern.empty()) {
            continue;
          }
          CheckCase cs;
          cs.row = row.vendor_name;
          cs.ir_op = map->op;
          cs.march = m;
          cs.limit = limit;
          cs.violating = violating;
          cs.value = violating ? v.fail : v.pass;
          cs.graph =
              Build(map->op, map->pattern, {{limit.name, cs.value}}, limit.when, output_only);
          if (!violating && HasViolations(*cs.graph, m)) {
            // The bound breaks another limit of the row: the builder's default instead.
            cs.at_boundary = false;
            cs.graph = Build(map->op, map->pattern, {}, limit.when, output_only);
          }
          set.cases.push_back(std::move(cs));
        }
      }
    }
  }
  return set;
}

}  // namespace openbpu::check
