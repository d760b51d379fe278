// `bpu visualize`: a model's graph drawn with Graphviz (compiler/visualize). An ONNX model or a
// .hbir is drawn from its IR graph (placed by the march's op table, or as a hybrid model runs a
// converted graph); with --calib an ONNX model is quantized first (hybrid: what the march's BPU
// does not run stays in float, on the CPU); with --perf a converted graph is compiled in memory
// and run once on the timing simulator for each layer's modeled time. A compiled .hbm is drawn
// from its layer table and segments, with each layer's modeled time from one timing run.
#include "tools/visualize_command.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/backend/hybrid.h"
#include "compiler/driver/quantize.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/hbir.h"
#include "compiler/march/op_table.h"
#include "compiler/visualize/visualize.h"
#include "hbm/hbm.h"
#include "runtime/runtime.h"
#include "tools/file_io.h"

namespace openbpu::tools {
namespace {

struct VisualizeArgs {
  std::string model, out, march, calib, name, opt = "O2";
  std::vector<std::string> hybrid_nodes;
  bool perf = false;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

// One timing run of `model` on zero inputs: each layer's modeled time (microseconds, its span
// from first start to last end) by layer name.
absl::StatusOr<std::map<std::string, double>> LayerTimes(const runtime::Model& model) {
  std::vector<Tensor> inputs;
  for (const runtime::TensorInfo& in : model.inputs()) {
    const DType dtype =
        in.dtype == DType::kBool || in.dtype == DType::kInt64 ? in.dtype : DType::kFloat32;
    inputs.emplace_back(dtype, in.valid_shape);
  }
  runtime::RunStats stats;
  absl::StatusOr<std::vector<Tensor>> out = model.Run(inputs, {runtime::Backend::kTiming}, &stats);
  if (!out.ok()) return out.status();
  std::map<std::string, double> us;
  const double us_per_cycle = stats.cycles > 0 ? stats.latency_us / stats.cycles : 0;
  for (const runtime::LayerTime& l : stats.layers) {
    us[l.name] = static_cast<double>(l.end_cycle - l.start_cycle) * us_per_cycle;
  }
  std::printf("visualize: modeled latency %.1f us (%llu cycles, timing simulator)\n",
              stats.latency_us, static_cast<unsigned long long>(stats.cycles));
  return us;
}

absl::StatusOr<visualize::VizGraph> FromHbmFile(const VisualizeArgs& args) {
  absl::StatusOr<std::string> bytes = ReadFile(args.model);
  if (!bytes.ok()) return bytes.status();
  const absl::Span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes->data()),
                                       bytes->size());
  absl::StatusOr<hbm::Payload> payload = hbm::ReadHbm(span);
  if (!payload.ok()) {
    return absl::Status(payload.status().code(),
                        absl::StrCat(args.model, ": ", payload.status().message()));
  }
  const hbm::Model* model = payload->models_size() > 0 ? &payload->models(0) : nullptr;
  if (!args.name.empty()) {
    model = nullptr;
    for (const hbm::Model& m : payload->models()) model = m.name() == args.name ? &m : model;
  }
  if (model == nullptr) {
    return absl::NotFoundError(absl::StrCat(args.model, ": no model '", args.name, "'"));
  }
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadMemory(span);
  if (!pkg.ok()) return pkg.status();
  absl::StatusOr<const runtime::Model*> loaded = (*pkg)->GetModel(model->name());
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<std::map<std::string, double>> times = LayerTimes(**loaded);
  if (!times.ok()) return times.status();
  return visualize::FromHbmModel(*model, *times);
}

// A converted graph compiled in memory (hybrid when it needs it) and run once for layer times.
absl::StatusOr<std::map<std::string, double>> CompiledTimes(const ir::Graph& graph,
                                                            const VisualizeArgs& args) {
  backend::CompileOptions compile;
  compile.march = args.march;
  compile.opt = args.opt;
  absl::StatusOr<hbm::Payload> payload;
  const std::map<std::string, std::string> recorded = {{"march", args.march}, {"opt", args.opt}};
  if (backend::NeedsHybrid(graph)) {
    absl::StatusOr<backend::HybridModel> hybrid = backend::CompileHybrid(graph, compile);
    if (!hybrid.ok()) return hybrid.status();
    absl::StatusOr<hbm::Model> m = backend::ToHbmModel(*hybrid, "visualize");
    if (!m.ok()) return m.status();
    payload = backend::ToHbmPayload(*std::move(m), args.march, recorded);
  } else {
    absl::StatusOr<backend::CompiledModel> model = backend::Compile(graph, compile);
    if (!model.ok()) return model.status();
    payload = backend::ToHbmPayload(*model, "visualize", args.march, recorded);
  }
  if (!payload.ok()) return payload.status();
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*payload);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadMemory(*bytes);
  if (!pkg.ok()) return pkg.status();
  return LayerTimes(*(*pkg)->models()[0]);
}

