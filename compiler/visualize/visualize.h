// Model graphs drawn with Graphviz used as a library (libgvc / libcgraph: gvContext, agopen,
// gvLayout, gvRender; never the `dot` program): `bpu visualize` (docs/VISUALIZE.md). One Graphviz
// node per graph node (a compiled model's: per layer of its BPU segments and per node of its CPU
// segments), filled by where it runs (BPU, CPU, or unplaced when no march says), labelled with
// its name, op, output types and scales and, for a compiled model, its modeled time; edges are
// tensors.
#ifndef OPENBPU_COMPILER_VISUALIZE_VISUALIZE_H_
#define OPENBPU_COMPILER_VISUALIZE_VISUALIZE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "compiler/ir/graph.h"
#include "proto/hbm.pb.h"

namespace openbpu::visualize {

// Label bounds: at most this many characters per line (longer lines end in "...") and this many
// lines (a longer label's last line is "...").
inline constexpr int kMaxLineChars = 60;
inline constexpr int kMaxLines = 6;

enum class Placement { kBpu, kCpu, kUnplaced };
absl::string_view PlacementName(Placement p);  // "BPU", "CPU", "unplaced"
// The fill colour of each placement ("#rrggbb"; docs/VISUALIZE.md).
absl::string_view FillColor(Placement p);

struct VizNode {
  std::string id;                  // unique: the graph node's (or layer's) name
  std::vector<std::string> label;  // lines, already bounded (BoundLabel)
  Placement placement = Placement::kUnplaced;
};

struct VizEdge {
  std::string from, to;  // node ids
  std::string label;     // the tensor's shape, or empty
  bool dashed = false;   // run order only (a compiled model's layers with no known tensor edge)
};

struct VizGraph {
  std::string name;
  std::vector<VizNode> nodes;
  std::vector<VizEdge> edges;
  int bpu_nodes = 0, cpu_nodes = 0;
};

// `s` cut to kMaxLineChars characters (UTF-8 code points), ending in "..." when cut.
std::string TruncateLine(absl::string_view s);
// Every line truncated; more than kMaxLines lines become kMaxLines - 1 and "...".
std::vector<std::string> BoundLabel(std::vector<std::string> lines);

// "int8[1,64,56,56] s=0.0123" (per-channel: "s=[0.01,0.02,...](64)"), a value's type as a label
// line (unbounded; BoundLabel cuts it).
std::string TypeLine(const ir::TensorType& type);

struct GraphOptions {
  // How nodes are placed. A converted graph (any value quantized) places its nodes as a hybrid
  // model would (backend::RunsOnCpu). A float graph with `march` set places them by the march's
  // op table, as bpu quantize --hybrid would leave them; without a march they are unplaced.
  std::string march;
  // Modeled microseconds per node name (a compiled model's per-layer times), shown in labels.
  std::map<std::string, double> layer_us;
};

// An IR graph (imported ONNX, a .hbir): one node per graph node, an edge per (tensor, consumer)
// whose tensor a node produces. An unknown march is InvalidArgument.
absl::StatusOr<VizGraph> FromGraph(const ir::Graph& graph, const GraphOptions& options = {});

// A compiled model (.hbm): one node per layer of each BPU segment (a BPU-only model: its layers)
// and per node of each CPU segment. Edges: CPU nodes' inputs and outputs and the segments'
// descriptor values by name, BPU values by the memory plan (producer layer -> last reader); a
// layer no tensor edge reaches is joined to the layer before it by a dashed run-order edge.
// `layer_us`: the modeled time per layer name (runtime RunStats, timing backend).
absl::StatusOr<VizGraph> FromHbmModel(const hbm::Model& model,
                                      const std::map<std::string, double>& layer_us = {});

// "svg", "png", "pdf" or "dot" from the file name's extension; anything else is InvalidArgument
// naming the supported ones.
absl::StatusOr<std::string> FormatOf(absl::string_view path);

// Lays the graph out (dot, top to bottom) and renders it to `path` in FormatOf(path). Errors:
// an unknown extension, an output path that cannot be written, a Graphviz failure — each an
// absl::Status naming the file.
absl::Status Render(const VizGraph& graph, const std::string& path);
// The same into memory.
absl::StatusOr<std::string> RenderToString(const VizGraph& graph, absl::string_view format);

}  // namespace openbpu::visualize

#endif  // OPENBPU_COMPILER_VISUALIZE_VISUALIZE_H_
