// Hybrid models: placement, scheduling, segment subgraphs (hybrid.h).
#include "compiler/backend/hybrid.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/backend/compile_internal.h"
#include "compiler/backend/emitter.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/ir/node_error.h"
#include "compiler/reference/quantized_interpreter.h"
#include "hbm/segment.h"

namespace openbpu::backend {
namespace {

using internal::IsUnquantizedBpuValue;

bool IsBorder(const ir::Node& node) {
  return node.op() == "QuantizeLinear" || node.op() == "DequantizeLinear";
}

// Where each node runs. Host nodes (the QuantizeLinear of a model input, the DequantizeLinear of
// a model output) are the runtime's conversions, in no segment.
enum class Where { kHost, kBpu, kCpu };

struct Placement {
  std::map<const ir::Node*, Where> where;
  std::vector<TensorDesc> inputs, outputs;
};

TensorDesc DescOf(const std::string& name, const ir::Value& value) {
  TensorDesc d;
  d.name = name;
  d.value = value.name();
  d.dtype = value.type().dtype;
  d.shape = value.type().shape;
  if (value.type().quant.has_value()) {
    d.scales = value.type().quant->scales;
    d.axis = value.type().quant->axis;
  }
  return d;
}

absl::StatusOr<Placement> Place(const ir::Graph& graph) {
  Placement p;
  for (const auto& node : graph.nodes()) {
    p.where[node.get()] = RunsOnCpu(*node) ? Where::kCpu : Where::kBpu;
  }
  for (const ir::Value* x : graph.inputs()) {
    const std::vector<ir::Node*> users = graph.Users(x);
    if (users.size() == 1 && users[0]->op() == "QuantizeLinear" && users[0]->input(0) == x) {
      p.where[users[0]] = Where::kHost;
      p.inputs.push_back(DescOf(x->name(), *users[0]->output(0)));
    } else {
      p.inputs.push_back(DescOf(x->name(), *x));
    }
  }
  for (const ir::Value* y : graph.outputs()) {
    const ir::Node* dq = y->producer();
    const ir::Node* from =
        dq != nullptr && dq->op() == "DequantizeLinear" && dq->input(0) != nullptr
            ? dq->input(0)->producer()
            : nullptr;
    if (from != nullptr && p.where.at(from) == Where::kBpu) {
      p.where[dq] = Where::kHost;
      p.outputs.push_back(DescOf(y->name(), *dq->input(0)));
    } else {
      p.outputs.push_back(DescOf(y->name(), *y));
    }
  }
  return p;
}

// Graph order, except that each kind keeps running while a node of it is ready: a ready node of
// the current kind goes first; when there is none, the other kind takes over.
std::vector<const ir::Node*> Schedule(const ir::Graph& graph, const Placement& p) {
  std::vector<const ir::Node*> nodes;
  std::map<const ir::Node*, int> pending;  // producers not scheduled yet
  for (const auto& node : graph.nodes()) {
    if (p.where.at(node.get()) == Where::kHost) continue;
    nodes.push_back(node.get());
  }
  std::set<const ir::Node*> in_set(nodes.begin(), nodes.end());
  for (const ir::Node* n : nodes) {
    std::set<const ir::Node*> producers;
    for (const ir::Value* v : n->inputs()) {
      if (v != nullptr && v->producer() != nullptr && in_set.count(v->producer())) {
        producers.insert(v->producer());
      }
    }
    pending[n] = static_cast<int>(producers.size());
  }
  std::vector<const ir::Node*> order;
  std::set<const ir::Node*> done;
  Where current = nodes.empty() ? Where::kBpu : p.where.at(nodes.front());
  while (order.size() < nodes.size()) {
    const ir::Node* pick = nullptr;
    for (int pass = 0; pass < 2 && pick == nullptr; ++pass) {
      for (const ir::Node* n : nodes) {
        if (done.count(n) || pending[n] != 0 || p.where.at(n) != current) continue;
        pick = n;
        break;
      }
      if (pick == nullptr) current = current == Where::kBpu ? Where::kCpu : Where::kBpu;
    }
    if (pick == nullptr) break;  // a cycle: the graph was verified, so not reached
    done.insert(pick);
    order.push_back(pick);
    std::set<const ir::Node*> users;
    for (const ir::Value* out : pick->outputs()) {
      for (ir::Node* u : graph.Users(out)) users.insert(u);
    }
    for (const ir::Node* u : users) {
      if (pending.count(u)) --pending[u];
    }
  }
  return order;
}

// Values a segment reads from outside it and values it computes that others read.
struct Borders {
  std::vector<const ir::Value*> inputs, outputs;
};

Borders BordersOf(const ir::Graph& graph, const std::vector<const ir::Node*>& nodes,
                  const std::set<std::string>& model_output_values) {
  Borders b;
  std::set<const ir::Node*> inside(nodes.begin(), nodes.end());
  std::set<const ir::Value*> seen;
  for (const ir::Node* n : nodes) {
    for (const ir::Value* v : n->inputs()) {
      if (v == nullptr || v->is_constant() || inside.count(v->producer())) continue;
      if (seen.insert(v).second) b.inputs.push_back(v);
    }
  }
  for (const ir::Node* n : nodes) {
    for (const ir::Value* v : n->outputs()) {
      bool read_outside = model_output_values.count(v->name()) > 0;
      for (const ir::Node* u : graph.Users(v)) read_outside |= !inside.count(u);
      if (read_outside) b.outputs.push_back(v);
    }
  }
  return b;
}

absl::StatusOr<ir::Value*> Constant(ir::Graph& g, const std::string& name, Tensor t) {
  return g.AddConstant(g.UniqueValueName(name), std::move(t));
}

// The border node of a BPU segment's subgraph: float `x` <-> quantized `q` (scales of q).
absl::Status AddBorderNode(ir::Graph& g, const std::string& op, ir::Value* in, ir::Value* out,
                           const ir::QuantInfo& q) {
  Tensor scale = q.axis < 0
                     ? Tensor::Scalar<float>(q.scales[0])
                     : Tensor::FromVector<float>({static_cast<int64_t>(q.scales.size())}, q.scales);
  OPENBPU_ASSIGN_OR_RETURN(ir::Value * s, Constant(g, "scale", std::move(scale)));
  Tensor zero(q.storage, q.axis < 0 ? Shape{} : Shape{static_cast<int64_t>(q.scales.size())});
  OPENBPU_ASSIGN_OR_RETURN(ir::Value * zp, Constant(g, "zero_point", std::move(zero)));
  ir::AttributeMap attrs;
  if (q.axis >= 0) attrs.Set("axis", static_cast<int64_t>(q.axis));
  return g
      .AddNode(g.UniqueNodeName(absl::StrCat(out->name(), "_", op)), op, {in, s, zp}, {out},
               std::move(attrs))
      .status();
}

// A BPU segment as a graph Compile takes: each input a float graph input quantized by a
// QuantizeLinear into the segment's value (bool / int64 inputs as they are), each output
// dequantized into a float graph output.
absl::StatusOr<std::unique_ptr<ir::Graph>> BpuSubgraph(const ir::Graph& graph,
                                                       const std::string& name,
                                                       const std::vector<const ir::Node*>& nodes,
                                                       const Borders& borders) {
  auto sub = std::make_unique<ir::Graph>(name);
  sub->set_march(graph.march());
  std::map<const ir::Value*, ir::Value*> map;
  auto value = [&](const ir::Value* v) -> absl::StatusOr<ir::Value*> {
    auto it = map.find(v);
    if (it != map.end()) return it->second;
    absl::StatusOr<ir::Value*> made =
        v->is_constant() ? sub->AddConstant(v->name(), v->constant()) : sub->AddValue(v->name());
    if (!made.ok()) return made.status();
    (*made)->set_type(v->type());
    map[v] = *made;
    return *made;
  };
  for (const ir::Value* v : borders.inputs) {
    OPENBPU_ASSIGN_OR_RETURN(ir::Value * q, value(v));
    if (IsUnquantizedBpuValue(*v) || !v->type().quant.has_value()) {
      sub->AddInput(q);
      continue;
    }
    OPENBPU_ASSIGN_OR_RETURN(ir::Value * f, sub->AddValue(absl::StrCat(v->name(), ":float")));
    f->set_type(ir::TensorType{DType::kFloat32, v->type().shape, std::nullopt});
    sub->AddInput(f);
    OPENBPU_RETURN_IF_ERROR(AddBorderNode(*sub, "QuantizeLinear", f, q, *v->type().quant));
  }
  for (const ir::Node* n : nodes) {
    std::vector<ir::Value*> ins, outs;
    for (const ir::Value* v : n->inputs()) {
      if (v == nullptr) {
        ins.push_back(nullptr);
        continue;
      }
      OPENBPU_ASSIGN_OR_RETURN(ir::Value * m, value(v));
      ins.push_back(m);
    }
    for (const ir::Value* v : n->outputs()) {
      OPENBPU_ASSIGN_OR_RETURN(ir::Value * m, value(v));
      outs.push_back(m);
    }
    OPENBPU_ASSIGN_OR_RETURN(ir::Node * copy,
                             sub->AddNode(n->name(), n->op(), ins, outs, n->attrs()));
    copy->mutable_qparams() = n->qparams();
  }
  for (const ir::Value* v : borders.outputs) {
    ir::Value* q = map.at(v);
    if (IsUnquantizedBpuValue(*v) || !v->type().quant.has_value()) {
      sub->AddOutput(q);
      continue;
    }
    OPENBPU_ASSIGN_OR_RETURN(ir::Value * f, sub->AddValue(absl::StrCat(v->name(), ":float")));
    f->set_type(ir::TensorType{DType::kFloat32, v->type().shape, std::nullopt});
    OPENBPU_RETURN_IF_ERROR(AddBorderNode(*sub, "DequantizeLinear", q, f, *v->type().quant));
    sub->AddOutput(f);
  }
  return sub;
}

absl::Status AddValueType(const ir::Value& v, hbm::CpuSegment& seg) {
  hbm::ValueType* t = seg.add_values();
  t->set_name(v.name());
  OPENBPU_ASSIGN_OR_RETURN(const hbm::TensorDesc::DType dtype, hbm::ToProtoDType(v.type().dtype));
  t->set_dtype(dtype);
  for (int64_t d : v.type().shape) t->add_shape(d);
  return absl::OkStatus();
}

absl::StatusOr<hbm::CpuSegment> CpuSegmentOf(const std::vector<const ir::Node*>& nodes,
                                             const Borders& borders) {
  hbm::CpuSegment seg;
  std::set<const ir::Value*> constants;
  for (const ir::Value* v : borders.inputs) {
    seg.add_inputs(v->name());
    OPENBPU_RETURN_IF_ERROR(AddValueType(*v, seg));
  }
  for (const ir::Node* n : nodes) {
    hbm::CpuNode* out = seg.add_nodes();
    out->set_name(n->name());
    out->set_op(n->op());
    for (const ir::Value* v : n->inputs()) {
      out->add_inputs(v == nullptr ? std::string() : v->name());
      if (v != nullptr && v->is_constant() && constants.insert(v).second) {
        OPENBPU_ASSIGN_OR_RETURN(*seg.add_constants(), hbm::ToConstant(v->name(), v->constant()));
      }
    }
    for (const ir::Value* v : n->outputs()) {
      out->add_outputs(v->name());
      OPENBPU_RETURN_IF_ERROR(AddValueType(*v, seg));
    }
    if (absl::Status st = hbm::ToAttributes(n->attrs(), out->mutable_attributes()); !st.ok()) {
      return ir::NodeError(*n, st);
    }
  }
  for (const ir::Value* v : borders.outputs) seg.add_outputs(v->name());
  return seg;
}

// Dense offsets in the model's own regions, 16-byte aligned like a program's.
uint64_t Lay(std::vector<TensorDesc>& descs, const std::string& layout) {
  uint64_t at = 0;
  for (TensorDesc& d : descs) {
    d.layout = layout;
    d.offset = at;
    d.bytes = static_cast<uint64_t>(NumElements(d.shape)) * DTypeSize(d.dtype);
    at += static_cast<uint64_t>(Align16(static_cast<int64_t>(d.bytes)));
  }
  return at;
}

}  // namespace

bool RunsOnCpu(const ir::Node& node) { return IsBorder(node) || !reference::RunsQuantized(node); }

bool NeedsHybrid(const ir::Graph& graph) {
  absl::StatusOr<Placement> p = Place(graph);
  if (!p.ok()) return false;
  for (const auto& [node, where] : p->where) {
    if (where == Where::kCpu) return true;
  }
  return false;
}

absl::StatusOr<HybridModel> CompileHybrid(const ir::Graph& graph, const CompileOptions& options) {
  return CompileHybrid(graph, options, [](const ir::Graph& segment, const CompileOptions& o) {
    return Compile(segment, o);
  });
}

absl::StatusOr<HybridModel> CompileHybrid(const ir::Graph& graph, const CompileOptions& options,
                                          const SegmentCompiler& compile_segment) {
  if (options.batch != 1) {
    // Images per run: the whole graph rebatched (CPU and BPU values alike), then split.
    OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> batched, Rebatch(graph, options.batch));
    CompileOptions one = options;
    one.batch = 1;
    return CompileHybrid(*batched, one, compile_segment);
  }
  if (graph.march().empty()) {
    return absl::InvalidArgumentError("the graph is not quantized for a march (bpu quantize)");
  }
  OPENBPU_ASSIGN_OR_RETURN(Placement placement, Place(graph));
  HybridModel model;
  model.inputs = placement.inputs;
  model.outputs = placement.outputs;
  model.input_bytes = Lay(model.inputs, options.input_layout);
  model.output_bytes = Lay(model.outputs, options.output_layout);
  std::set<std::string> output_values;
  for (const TensorDesc& d : model.outputs) output_values.insert(d.value);

