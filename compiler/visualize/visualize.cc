#include "compiler/visualize/visualize.h"

#include <graphviz/gvc.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/dtype.h"
#include "common/tensor.h"
#include "compiler/backend/hybrid.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"

namespace openbpu::visualize {
namespace {

constexpr absl::string_view kEllipsis = "...";

// The byte offset after `n` UTF-8 code points of `s` (s.size() when it has fewer).
size_t CodePointPrefix(absl::string_view s, int n) {
  size_t i = 0;
  for (int k = 0; k < n && i < s.size(); ++k) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

int CodePoints(absl::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string FormatScale(float s) { return absl::StrFormat("%.4g", s); }

// "s=0.0123" or "s=[0.01,0.02,0.03,...](64)".
std::string ScalesText(const std::vector<float>& scales) {
  if (scales.empty()) return "";
  if (scales.size() == 1) return absl::StrCat("s=", FormatScale(scales[0]));
  std::vector<std::string> shown;
  for (size_t i = 0; i < scales.size() && i < 3; ++i) shown.push_back(FormatScale(scales[i]));
  return absl::StrCat("s=[", absl::StrJoin(shown, ","), scales.size() > 3 ? ",...]" : "]", "(",
                      scales.size(), ")");
}

std::string TimeLine(const std::map<std::string, double>& layer_us, const std::string& name) {
  auto it = layer_us.find(name);
  if (it == layer_us.end()) return "";
  return absl::StrFormat("modeled %.2f us", it->second);
}

absl::string_view HbmDTypeName(hbm::TensorDesc::DType d) {
  switch (d) {
    case hbm::TensorDesc::INT8:
      return "int8";
    case hbm::TensorDesc::INT16:
      return "int16";
    case hbm::TensorDesc::INT32:
      return "int32";
    case hbm::TensorDesc::FLOAT32:
      return "float32";
    case hbm::TensorDesc::BOOL:
      return "bool";
    case hbm::TensorDesc::INT64:
      return "int64";
    case hbm::TensorDesc::UINT8:
      return "uint8";
    case hbm::TensorDesc::FLOAT64:
      return "float64";
    default:
      return "?";
  }
}

std::string ShapeText(const google::protobuf::RepeatedField<int64_t>& dims) {
  return absl::StrCat("[", absl::StrJoin(dims, ","), "]");
}

std::string DescLine(const hbm::TensorDesc& d) {
  std::string line = absl::StrCat(HbmDTypeName(d.dtype()), ShapeText(d.valid_shape()));
  if (d.quant_type() == hbm::TensorDesc::SCALE) {
    absl::StrAppend(&line, " ",
                    ScalesText(std::vector<float>(d.scales().begin(), d.scales().end())));
  }
  return line;
}

// Float graphs: as driver::Quantize with hybrid leaves them (compiler/driver/quantize.cc).
Placement PlaceByTable(const ir::Node& node, march::March march) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  const std::string table_op =
      schema == nullptr || schema->table_op.empty() ? node.op() : schema->table_op;
  if (table_op == "Gemm" || table_op == "FusedLinear") return Placement::kBpu;  // a 1x1 conv
  const march::OpTableEntry* row = march::FindPrimary(table_op);
  if (row != nullptr && row->For(march).supported == march::Supported::kNo) return Placement::kCpu;
  return Placement::kBpu;
}

void Count(VizGraph& g, Placement p) {
  if (p == Placement::kBpu) ++g.bpu_nodes;
  if (p == Placement::kCpu) ++g.cpu_nodes;
}

}  // namespace

absl::string_view PlacementName(Placement p) {
  switch (p) {
    case Placement::kBpu:
      return "BPU";
    case Placement::kCpu:
      return "CPU";
    case Placement::kUnplaced:
      return "unplaced";
  }
  return "?";
}

absl::string_view FillColor(Placement p) {
  switch (p) {
    case Placement::kBpu:
      return "#8fd19e";  // green
    case Placement::kCpu:
      return "#f4a261";  // orange
    case Placement::kUnplaced:
      return "#dddddd";
  }
  return "#ffffff";
}

std::string TruncateLine(absl::string_view s) {
  if (CodePoints(s) <= kMaxLineChars) return std::string(s);
  return absl::StrCat(s.substr(0, CodePointPrefix(s, kMaxLineChars - kEllipsis.size())), kEllipsis);
}

std::vector<std::string> BoundLabel(std::vector<std::string> lines) {
  if (lines.size() > static_cast<size_t>(kMaxLines)) {
    lines.resize(kMaxLines - 1);
    lines.push_back(std::string(kEllipsis));
  }
  for (std::string& line : lines) line = TruncateLine(line);
  return lines;
}

std::string TypeLine(const ir::TensorType& type) {
  if (!type.known()) return "?";
  if (!type.quant.has_value()) {
    return absl::StrCat(DTypeName(type.dtype), ShapeToString(type.shape));
  }
  return absl::StrCat(DTypeName(type.quant->storage), ShapeToString(type.shape), " ",
                      ScalesText(type.quant->scales));
}

absl::StatusOr<VizGraph> FromGraph(const ir::Graph& graph, const GraphOptions& options) {
  bool quantized = false;
  for (const auto& v : graph.values()) quantized = quantized || v->type().quant.has_value();
  std::optional<march::March> march_id;
  if (!options.march.empty()) {
    absl::StatusOr<march::March> m = march::ParseMarch(options.march);
    if (!m.ok()) return m.status();
    march_id = *m;
  }
  VizGraph out;
  out.name = graph.name();
  for (const auto& node : graph.nodes()) {
    VizNode v;
    v.id = node->name();
    if (quantized) {
      v.placement = backend::RunsOnCpu(*node) ? Placement::kCpu : Placement::kBpu;
    } else if (march_id.has_value()) {
      v.placement = PlaceByTable(*node, *march_id);
    }
    std::vector<std::string> lines = {node->name(),
                                      absl::StrCat(node->op(), "  ", PlacementName(v.placement))};
    for (const ir::Value* o : node->outputs()) lines.push_back(TypeLine(o->type()));
    if (std::string t = TimeLine(options.layer_us, node->name()); !t.empty()) {
      if (lines.size() >= static_cast<size_t>(kMaxLines)) lines.resize(kMaxLines - 1);
      lines.push_back(t);  // the time is never the line cut off
    }
    v.label = BoundLabel(std::move(lines));
    Count(out, v.placement);
    out.nodes.push_back(std::move(v));
    for (const ir::Value* in : node->inputs()) {
      if (in == nullptr || in->producer() == nullptr) continue;
      out.edges.push_back({in->producer()->name(), node->name(),
                           in->type().known() ? ShapeToString(in->type().shape) : ""});
    }
  }
  return out;
}

absl::StatusOr<VizGraph> FromHbmModel(const hbm::Model& model,
                                      const std::map<std::string, double>& layer_us) {
  VizGraph out;
  out.name = model.name();
  std::set<std::string> ids;
  std::map<std::string, std::string> producer;     // value -> node id
  std::map<std::string, std::string> value_shape;  // value -> "[1,64,56,56]"
  std::set<std::pair<std::string, std::string>> edge_set;
  std::set<std::string> reached;
  auto add_edge = [&](const std::string& from, const std::string& to, const std::string& label) {
    if (from == to || !edge_set.insert({from, to}).second) return;
    out.edges.push_back({from, to, label});
    reached.insert(to);
  };
  auto unique_id = [&](const std::string& name) {
    std::string id = name.empty() ? "node" : name;
    for (int k = 2; ids.count(id) > 0; ++k) id = absl::StrCat(name, "#", k);
    ids.insert(id);
    return id;
  };

  auto add_bpu = [&](const hbm::Model& seg, const std::string& seg_name) -> absl::Status {
    std::vector<std::string> layer_ids;
    for (const hbm::Layer& layer : seg.layers()) {
      VizNode v;
      v.id = unique_id(layer.name());
      v.placement = Placement::kBpu;
      std::vector<std::string> lines = {
          layer.name(), absl::StrCat(absl::StrJoin(layer.ops(), "+"), "  BPU",
                                     seg_name.empty() ? "" : absl::StrCat(" (", seg_name, ")"))};
      v.label = std::move(lines);
      layer_ids.push_back(v.id);
      Count(out, v.placement);
      out.nodes.push_back(std::move(v));
    }
    if (layer_ids.empty()) return absl::OkStatus();
    const size_t first_node = out.nodes.size() - layer_ids.size();
    auto layer_at = [&](uint32_t i) -> absl::StatusOr<std::string> {
      if (i >= layer_ids.size()) {
        return absl::InvalidArgumentError(absl::StrCat("model '", model.name(), "' segment '",
                                                       seg_name, "': memory plan names layer ", i,
                                                       " of ", layer_ids.size()));
      }
      return layer_ids[i];
    };
    // Segment outputs: their type on the producing layer's label.
    std::map<std::string, const hbm::TensorDesc*> outputs;
    for (const hbm::TensorDesc& d : seg.outputs()) {
      outputs[d.name()] = &d;
      if (!d.value().empty()) outputs[d.value()] = &d;
    }
    for (const hbm::Buffer& b : seg.memory_plan().buffers()) {
      if (b.region() == "param") continue;
      absl::StatusOr<std::string> first = layer_at(b.first_layer());
      absl::StatusOr<std::string> last = layer_at(b.last_layer());
      if (!first.ok()) return first.status();
      if (!last.ok()) return last.status();
      if (b.region() == "input") continue;  // edges from the segment inputs below
      producer[b.name()] = *first;
      // A value no layer reads is live to the segment's end: no edge to its last layer for an
      // output (a reader there, if any, is then joined by run order).
      const bool unread_output =
          b.region() == "output" && b.last_layer() + 1 == static_cast<uint32_t>(layer_ids.size());
      if (b.last_layer() > b.first_layer() && !unread_output) add_edge(*first, *last, "");
      if (auto it = outputs.find(b.name()); it != outputs.end()) {
        out.nodes[first_node + b.first_layer()].label.push_back(DescLine(*it->second));
        if (!it->second->value().empty()) producer[it->second->value()] = *first;
      }
    }
    for (const hbm::TensorDesc& d : seg.inputs()) {
      const std::string value = d.value().empty() ? d.name() : d.value();
      auto it = producer.find(value);
      if (it == producer.end()) continue;
      std::string to = layer_ids[0];
      for (const hbm::Buffer& b : seg.memory_plan().buffers()) {
        if (b.region() == "input" && (b.name() == d.name() || b.name() == value)) {
          to = layer_ids[b.first_layer()];
        }
      }
      add_edge(it->second, to, ShapeText(d.valid_shape()));
    }
    for (size_t i = 1; i < layer_ids.size(); ++i) {
      if (reached.count(layer_ids[i]) == 0 &&
          edge_set.insert({layer_ids[i - 1], layer_ids[i]}).second) {
        out.edges.push_back({layer_ids[i - 1], layer_ids[i], "", /*dashed=*/true});
      }
    }
    for (size_t i = 0; i < layer_ids.size(); ++i) {
      VizNode& v = out.nodes[first_node + i];
      if (std::string t = TimeLine(layer_us, seg.layers(i).name()); !t.empty()) {
        if (v.label.size() >= static_cast<size_t>(kMaxLines)) v.label.resize(kMaxLines - 1);
        v.label.push_back(t);
      }
      v.label = BoundLabel(std::move(v.label));
    }
    return absl::OkStatus();
  };

  auto add_cpu = [&](const hbm::CpuSegment& seg, const std::string& seg_name) {
    std::map<std::string, std::string> types;
    for (const hbm::ValueType& t : seg.values()) {
      types[t.name()] = absl::StrCat(HbmDTypeName(t.dtype()), ShapeText(t.shape()));
      value_shape[t.name()] = ShapeText(t.shape());
    }
    for (const hbm::CpuNode& node : seg.nodes()) {
      VizNode v;
      v.id = unique_id(node.name());
      v.placement = Placement::kCpu;
      std::vector<std::string> lines = {node.name(),
                                        absl::StrCat(node.op(), "  CPU (", seg_name, ")")};
      for (const std::string& o : node.outputs()) {
        auto it = types.find(o);
        lines.push_back(it == types.end() ? o : it->second);
      }
      v.label = BoundLabel(std::move(lines));
      for (const std::string& in : node.inputs()) {
        auto it = producer.find(in);
        if (it != producer.end()) add_edge(it->second, v.id, value_shape[in]);
      }
      for (const std::string& o : node.outputs()) producer[o] = v.id;
      Count(out, v.placement);
      out.nodes.push_back(std::move(v));
    }
  };

  if (model.segments().empty()) {
    if (absl::Status s = add_bpu(model, ""); !s.ok()) return s;
  } else {
    for (const hbm::Segment& seg : model.segments()) {
      if (seg.has_bpu()) {
        if (absl::Status s = add_bpu(seg.bpu(), seg.name()); !s.ok()) return s;
      } else {
        add_cpu(seg.cpu(), seg.name());
      }
    }
  }
  return out;
}

absl::StatusOr<std::string> FormatOf(absl::string_view path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  std::string ext =
      dot == absl::string_view::npos || (slash != absl::string_view::npos && dot < slash)
          ? ""
          : absl::AsciiStrToLower(path.substr(dot + 1));
  if (ext == "svg" || ext == "png" || ext == "pdf" || ext == "dot") return ext;
  return absl::InvalidArgumentError(absl::StrCat("'", path, "': unknown output format '", ext,
                                                 "' (the extension: .svg, .png, .pdf or .dot)"));
}

namespace {

// Graphviz's label escapes: a backslash is "\\"; "\l" ends a left-justified line.
std::string LabelText(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) {
    absl::StrAppend(&text, absl::StrReplaceAll(line, {{"\\", "\\\\"}}), "\\l");
  }
  return text;
}

char* C(const char* s) { return const_cast<char*>(s); }

struct GvcDeleter {
  void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphDeleter {
  void operator()(Agraph_t* g) const { agclose(g); }
};

}  // namespace

absl::StatusOr<std::string> RenderToString(const VizGraph& graph, absl::string_view format) {
  std::unique_ptr<GVC_t, GvcDeleter> gvc(gvContext());
  if (gvc == nullptr) return absl::InternalError("Graphviz: gvContext failed");
  std::unique_ptr<Agraph_t, GraphDeleter> g(
      agopen(C(graph.name.empty() ? "graph" : graph.name.c_str()), Agdirected, nullptr));
  if (g == nullptr) return absl::InternalError("Graphviz: agopen failed");
  agattr(g.get(), AGRAPH, C("rankdir"), C("TB"));
  agattr(g.get(), AGRAPH, C("nodesep"), C("0.25"));
  agattr(g.get(), AGRAPH, C("ranksep"), C("0.3"));
  agattr(g.get(), AGNODE, C("shape"), C("box"));
  agattr(g.get(), AGNODE, C("style"), C("filled,rounded"));
  agattr(g.get(), AGNODE, C("fontname"), C("Helvetica"));
  agattr(g.get(), AGNODE, C("fontsize"), C("10"));
  agattr(g.get(), AGNODE, C("fillcolor"), C(std::string(FillColor(Placement::kUnplaced)).c_str()));
  agattr(g.get(), AGNODE, C("label"), C("\\N"));
  agattr(g.get(), AGEDGE, C("fontname"), C("Helvetica"));
  agattr(g.get(), AGEDGE, C("fontsize"), C("8"));
  agattr(g.get(), AGEDGE, C("label"), C(""));
  agattr(g.get(), AGEDGE, C("style"), C("solid"));
  std::map<std::string, Agnode_t*> nodes;
  for (const VizNode& v : graph.nodes) {
    if (nodes.count(v.id) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("two graph nodes named '", v.id, "'"));
    }
    Agnode_t* n = agnode(g.get(), C(v.id.c_str()), 1);
    agset(n, C("label"), C(LabelText(v.label).c_str()));
    agset(n, C("fillcolor"), C(std::string(FillColor(v.placement)).c_str()));
    nodes[v.id] = n;
  }
  for (const VizEdge& e : graph.edges) {
    auto from = nodes.find(e.from), to = nodes.find(e.to);
    if (from == nodes.end() || to == nodes.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("edge '", e.from, "' -> '", e.to, "' names a node the graph lacks"));
    }
    Agedge_t* edge = agedge(g.get(), from->second, to->second, nullptr, 1);
    if (!e.label.empty()) agset(edge, C("label"), C(TruncateLine(e.label).c_str()));
    if (e.dashed) agset(edge, C("style"), C("dashed"));
  }
  if (gvLayout(gvc.get(), g.get(), "dot") != 0) {
    return absl::InternalError("Graphviz: the dot layout failed (is libgvc6's dot plugin there?)");
  }
  char* data = nullptr;
  unsigned int length = 0;
  const int rc = gvRenderData(gvc.get(), g.get(), std::string(format).c_str(), &data, &length);
  std::string bytes;
  if (rc == 0 && data != nullptr) bytes.assign(data, length);
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), g.get());
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("Graphviz: rendering ", format, " failed (no renderer plugin for it?)"));
  }
  return bytes;
}

absl::Status Render(const VizGraph& graph, const std::string& path) {
  absl::StatusOr<std::string> format = FormatOf(path);
  if (!format.ok()) return format.status();
  // Open first: an unwritable path fails before the layout work.
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write '", path, "'"));
  absl::StatusOr<std::string> bytes = RenderToString(graph, *format);
  if (!bytes.ok()) {
    out.close();
    std::remove(path.c_str());
    return absl::Status(bytes.status().code(), absl::StrCat(path, ": ", bytes.status().message()));
  }
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("cannot write '", path, "'"));
  return absl::OkStatus();
}

}  // namespace openbpu::visualize
