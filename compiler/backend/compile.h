// The back end's entry point: a quantized graph (the output of quantization::Convert) to one BPU
// program, with the descriptors of its inputs and outputs, its layer table and its DDR plan.
#ifndef OPENBPU_COMPILER_BACKEND_COMPILE_H_
#define OPENBPU_COMPILER_BACKEND_COMPILE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "compiler/backend/knobs.h"
#include "compiler/ir/graph.h"
#include "isa/program.h"

namespace openbpu::backend {

struct CompileOptions {
  std::string march = "bayes";
  // O0: one serial chain of instructions (units never overlap). O1: each instruction waits only
  // for the conflicting accesses of other units, and tiles are double-buffered, so loads,
  // compute and stores of neighbouring tiles overlap; every value in DDR. O2: O1 with layer
  // chains on chip (below) and operand pitches. The searches (O3, fast, ddr, balance) are not
  // back-end levels: compiler/tune compiles O2 with several `knobs` and picks one.
  std::string opt = "O0";
  // BPU cores the program runs on (ISA 1.2, at most the march's; O1 and up): each convolution
  // whose operands are in DDR has its output-channel groups, or its row tiles, split across the
  // cores, which share DDR; other layers, and those reading or writing values kept on chip (O2
  // chains live in core 0's feature SRAM), run on core 0.
  int core_num = 1;
  // Images per run (the server's batching): the graph's batch-1 inputs become [batch, ...].
  int batch = 1;
  // The byte order of the model inputs / outputs in DDR, what the application hands over and
  // gets back: "NHWC" (the BPU's own order, channel dimension last; no extra work) or "NCHW" (the
  // ONNX order: the program starts / ends with a DMA transpose of each rank >= 3 input / output
  // that has more than one channel and more than one pixel).
  // O2 only: keep values in the upper half of the feature SRAM instead of DDR when they fit
  // (layer chains on chip); each layer then tiles in the lower half.
  bool chains = true;
  // O2 chains: operands kept on chip are read and written in place through the ISA 1.1 operand
  // pitches (tae.pitch, vae.pitch, aae.pitch, vae.cfg dst_pitch). Off: through tiles and
  // aae.move copies, as ISA 1.0 must (for comparison: bpu compile --no-operand-pitches).
  bool operand_pitches = true;
  // O2's choices exposed for the search (compiler/backend/knobs.h); the defaults are O2's rules.
  CompileKnobs knobs;
  std::string input_layout = "NHWC";
  std::string output_layout = "NHWC";
  // Progress (`compile: [#####.....] 12/23 layers, <node>`, redrawn in place) goes here; null
  // for silence.
  std::FILE* progress = nullptr;
};

// A model input or output in the DDR input / output region: dense `layout` ("NHWC": the
// dimension after N moved last; "NCHW": row-major) of `dtype` (the quantized value's storage),
// `shape` the value's shape in the model's (ONNX) dimension order, quantized with `scales`.
struct TensorDesc {
  std::string name;   // the graph input / output name
  std::string value;  // the quantized value inside the graph
  DType dtype = DType::kInt8;
  Shape shape;
  std::string layout = "NHWC";
  std::vector<float> scales;
  int axis = -1;
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

struct LayerInfo {
  std::string name;  // the node name
  std::string op;
  int first_instruction = 0, last_instruction = 0;
};

struct BufferInfo {
  std::string value, region;
  uint64_t offset = 0, bytes = 0;
  int first_layer = 0, last_layer = 0;  // indices into CompiledModel::layers
};

struct CompiledModel {
  isa::Program program;
  std::vector<TensorDesc> inputs, outputs;
  std::vector<LayerInfo> layers;
  std::vector<BufferInfo> buffers;
  uint64_t scratch_peak_bytes = 0;
  uint64_t scratch_bytes_unplanned = 0;  // the sum of all scratch buffers (without reuse)
  // O2 chains: values kept in the feature SRAM, the peak of their pool and its size.
  int chained_values = 0;
  // Concat inputs written by their producers straight into the concat's output (no move).
  int concat_inputs_in_place = 0;
  // Output tiles a layer wrote straight into an on-chip value (ISA 1.1 vae.cfg dst_pitch) instead
  // of through a tile and an aae.move.
  int direct_writes = 0;
  // Operand tiles (convolution inputs, residuals) read in place from an on-chip value (ISA 1.1
  // tae.pitch / vae.pitch) instead of copied into a tile by an aae.move first.
  int in_place_reads = 0;
  uint64_t chain_peak_bytes = 0, chain_pool_bytes = 0;
  std::string chains_off;  // O2 without chains: why the chained compile failed
  // core_num > 1: layers split across the cores, and the xsync waits between cores.
  int split_layers = 0;
  int cross_core_syncs = 0;
};

// Errors name the node: an op the back end has no lowering for, a float node inside the model
// (hybrid models: compiler/backend/hybrid.h), a layer that cannot be tiled into the march's SRAMs.
absl::StatusOr<CompiledModel> Compile(const ir::Graph& graph, const CompileOptions& options);

// A copy of a quantized graph whose batch-1 values (every non-constant value with leading
// dimension 1) have leading dimension `batch`: what Compile runs for options.batch, and what the
// quantized reference runs to check it. InvalidArgument when a graph input's batch is not 1.
absl::StatusOr<std::unique_ptr<ir::Graph>> Rebatch(const ir::Graph& graph, int batch);

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_COMPILE_H_