  const std::vector<const ir::Node*> order = Schedule(graph, placement);
  std::vector<std::vector<const ir::Node*>> runs;
  Where last = Where::kHost;
  for (const ir::Node* n : order) {
    const Where w = placement.where.at(n);
    if (runs.empty() || w != last) runs.emplace_back();
    runs.back().push_back(n);
    last = w;
  }
  CompileOptions segment_options = options;
  segment_options.input_layout = "NHWC";
  segment_options.output_layout = "NHWC";
  segment_options.progress = nullptr;
  for (size_t i = 0; i < runs.size(); ++i) {
    HybridSegment seg;
    seg.bpu = placement.where.at(runs[i].front()) == Where::kBpu;
    seg.name = absl::StrCat(seg.bpu ? "bpu" : "cpu", i);
    for (const ir::Node* n : runs[i]) seg.nodes.push_back(n->name());
    (seg.bpu ? model.bpu_nodes : model.cpu_nodes) += static_cast<int>(runs[i].size());
    const Borders borders = BordersOf(graph, runs[i], output_values);
    if (seg.bpu) {
      OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> sub,
                               BpuSubgraph(graph, seg.name, runs[i], borders));
      absl::StatusOr<CompiledModel> compiled = compile_segment(*sub, segment_options);
      if (!compiled.ok()) {
        return absl::Status(compiled.status().code(), absl::StrCat("BPU segment ", seg.name, ": ",
                                                                   compiled.status().message()));
      }
      seg.model = *std::move(compiled);
    } else {
      OPENBPU_ASSIGN_OR_RETURN(seg.cpu, CpuSegmentOf(runs[i], borders));
    }
    if (options.progress != nullptr) {
      std::fprintf(options.progress, "compile: segment %s, %zu nodes (%s ... %s)\n",
                   seg.name.c_str(), seg.nodes.size(), seg.nodes.front().c_str(),
                   seg.nodes.back().c_str());
    }
    model.segments.push_back(std::move(seg));
  }
  return model;
}

absl::StatusOr<hbm::Model> ToHbmModel(const HybridModel& model, const std::string& name) {
  hbm::Model m;
  m.set_name(name);
  for (const TensorDesc& d : model.inputs) {
    OPENBPU_RETURN_IF_ERROR(DescribeTensor(d, m.add_inputs()));
  }
  for (const TensorDesc& d : model.outputs) {
    OPENBPU_RETURN_IF_ERROR(DescribeTensor(d, m.add_outputs()));
  }
  m.mutable_memory_plan()->set_input_bytes(model.input_bytes);
  m.mutable_memory_plan()->set_output_bytes(model.output_bytes);
  for (const HybridSegment& s : model.segments) {
    hbm::Segment* out = m.add_segments();
    out->set_name(s.name);
    if (s.bpu) {
      OPENBPU_ASSIGN_OR_RETURN(*out->mutable_bpu(), ToHbmModel(s.model, s.name));
    } else {
      *out->mutable_cpu() = s.cpu;
    }
  }
  return m;
}

}  // namespace openbpu::backend
