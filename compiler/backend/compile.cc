// Compile: place every quantized value in DDR (inputs and outputs in their regions, the rest in
// scratch by liveness), then run each node's lowering in graph order.
#include "compiler/backend/compile.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "compiler/backend/compile_internal.h"
#include "compiler/backend/cores.h"
#include "compiler/backend/emitter.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/ops/qparams.h"
#include "compiler/reference/quantized_interpreter.h"
#include "isa/march.h"
#include "isa/numerics/requantize.h"

namespace openbpu::backend {

using internal::CheckTableRow;
using internal::IsUnquantizedBpuValue;
using internal::LayoutMove;
using internal::NeedsTranspose;
using internal::Place;
using internal::ScratchAllocator;

// pool_shift > 0: on-chip chains in the top 1 / 2^pool_shift of the feature SRAM; 0: none.
absl::StatusOr<CompiledModel> CompileOnce(const ir::Graph& graph, const CompileOptions& options,
                                          int pool_shift);

absl::StatusOr<CompiledModel> Compile(const ir::Graph& graph, const CompileOptions& options) {
  if (options.batch == 1 && options.opt == "O2" && options.chains) {
    // A fixed pool share (the search's knob): exactly that, or its error.
    if (options.knobs.pool_shift >= 0) return CompileOnce(graph, options, options.knobs.pool_shift);
    // On-chip chains shrink every layer's share of the feature SRAM: half for the pool, or a
    // quarter or an eighth when a layer no longer tiles; a model they do not suit at all (a copy
    // aae.move cannot express) compiles without them.
    absl::Status last;
    for (int shift = 1; shift <= 3; ++shift) {
      absl::StatusOr<CompiledModel> chained = CompileOnce(graph, options, shift);
      if (chained.ok() || chained.status().code() == absl::StatusCode::kInvalidArgument) {
        return chained;
      }
      last = chained.status();
      if (last.code() != absl::StatusCode::kResourceExhausted) break;
    }
    absl::StatusOr<CompiledModel> plain = CompileOnce(graph, options, 0);
    if (plain.ok()) plain->chains_off = std::string(last.message());
    return plain;
  }
  return CompileOnce(graph, options, 0);
}

absl::StatusOr<CompiledModel> CompileOnce(const ir::Graph& graph, const CompileOptions& options,
                                          int pool_shift) {
  const bool chains = pool_shift > 0;
  if (options.batch != 1) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> batched = Rebatch(graph, options.batch);
    if (!batched.ok()) return batched.status();
    CompileOptions one = options;
    one.batch = 1;
    return Compile(**batched, one);
  }
  for (const std::string* layout : {&options.input_layout, &options.output_layout}) {
    if (*layout != "NHWC" && *layout != "NCHW") {
      return absl::InvalidArgumentError(
          absl::StrCat("layout '", *layout, "' is not supported (NHWC or NCHW)"));
    }
  }
  if (options.opt != "O0" && options.opt != "O1" && options.opt != "O2") {
    return absl::InvalidArgumentError(absl::StrCat(
        "opt level '", options.opt,
        "' is not a back-end level (O0, O1 or O2); O3, fast, ddr and balance are searches over "
        "O2's knobs (compiler/tune, bpu compile --opt)"));
  }
  if (absl::Status st = ValidateKnobs(options.knobs); !st.ok()) return st;
  absl::StatusOr<const isa::March*> march = isa::FindMarch(options.march);
  if (!march.ok()) return march.status();
  if (options.core_num < 1 || options.core_num > (*march)->cores.value || options.core_num > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--core-num ", options.core_num, ": ", options.march, " has ", (*march)->cores.value,
        " BPU core(s)", (*march)->cores.value > 2 ? " (the back end splits over at most 2)" : ""));
  }
  if (options.core_num > 1 && options.opt == "O0") {
    return absl::InvalidArgumentError(
        "--core-num 2 needs O1 or higher: O0 runs one serial chain of instructions");
  }
  if (graph.march().empty()) {
    return absl::InvalidArgumentError(
        "the graph is not quantized for a march: compile a graph converted by bpu quantize "
        "(or give bpu compile the ONNX model and calibration data)");
  }
  if (graph.march() != options.march) {
    return absl::InvalidArgumentError(
        absl::StrCat("the graph was quantized for ", graph.march(), ", not ", options.march,
                     ": the marches differ in dtypes and add formulas, so convert it again for ",
                     options.march));
  }

  // The BPU part: the nodes between the QuantizeLinear of each graph input and the
  // DequantizeLinear of each graph output.
  CompiledModel model;
  std::vector<const ir::Node*> bpu;
  std::map<const ir::Value*, const ir::Value*> alias_of;  // alias output -> its input
  std::set<const ir::Value*> model_inputs, model_outputs;
  const std::set<const ir::Value*> graph_inputs(graph.inputs().begin(), graph.inputs().end());
  const std::set<const ir::Value*> graph_outputs(graph.outputs().begin(), graph.outputs().end());
  // A view op whose output is a model output copies instead (the output region holds it).
  std::set<const ir::Value*> dequantized;
  for (const auto& node : graph.nodes()) {
    if (node->op() == "DequantizeLinear" && graph_outputs.count(node->output(0))) {
      dequantized.insert(node->input(0));
    }
  }
  auto is_alias = [&](const ir::Node& node) {
    return IsAliasOp(node) && !dequantized.count(node.output(0));
  };
  for (const auto& node : graph.nodes()) {
    if (node->op() == "QuantizeLinear" && graph_inputs.count(node->input(0))) {
      model_inputs.insert(node->output(0));
      model.inputs.push_back({node->input(0)->name(), node->output(0)->name()});
      continue;
    }
    if (node->op() == "DequantizeLinear" && graph_outputs.count(node->output(0))) {
      model_outputs.insert(node->input(0));
      model.outputs.push_back({node->output(0)->name(), node->input(0)->name()});
      continue;
    }
    if (!reference::RunsQuantized(*node)) {
      return ir::NodeError(absl::StatusCode::kUnimplemented, *node,
                           "runs in float (on the CPU): compile with --hybrid to split the "
                           "model into BPU and CPU segments (a hybrid model)");
    }
    if (absl::Status st = CheckTableRow(*node, options.march); !st.ok()) return st;
    // A bool or int64 graph input read by a BPU node (Gather's run-time indices) has no
    // QuantizeLinear: the value itself is the input.
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr && graph_inputs.count(in) && IsUnquantizedBpuValue(*in) &&
          model_inputs.insert(in).second) {
        model.inputs.push_back({in->name(), in->name()});
      }
    }
    // A bool or int64 index graph output has no DequantizeLinear: the value itself is the output.
    for (const ir::Value* out : node->outputs()) {
      if (out != nullptr && graph_outputs.count(out) && IsUnquantizedBpuValue(*out)) {
        model_outputs.insert(out);
        model.outputs.push_back({out->name(), out->name()});
      }
    }
    if (is_alias(*node)) {
      alias_of[node->output(0)] = node->input(0);
    } else if (LoweringRegistry::Global().Find(node->op()) == nullptr) {
      return ir::NodeError(absl::StatusCode::kUnimplemented, *node,
                           absl::StrCat("has no BPU lowering for ", options.march, " yet"));
    }
    bpu.push_back(node.get());
  }
  if (model.inputs.empty() || model.outputs.empty()) {
    return absl::InvalidArgumentError(
        "the graph has no quantized input or output: compile a converted graph (bpu quantize)");
  }
  // Outputs in the graph's output order (a TopK's int64 indices are listed at the TopK, its
  // values at their later DequantizeLinear).
  std::map<std::string, size_t> output_index;
  for (size_t i = 0; i < graph.outputs().size(); ++i) {
    output_index.emplace(graph.outputs()[i]->name(), i);
  }
  std::stable_sort(model.outputs.begin(), model.outputs.end(),
                   [&](const TensorDesc& a, const TensorDesc& b) {
                     return output_index[a.name] < output_index[b.name];
                   });
  auto root = [&](const ir::Value* v) {
    while (alias_of.count(v)) v = alias_of.at(v);
    return v;
  };

  // Liveness: the index of the node that defines and of the last node that reads each value.
  std::map<const ir::Value*, int> first_def, last_use;
  for (int i = 0; i < static_cast<int>(bpu.size()); ++i) {
    for (const ir::Value* in : bpu[i]->inputs()) {
      if (in != nullptr && !in->is_constant()) last_use[root(in)] = i;
    }
    for (const ir::Value* out : bpu[i]->outputs()) first_def.emplace(root(out), i);
  }
  std::map<const ir::Value*, Buffer> buffers;
  uint64_t input_bytes = 0, output_bytes = 0;
  // NCHW inputs / outputs whose bytes differ from NHWC: the value lives in scratch, and the
  // program moves it from / to its NCHW buffer in the input / output region.
  std::map<const ir::Value*, Buffer> nchw_in, nchw_out;
  ScratchAllocator scratch;
  for (TensorDesc& d : model.inputs) {
    const ir::Value* v = graph.FindValue(d.value);
    absl::StatusOr<Buffer> b = Place(*v);
    if (!b.ok()) return b.status();
    d.layout = options.input_layout;
    b->region = "input";
    b->offset = input_bytes;
    input_bytes += Align16(b->bytes());
    if (NeedsTranspose(v->type().shape, options.input_layout)) {
      nchw_in[v] = *b;
      b->region = "scratch";
      b->offset = scratch.Allocate(static_cast<uint64_t>(b->bytes()));
      model.scratch_bytes_unplanned += Align16(b->bytes());
    }
    buffers[v] = *b;
  }
  for (TensorDesc& d : model.outputs) {
    d.layout = options.output_layout;
    const ir::Value* v = root(graph.FindValue(d.value));
    if (buffers.count(v) || nchw_out.count(v)) continue;  // an input passed through
    absl::StatusOr<Buffer> b = Place(*v);
    if (!b.ok()) return b.status();
    b->region = "output";
    b->offset = output_bytes;
    output_bytes += Align16(b->bytes());
    if (NeedsTranspose(v->type().shape, options.output_layout)) {
      if (v != graph.FindValue(d.value)) {
        return absl::UnimplementedError(
            absl::StrCat("output '", d.name,
                         "' is a view of another value; NCHW outputs must be "
                         "computed values"));
      }
      nchw_out[v] = *b;  // placed in scratch like any value below
      continue;
    }
    buffers[v] = *b;
  }
  std::set<const ir::Value*> freed;
  // O2 chains: the lowerings get the lower part of the feature SRAM; values that fit stay in the
  // top 1 / 2^pool_shift (the pool, then Emitter::kChainConstantBytes of constant slots) instead
  // of DDR.
  isa::March lowered = **march;
  const int64_t feature = lowered.feature_sram_bytes.value;
  const int64_t pool_base = chains ? (feature - (feature >> pool_shift)) / 16 * 16 : feature;
  const int64_t pool_bytes = chains ? feature - pool_base - Emitter::kChainConstantBytes : 0;
  lowered.feature_sram_bytes.value = pool_base;
  ScratchAllocator pool;
  // Concats written in place: an input at the concat's scale and dtype (a requantize record of
  // exactly 1, e.g. after --unify-concat-scales), made by a lowering that writes channel slices
  // (a conv, a resize, a row elementwise op) and read otherwise only by lowerings that read them
  // (a conv, a row elementwise op: in place from the on-chip pool with the ISA 1.1 operand
  // pitches), is written by its producer straight into its channel slice of the concat's output,
  // and the concat does not move it. input value -> (concat output, first channel).
  std::map<const ir::Value*, std::pair<const ir::Value*, int64_t>> view_of;
  {
    std::map<const ir::Value*, std::vector<const ir::Node*>> readers;
    for (const ir::Node* node : bpu) {
      for (const ir::Value* in : node->inputs()) {
        if (in != nullptr) readers[root(in)].push_back(node);
      }
    }
    // Read once by the concat, and otherwise only by lowerings that read channel slices in place.
    auto slice_readers_only = [&](const ir::Value* in, const ir::Node* concat) {
      int by_concat = 0;
      for (const ir::Node* r : readers[in]) {
        if (r == concat) {
          ++by_concat;
        } else if (!internal::ReadsSliceViews(*r, in)) {
          return false;
        }
      }
      return by_concat == 1;
    };
    for (const ir::Node* node : bpu) {
      if (node->op() != "Concat" || is_alias(*node)) continue;
      const ir::Value* out = root(node->output(0));
      const Shape& os = out->type().shape;
      int64_t axis = node->attrs().GetInt("axis", 0);
      if (axis < 0) axis += static_cast<int64_t>(os.size());
      if (os.size() != 4 || axis != 1 || nchw_out.count(out) || !out->type().quant.has_value() ||
          !ops::qparams::Has<ops::qparams::InputRecords>(*node)) {
        continue;
      }
      absl::StatusOr<ops::qparams::InputRecords> records =
          ops::qparams::Load<ops::qparams::InputRecords>(*node);
      if (!records.ok() || records->records.size() != node->num_inputs()) continue;
      int64_t channel = 0;
      for (size_t i = 0; i < node->num_inputs(); ++i) {
        const ir::Value* in = node->input(i);
        const ir::Node* producer = in == nullptr ? nullptr : in->producer();
        const bool ok = producer != nullptr && !in->is_constant() && root(in) == in &&
                        !alias_of.count(in) && slice_readers_only(in, node) &&
                        !model_inputs.count(in) && !model_outputs.count(in) && !buffers.count(in) &&
                        in->type().quant.has_value() &&
                        in->type().quant->storage == out->type().quant->storage &&
                        records->records[i] == numerics::RequantizeRecord{1 << 30, 30} &&
                        internal::WritesSliceViews(*producer) &&
                        std::find(bpu.begin(), bpu.end(), producer) != bpu.end();
        if (ok) view_of[in] = {out, channel};
        channel += in == nullptr ? 0 : in->type().shape[1];
      }
    }
  }
  std::map<const ir::Value*, Buffer> views;
  // Several cores: the operands of the convolutions worth splitting stay in DDR (cores.h).
  std::set<const ir::Value*> no_chain;
  if (options.core_num > 1 && chains) {
    no_chain = ValuesKeptInDdrForSplits(**march, options.core_num, bpu, root);
    for (const auto& [in, slice] : view_of) {
      if (no_chain.count(root(in))) no_chain.insert(slice.first);
    }
  }
  // A value in the on-chip pool when it fits (O2 chains), else in scratch.
  auto allocate = [&](Buffer& b, bool may_chain) {
    // aae.move strides have 20 bits: a chained value's image (or row) stays below 2^19 elements.
    const int64_t stride = b.n > 1 ? b.h * b.w * b.c : b.w * b.c;
    const int64_t at =
        chains && may_chain && stride < (1 << 19)
            ? pool.TryAllocate(static_cast<uint64_t>(b.bytes()), static_cast<uint64_t>(pool_bytes))
            : -1;
    if (at >= 0) {
      b.region = "chain";
      b.offset = static_cast<uint64_t>(at);
      ++model.chained_values;
    } else {
      b.region = "scratch";
      b.offset = scratch.Allocate(static_cast<uint64_t>(b.bytes()));
      model.scratch_bytes_unplanned += Align16(b.bytes());
    }
  };
  for (int i = 0; i < static_cast<int>(bpu.size()); ++i) {
    for (const ir::Value* out : bpu[i]->outputs()) {
      const ir::Value* v = root(out);
      if (auto view = view_of.find(v); view != view_of.end()) {
        // Its concat's output is placed now (when the first slice is written).
        const ir::Value* whole = view->second.first;
        if (!buffers.count(whole)) {
          absl::StatusOr<Buffer> b = Place(*whole);
          if (!b.ok()) return ir::NodeError(*bpu[i], b.status());
          allocate(*b, /*may_chain=*/!no_chain.count(whole));
          buffers[whole] = *b;
        }
        Buffer slice = buffers.at(whole);
        slice.cs = slice.c;
        slice.c = v->type().shape[1];
        slice.offset += static_cast<uint64_t>(view->second.second * slice.esize());
        views[v] = slice;
        ++model.concat_inputs_in_place;
        continue;
      }
      if (buffers.count(v)) continue;
      absl::StatusOr<Buffer> b = Place(*v);
      if (!b.ok()) return ir::NodeError(*bpu[i], b.status());
      allocate(*b, !nchw_out.count(v) && !no_chain.count(v));
      buffers[v] = *b;
    }
    // Free what this node read last (after allocating its outputs: a node never writes over its
    // own inputs).
    for (const ir::Value* in : bpu[i]->inputs()) {
      if (in == nullptr || in->is_constant()) continue;
      const ir::Value* v = root(in);
      if (last_use[v] == i && buffers.count(v) && buffers[v].region != "input" &&
          buffers[v].region != "output" && !nchw_out.count(v) && freed.insert(v).second) {
        (buffers[v].region == "chain" ? pool : scratch).Free(buffers[v].offset);
      }
    }
  }
  model.scratch_peak_bytes = scratch.peak();
  model.chain_peak_bytes = pool.peak();
  model.chain_pool_bytes = static_cast<uint64_t>(pool_bytes);
  // Alias outputs share their root's bytes with their own shape.
  std::map<const ir::Value*, Buffer> all = buffers;
  all.insert(views.begin(), views.end());
  for (const auto& [out, in] : alias_of) {
    absl::StatusOr<Buffer> shaped = Place(*out);
    if (!shaped.ok()) return shaped.status();
    Buffer b = buffers.at(root(out));
    b.n = shaped->n, b.c = shaped->c, b.h = shaped->h, b.w = shaped->w;
    all[out] = b;
  }
  // In graph value order (the maps above are keyed by pointer, whose order differs per run).
  for (const auto& value : graph.values()) {
    const ir::Value* v = value.get();
    if (!buffers.count(v)) continue;
    const Buffer& b = buffers.at(v);
    // A chained value is in the feature SRAM (the memory plan's region "sram", by address).
    BufferInfo info{v->name(), b.region == "chain" ? "sram" : b.region,
                    b.offset + (b.region == "chain" ? static_cast<uint64_t>(pool_base) : 0),
                    static_cast<uint64_t>(b.bytes())};
    info.first_layer = first_def.count(v) ? first_def[v] : 0;
    info.last_layer = last_use.count(v) ? last_use[v] : static_cast<int>(bpu.size()) - 1;
    model.buffers.push_back(info);
  }
  auto describe = [&](TensorDesc& d) {
    const ir::Value* v = graph.FindValue(d.value);
    const Buffer& b = all.at(v);
    d.dtype = b.dtype;
    d.shape = v->type().shape;
    if (v->type().quant.has_value()) {  // bool / int64 index outputs carry no scales
      d.scales = v->type().quant->scales;
      d.axis = v->type().quant->axis;
    }
    const Buffer& at = nchw_in.count(v) ? nchw_in.at(v) : nchw_out.count(v) ? nchw_out.at(v) : b;
    d.offset = at.offset;
    d.bytes = static_cast<uint64_t>(at.bytes());
  };
  for (TensorDesc& d : model.inputs) describe(d);
  for (TensorDesc& d : model.outputs) describe(d);

  Emitter emit(lowered);
  emit.set_overlap(options.opt != "O0");  // O1, O2
  emit.set_cores(options.core_num);
  if (chains) emit.set_chain_pool(pool_base, pool_bytes);
  emit.set_operand_pitches(options.operand_pitches);
  LowerContext ctx(emit, all);
  ctx.set_knobs(options.knobs);
  for (const TensorDesc& d : model.inputs) {
    const ir::Value* v = graph.FindValue(d.value);
    if (!nchw_in.count(v)) continue;
    emit.BeginLayer(absl::StrCat("input layout ", d.name));
    if (absl::Status st = MoveElements(emit, nchw_in.at(v), all.at(v),
                                       LayoutMove(v->type().shape, /*to_nhwc=*/true), 0);
        !st.ok()) {
      return st;
    }
    model.layers.push_back(
        {absl::StrCat("input layout ", d.name), "LayoutNCHWToNHWC", emit.current_layer(), 0});
  }
  std::vector<int> layer_of(bpu.size(), 0);  // node index -> index in model.layers
  for (size_t i = 0; i < bpu.size(); ++i) {
    const ir::Node* node = bpu[i];
    if (options.progress != nullptr) {
      constexpr int kWidth = 30;
      const int done = static_cast<int>((i + 1) * kWidth / bpu.size());
      std::fprintf(options.progress, "\rcompile: [%s%s] %zu/%zu nodes, %-40.40s",
                   std::string(static_cast<size_t>(done), '#').c_str(),
                   std::string(static_cast<size_t>(kWidth - done), '.').c_str(), i + 1, bpu.size(),
                   node->name().c_str());
      if (i + 1 == bpu.size()) std::fputc('\n', options.progress);
      std::fflush(options.progress);
    }
    layer_of[i] = std::max(0, static_cast<int>(model.layers.size()) - (is_alias(*node) ? 1 : 0));
    if (is_alias(*node)) continue;
    emit.BeginLayer(node->name());
    if (absl::Status st = (*LoweringRegistry::Global().Find(node->op()))(*node, ctx); !st.ok()) {
      return absl::StrContains(st.message(), node->Describe()) ? st : ir::NodeError(*node, st);
    }
    model.layers.push_back({node->name(), node->op(), emit.current_layer(), 0});
  }
  for (const TensorDesc& d : model.outputs) {
    const ir::Value* v = graph.FindValue(d.value);
    if (!nchw_out.count(v)) continue;
    emit.BeginLayer(absl::StrCat("output layout ", d.name));
    if (absl::Status st = MoveElements(emit, all.at(v), nchw_out.at(v),
                                       LayoutMove(v->type().shape, /*to_nhwc=*/false), 0);
        !st.ok()) {
      return st;
    }
    model.layers.push_back(
        {absl::StrCat("output layout ", d.name), "LayoutNHWCToNCHW", emit.current_layer(), 0});
  }
  for (BufferInfo& b : model.buffers) {
    b.first_layer = layer_of[std::clamp<int>(b.first_layer, 0, static_cast<int>(bpu.size()) - 1)];
    b.last_layer = layer_of[std::clamp<int>(b.last_layer, 0, static_cast<int>(bpu.size()) - 1)];
  }
  model.direct_writes = emit.direct_writes();
  model.cross_core_syncs = emit.cross_core_syncs();
  model.split_layers = emit.split_layers();
  model.in_place_reads = emit.in_place_reads();
  absl::StatusOr<isa::Program> program =
      emit.Finish(std::max<uint64_t>(input_bytes, 16), std::max<uint64_t>(output_bytes, 16),
                  std::max<uint64_t>(scratch.peak(), 16));
  if (!program.ok()) return program.status();
  model.program = *std::move(program);
  // Layer ids were stored in first_instruction; now the final instruction ranges.
  const std::map<int, std::pair<int, int>> ranges = emit.LayerRanges();
  for (LayerInfo& l : model.layers) {
    const auto it = ranges.find(l.first_instruction);
    l.first_instruction = it == ranges.end() ? 0 : it->second.first;
    l.last_instruction = it == ranges.end() ? 0 : it->second.second;
  }
  return model;
}

}  // namespace openbpu::backend