absl::StatusOr<visualize::VizGraph> FromGraphFile(const VisualizeArgs& args) {
  const bool hbir = absl::EndsWith(args.model, ".hbir");
  std::unique_ptr<ir::Graph> graph;
  if (!args.calib.empty()) {
    if (hbir) return absl::InvalidArgumentError("--calib: a .hbir is quantized already");
    if (args.march.empty()) return absl::InvalidArgumentError("--calib needs --march");
    driver::QuantizeOptions q;
    q.model = args.model;
    q.calibration_data = args.calib;
    q.march = args.march;
    q.hybrid = true;
    q.hybrid_nodes = args.hybrid_nodes;
    absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
    if (!quantized.ok()) return quantized.status();
    graph = std::move(quantized->graph);
  } else {
    if (!args.hybrid_nodes.empty()) {
      return absl::InvalidArgumentError("--hybrid-nodes applies with --calib only");
    }
    absl::StatusOr<std::unique_ptr<ir::Graph>> loaded =
        hbir ? ir::LoadHbir(args.model) : frontend::ImportOnnxFile(args.model);
    if (!loaded.ok()) return loaded.status();
    graph = *std::move(loaded);
  }
  visualize::GraphOptions options;
  options.march = args.march;
  if (args.march.empty() && !graph->march().empty()) options.march = graph->march();
  if (args.perf) {
    bool quantized = false;
    for (const auto& v : graph->values()) quantized = quantized || v->type().quant.has_value();
    if (!quantized) {
      return absl::InvalidArgumentError(
          "--perf compiles a quantized graph: give a .q.hbir, or --march and --calib");
    }
    VisualizeArgs compile_args = args;
    compile_args.march = options.march;
    absl::StatusOr<std::map<std::string, double>> times = CompiledTimes(*graph, compile_args);
    if (!times.ok()) return times.status();
    options.layer_us = *std::move(times);
  }
  return visualize::FromGraph(*graph, options);
}

int Visualize(const VisualizeArgs& args) {
  // The output's format first: an unknown extension fails before any work.
  if (absl::StatusOr<std::string> format = visualize::FormatOf(args.out); !format.ok()) {
    return Fail(format.status());
  }
  const bool is_hbm = absl::EndsWith(args.model, ".hbm");
  if (!is_hbm && !absl::EndsWith(args.model, ".onnx") && !absl::EndsWith(args.model, ".hbir")) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("'", args.model, "': unknown model type (.onnx, .hbir or .hbm)")));
  }
  if (is_hbm && (!args.calib.empty() || args.perf || !args.hybrid_nodes.empty())) {
    return Fail(absl::InvalidArgumentError(
        "an .hbm is compiled already: drop --calib, --perf and --hybrid-nodes"));
  }
  absl::StatusOr<visualize::VizGraph> graph = is_hbm ? FromHbmFile(args) : FromGraphFile(args);
  if (!graph.ok()) return Fail(graph.status());
  if (absl::Status s = visualize::Render(*graph, args.out); !s.ok()) return Fail(s);
  std::printf("visualize: %zu nodes (%d BPU, %d CPU), %zu edges; wrote %s\n", graph->nodes.size(),
              graph->bpu_nodes, graph->cpu_nodes, graph->edges.size(), args.out.c_str());
  return 0;
}

}  // namespace

void AddVisualizeCommand(CLI::App& app, Command* command) {
  auto args = std::make_shared<VisualizeArgs>();
  CLI::App* sub = app.add_subcommand(
      "visualize",
      "draw a model's graph (Graphviz): nodes coloured BPU / CPU, labelled with op, "
      "types, scales and modeled times");
  sub->footer(
      "Green nodes run on the BPU, orange ones on the CPU, grey ones are unplaced (an ONNX\n"
      "model without --march). The format is the extension of OUT: .svg, .png, .pdf or .dot.\n"
      "docs/VISUALIZE.md.");
  sub->add_option("MODEL", args->model, "MODEL.onnx, MODEL.q.hbir or a compiled MODEL.hbm")
      ->required()
      ->type_name("");
  sub->add_option("-o", args->out, "the picture to write")->required()->type_name("OUT.svg|png");
  sub->add_option("--march", args->march,
                  "ONNX / .hbir: place nodes by this march's op table (a .hbir: its own march)")
      ->check(CLI::IsMember(march::Marches()))
      ->type_name("MARCH");
  sub->add_option("--calib", args->calib,
                  "ONNX: quantize first on this data (hybrid: what the BPU does not run stays "
                  "on the CPU), so labels show scales")
      ->type_name("DIR");
  sub->add_option("--hybrid-nodes", args->hybrid_nodes,
                  "with --calib: also leave these nodes in float, on the CPU")
      ->delimiter(',')
      ->type_name("NODES");
  sub->add_flag("--perf", args->perf,
                "a quantized graph: compile it in memory and label each node with its modeled "
                "time (one timing-simulator run)");
  sub->add_option("--opt", args->opt, "--perf: the opt level to compile at")
      ->check(CLI::IsMember({"O0", "O1", "O2"}))
      ->type_name("LEVEL")
      ->capture_default_str();
  sub->add_option("--model", args->name, ".hbm: the model of a packed file (default: the first)")
      ->type_name("NAME");
  sub->callback([=] { *command = [=] { return Visualize(*args); }; });
}

}  // namespace openbpu::tools
