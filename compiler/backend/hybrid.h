// Hybrid BPU/CPU models (bpu compile --hybrid): a quantized graph whose float nodes (a node the
// march's BPU does not run, left in float by bpu quantize --hybrid or a hybrid_dict rule) run on
// the host CPU. The graph splits into segments in run order: BPU segments (each a subgraph
// compiled by Compile into a program of its own) and CPU segments (graph nodes the runtime runs
// with the float kernels of common/kernels: the float nodes and the QuantizeLinear /
// DequantizeLinear at their borders). Segments pass values by graph value name; the model's own
// inputs and outputs are quantized where the graph quantizes them at its borders (the runtime
// quantizes / dequantizes them on the host, as for a BPU-only model) and float otherwise.
#ifndef OPENBPU_COMPILER_BACKEND_HYBRID_H_
#define OPENBPU_COMPILER_BACKEND_HYBRID_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/backend/compile.h"
#include "compiler/ir/graph.h"
#include "proto/hbm.pb.h"

namespace openbpu::backend {

struct HybridSegment {
  std::string name;  // "bpu0", "cpu1", ...
  bool bpu = false;
  std::vector<std::string> nodes;  // the graph nodes it runs, in run order
  CompiledModel model;             // a BPU segment's program; descriptor values name graph values
  hbm::CpuSegment cpu;             // a CPU segment's nodes, constants and value types
};

struct HybridModel {
  // The model's own inputs and outputs, dense in their regions; `value` names the graph value
  // whose elements each holds (the QuantizeLinear output of a quantized input, the input itself
  // for a float one).
  std::vector<TensorDesc> inputs, outputs;
  uint64_t input_bytes = 0, output_bytes = 0;
  std::vector<HybridSegment> segments;
  int bpu_nodes = 0, cpu_nodes = 0;
};

// Whether `node` of a converted graph runs on the CPU in a hybrid model: a float node, or a
// QuantizeLinear / DequantizeLinear (except those at the model's inputs and outputs, which the
// runtime's host conversion does).
bool RunsOnCpu(const ir::Node& node);

// Whether the converted graph has nodes that run on the CPU (and so needs --hybrid).
bool NeedsHybrid(const ir::Graph& graph);

// Splits and compiles. Nodes are scheduled so that each kind runs as long as it can (fewer
// segments than the graph's own order gives). options.batch > 1 rebatches the whole graph first
// (Rebatch), so CPU segments run the batch too. Errors name the node: a quantized node the march
// does not run (quantize it with --hybrid, so it stays in float), a BPU segment that does not
// compile.
absl::StatusOr<HybridModel> CompileHybrid(const ir::Graph& graph, const CompileOptions& options);

// Compiles one BPU segment's subgraph: CompileHybrid above uses Compile; the searching opt levels
// (compiler/tune, which may use the simulator) pass their search, so each segment gets its own.
using SegmentCompiler = std::function<absl::StatusOr<CompiledModel>(const ir::Graph& segment,
                                                                    const CompileOptions& options)>;
absl::StatusOr<HybridModel> CompileHybrid(const ir::Graph& graph, const CompileOptions& options,
                                          const SegmentCompiler& compile_segment);

// The .hbm model of a hybrid model (proto/hbm.proto Model.segments).
absl::StatusOr<hbm::Model> ToHbmModel(const HybridModel& model, const std::string& name);

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_HYBRID_H_
