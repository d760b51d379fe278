// The `bpu` command line: a thin shell over the library calls. Today it covers what exists:
// import, inspect, export HBIR, run the float or quantized reference, quantize, per-layer
// similarity, and the instruction-set tools (asm, disas, sim; tools/sim_commands.cc).
// compile / check / perf / serve arrive with their issues.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/npy.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/backend/hybrid.h"
#include "compiler/driver/qconfig_file.h"
#include "compiler/driver/quantize.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qdq_import.h"
#include "compiler/quantization/similarity.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "compiler/tune/tune.h"
#include "hbm/hbm.h"
#include "runtime/runtime.h"
#include "runtime/server/serve_command.h"
#include "tools/check_command.h"
#include "tools/hbm_sim.h"
#include "tools/sim_commands.h"
#include "tools/visualize_command.h"

namespace openbpu {
namespace {

absl::StatusOr<std::unique_ptr<ir::Graph>> LoadModel(const std::string& path) {
  if (absl::EndsWith(path, ".hbir")) return ir::LoadHbir(path);
  return frontend::ImportOnnxFile(path);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

int Dump(const std::string& model) {
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadModel(model);
  if (!graph.ok()) return Fail(graph.status());
  std::fputs(ir::PrintGraph(**graph).c_str(), stdout);
  return 0;
}

struct ExportHbirArgs {
  std::string model, out;
};

int ExportHbir(const ExportHbirArgs& args) {
  const std::string &model = args.model, &out = args.out;
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadModel(model);
  if (!graph.ok()) return Fail(graph.status());
  if (absl::Status s = ir::SaveHbir(**graph, out); !s.ok()) return Fail(s);
  std::printf("wrote %s (%zu nodes, %zu values)\n", out.c_str(), (*graph)->nodes().size(),
              (*graph)->values().size());
  return 0;
}

void PrintSummary(const std::string& name, const Tensor& t) {
  std::printf("output %s: %s%s", name.c_str(), std::string(DTypeName(t.dtype())).c_str(),
              ShapeToString(t.shape()).c_str());
  if (t.dtype() != DType::kFloat32 || t.num_elements() == 0) {
    std::printf("\n");
    return;
  }
  const float* p = t.data<float>();
  double sum = 0, sq = 0;
  float lo = p[0], hi = p[0];
  int64_t argmax = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    sum += p[i];
    sq += double(p[i]) * p[i];
    lo = std::min(lo, p[i]);
    if (p[i] > hi) hi = p[i], argmax = i;
  }
  const double n = static_cast<double>(t.num_elements());
  const double mean = sum / n;
  std::printf(" min=%.6g max=%.6g mean=%.6g std=%.6g argmax=%lld\n", lo, hi, mean,
              std::sqrt(std::max(0.0, sq / n - mean * mean)), static_cast<long long>(argmax));
}

struct RunArgs {
  std::string model, out_prefix, expect;
  std::vector<std::string> inputs;
  std::string mode = "func", name;  // .hbm: the runtime's backend, the model of a packed file
  int threads = 1;                  // .hbm: host threads of the functional simulator
  bool check_hazards = false;       // .hbm, func: the hazard checker on
};

// The --input arrays, in order.
absl::StatusOr<std::vector<Tensor>> ReadInputs(const std::vector<std::string>& paths) {
  std::vector<Tensor> inputs;
  for (const std::string& path : paths) {
    absl::StatusOr<Tensor> t = ReadNpy(path);
    if (!t.ok()) return t.status();
    inputs.push_back(*std::move(t));
  }
  return inputs;
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Writes OUT_PREFIX<i>.npy with -o and compares output 0 with --expect.
int FinishRun(const RunArgs& args, const std::vector<Tensor>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!args.out_prefix.empty()) {
      const std::string path = absl::StrCat(args.out_prefix, i, ".npy");
      if (absl::Status s = WriteNpy(path, outputs[i]); !s.ok()) return Fail(s);
      std::printf("wrote %s\n", path.c_str());
    }
  }
  if (args.expect.empty()) return 0;
  if (outputs.empty()) return Fail(absl::InvalidArgumentError("--expect: the run has no outputs"));
  absl::StatusOr<Tensor> want = ReadNpy(args.expect);
  if (!want.ok()) return Fail(want.status());
  const Tensor& got = outputs[0];
  if (got.shape() != want->shape() || got.dtype() != want->dtype()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("output 0 is ", DTypeName(got.dtype()), ShapeToString(got.shape()),
                     ", expected ", DTypeName(want->dtype()), ShapeToString(want->shape()))));
  }
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    max_diff = std::max(max_diff, std::abs(got.GetAsDouble(i) - want->GetAsDouble(i)));
    max_ref = std::max(max_ref, std::abs(want->GetAsDouble(i)));
  }
  std::printf("compare with %s: max|diff|=%.3g max_rel_err=%.3g\n", args.expect.c_str(), max_diff,
              max_ref > 0 ? max_diff / max_ref : max_diff);
  return 0;
}

// A compiled .hbm through the runtime: float inputs quantized with the input scales, outputs
// dequantized, on the functional simulator (--mode func), the timing one (perf) or both.
int RunHbm(const RunArgs& args) {
  absl::StatusOr<runtime::Backend> backend = runtime::ParseBackend(args.mode);
  if (!backend.ok()) return Fail(backend.status());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(args.model);
  if (!pkg.ok()) return Fail(pkg.status());
  const double load_ms = MsSince(start);
  absl::StatusOr<const runtime::Model*> model =
      args.name.empty() ? (*pkg)->models()[0].get() : (*pkg)->GetModel(args.name);
  if (!model.ok()) return Fail(model.status());
  absl::StatusOr<std::vector<Tensor>> inputs = ReadInputs(args.inputs);
  if (!inputs.ok()) return Fail(inputs.status());
  runtime::RunStats stats;
  const auto run_start = std::chrono::steady_clock::now();
  runtime::RunOptions options;
  options.backend = *backend;
  options.threads = args.threads;
  options.check_hazards = args.check_hazards;
  absl::StatusOr<std::vector<Tensor>> outputs = (*model)->Run(*inputs, options, &stats);
  if (!outputs.ok()) return Fail(outputs.status());
  const double run_ms = MsSince(run_start);
  std::printf("runtime: %s (%s), march %s, backend %s, loaded in %.1f ms, ran in %.1f ms\n",
              (*model)->name().c_str(), args.model.c_str(), (*model)->march().c_str(),
              runtime::BackendName(*backend), load_ms, run_ms);
  if (*backend != runtime::Backend::kFunctional) std::fputs(stats.report.c_str(), stdout);
  for (size_t i = 0; i < outputs->size(); ++i) {
    PrintSummary((*model)->outputs()[i].name, (*outputs)[i]);
  }
  return FinishRun(args, *outputs);
}

int Run(const RunArgs& args) {
  if (absl::EndsWith(args.model, ".hbm")) return RunHbm(args);
  if (args.mode != "func" || !args.name.empty()) {
    return Fail(absl::InvalidArgumentError("--mode and --model apply to an .hbm only"));
  }
  const std::string& model = args.model;
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadModel(model);
  if (!graph.ok()) return Fail(graph.status());
  absl::StatusOr<std::vector<Tensor>> inputs = ReadInputs(args.inputs);
  if (!inputs.ok()) return Fail(inputs.status());
  // A quantized HBIR (bpu quantize) runs on the quantized reference.
  bool quantized = false;
  for (const auto& v : (*graph)->values()) quantized = quantized || v->type().quant.has_value();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<Tensor>> outputs =
      quantized ? reference::RunQuantized(**graph, *inputs) : reference::RunFloat(**graph, *inputs);
  if (!outputs.ok()) return Fail(outputs.status());
  const double ms = MsSince(start);
  std::printf("%s reference: %s, %zu nodes, %.1f ms\n", quantized ? "quantized" : "float",
              (*graph)->name().c_str(), (*graph)->nodes().size(), ms);
  for (size_t i = 0; i < outputs->size(); ++i) {
    PrintSummary((*graph)->outputs()[i]->name(), (*outputs)[i]);
  }
  return FinishRun(args, *outputs);
}

struct QuantizeArgs {
  std::string model, calib, march, out, qconfig;
  std::string dtype, observer;  // empty: the qconfig file's, else qint8 / mse
  std::vector<std::string> int16_ops, hybrid_ops, hybrid_nodes;
  bool unify_concat_scales = false, hybrid = false, bias_correction = false, equalize = false,
       select_observer = false, no_select_observer = false, adaround = false, no_adaround = false,
       no_unify_concat_scales = false, tune_scales = false, no_tune_scales = false,
       empirical_bias_correction = false, no_empirical_bias_correction = false,
       high_precision_output = false, no_high_precision_output = false;
  std::optional<uint64_t> adaround_seed;
  std::optional<float> fixed_input_scale;
};

// The driver's options: the defaults, then the --qconfig file, then the command line (scalars
// given override the file's, lists add to them).
absl::StatusOr<driver::QuantizeOptions> QuantizeOptionsOf(const QuantizeArgs& args) {
  driver::QuantizeOptions options;
  options.model = args.model;
  options.calibration_data = args.calib;
  options.march = args.march;
  if (!args.qconfig.empty()) {
    if (absl::Status st = driver::ApplyQConfigFile(args.qconfig, options); !st.ok()) return st;
  }
  if (!args.dtype.empty()) options.dtype = args.dtype;
  if (!args.observer.empty()) options.observer = args.observer;
  options.int16_ops.insert(options.int16_ops.end(), args.int16_ops.begin(), args.int16_ops.end());
  if (args.unify_concat_scales) options.unify_concat_scales = true;
  if (args.no_unify_concat_scales) options.unify_concat_scales = false;
  if (args.tune_scales) options.tune_scales = true;
  if (args.no_tune_scales) options.tune_scales = false;
  options.bias_correction |= args.bias_correction;
  if (args.empirical_bias_correction) options.empirical_bias_correction = true;
  if (args.no_empirical_bias_correction) options.empirical_bias_correction = false;
  if (args.high_precision_output) options.high_precision_output = true;
  if (args.no_high_precision_output) options.high_precision_output = false;
  options.equalize |= args.equalize;
  if (args.select_observer) options.select_observer = true;
  if (args.no_select_observer) options.select_observer = false;
  if (args.adaround) options.adaround = true;
  if (args.no_adaround) options.adaround = false;
  if (args.adaround_seed.has_value()) options.adaround_seed = *args.adaround_seed;
  options.fixed_input_scale = args.fixed_input_scale;
  options.hybrid |= args.hybrid;
  options.hybrid_ops.insert(options.hybrid_ops.end(), args.hybrid_ops.begin(),
                            args.hybrid_ops.end());
  options.hybrid_nodes.insert(options.hybrid_nodes.end(), args.hybrid_nodes.begin(),
                              args.hybrid_nodes.end());
  return options;
}

int Quantize(const QuantizeArgs& args) {
  absl::StatusOr<driver::QuantizeOptions> q = QuantizeOptionsOf(args);
  if (!q.ok()) return Fail(q.status());
  const driver::QuantizeOptions& options = *q;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(options);
  if (!quantized.ok()) return Fail(quantized.status());
  for (const std::string& r : quantized->rewrites) std::printf("rewrite: %s\n", r.c_str());
  std::printf("%s\n", quantized->report.ToString().c_str());
  if (absl::Status s = ir::SaveHbir(*quantized->graph, args.out); !s.ok()) return Fail(s);
  std::printf("wrote %s\n", args.out.c_str());
  return 0;
}

struct CompileArgs {
  QuantizeArgs quantize;
  std::string opt = "O0", name, input_layout = "NHWC", output_layout = "NHWC";
  int batch = 1, jobs = 1, core_num = 1;
  int balance_factor = 50;  // --opt balance: 100 = pure latency, 0 = pure DDR bytes
  bool no_operand_pitches = false;
};

// Validates and writes `payload` to `path`; returns the bytes written.
absl::StatusOr<size_t> WritePayload(const hbm::Payload& payload, const std::string& path) {
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(payload);
  if (!bytes.ok()) return bytes.status();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes->data(), 1, bytes->size(), f) != bytes->size()) {
    if (f != nullptr) std::fclose(f);
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  std::fclose(f);
  return bytes->size();
}

// A graph with float nodes as a hybrid model: BPU and CPU segments in one .hbm model. The
// searching levels search each BPU segment on its own.
int CompileHybrid(const ir::Graph& graph, const backend::CompileOptions& compile,
                  const std::string& name, std::map<std::string, std::string> recorded,
                  const CompileArgs& args) {
  absl::StatusOr<backend::HybridModel> model;
  if (tune::IsSearchLevel(args.opt)) {
    tune::SearchOptions s;
    s.level = args.opt;
    s.balance_factor = args.balance_factor;
    s.jobs = args.jobs;
    s.progress = stderr;
    absl::StatusOr<tune::HybridSearchResult> found = tune::SearchHybrid(graph, compile, s);
    if (!found.ok()) return Fail(found.status());
    std::vector<std::string> knobs;
    uint64_t cycles = 0, ddr_bytes = 0;
    for (const auto& [segment, r] : found->segments) {
      std::printf(
          "compile: search (%s), segment %s: chose candidate %d/%d (%s): %llu cycles, %llu "
          "DDR bytes (modeled)\n",
          args.opt.c_str(), segment.c_str(), r.chosen + 1, r.count, r.label.c_str(),
          static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(r.ddr_bytes));
      knobs.push_back(absl::StrCat(segment, ": ", backend::KnobsString(r.knobs)));
      cycles += r.cycles;
      ddr_bytes += r.ddr_bytes;
    }
    recorded["knobs"] = absl::StrJoin(knobs, "; ");
    recorded["search_cycles"] = absl::StrCat(cycles);  // the BPU segments' sum
    recorded["search_ddr_bytes"] = absl::StrCat(ddr_bytes);
    model = std::move(found->model);
  } else {
    model = backend::CompileHybrid(graph, compile);
    if (!model.ok()) return Fail(model.status());
  }
  absl::StatusOr<hbm::Model> m = backend::ToHbmModel(*model, name);
  if (!m.ok()) return Fail(m.status());
  absl::StatusOr<hbm::Payload> payload =
      backend::ToHbmPayload(*std::move(m), args.quantize.march, recorded);
  if (!payload.ok()) return Fail(payload.status());
  absl::StatusOr<size_t> bytes = WritePayload(*payload, args.quantize.out);
  if (!bytes.ok()) return Fail(bytes.status());
  int bpu = 0, cpu = 0;
  for (const backend::HybridSegment& s : model->segments) (s.bpu ? bpu : cpu) += 1;
  std::printf(
      "compile: hybrid model: %zu segments (%d BPU, %d CPU), %d nodes on the BPU, %d on the "
      "CPU\n",
      model->segments.size(), bpu, cpu, model->bpu_nodes, model->cpu_nodes);
  for (const backend::HybridSegment& s : model->segments) {
    if (s.bpu) {
      std::printf("  %s: BPU, %zu nodes, %zu layers, %zu instructions\n", s.name.c_str(),
                  s.nodes.size(), s.model.layers.size(), s.model.program.instructions.size());
    } else {
      std::printf("  %s: CPU, %zu nodes (%s)\n", s.name.c_str(), s.nodes.size(),
                  absl::StrJoin(s.nodes, ", ").c_str());
    }
  }
  std::printf("wrote %s (%zu bytes, model '%s', %s, %s, hybrid)\n", args.quantize.out.c_str(),
              *bytes, name.c_str(), args.quantize.march.c_str(), args.opt.c_str());
  return 0;
}

// Quantize (the driver) then compile (compiler/backend) into one .hbm model.
int Compile(const CompileArgs& args) {
  if (absl::Status st = tune::ValidateLevel(args.opt, args.balance_factor); !st.ok()) {
    return Fail(st);
  }
  const bool search = tune::IsSearchLevel(args.opt);
  absl::StatusOr<driver::QuantizeOptions> q = QuantizeOptionsOf(args.quantize);
  if (!q.ok()) return Fail(q.status());
  driver::QuantizeOptions options = *std::move(q);
  options.jobs = args.jobs;
  std::unique_ptr<ir::Graph> graph;
  if (absl::EndsWith(args.quantize.model, ".hbir")) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> loaded = ir::LoadHbir(args.quantize.model);
    if (!loaded.ok()) return Fail(loaded.status());
    graph = *std::move(loaded);
  } else {
    absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(options);
    if (!quantized.ok()) return Fail(quantized.status());
    for (const std::string& r : quantized->rewrites) std::printf("rewrite: %s\n", r.c_str());
    std::printf("%s\n", quantized->report.ToString().c_str());
    graph = std::move(quantized->graph);
  }
  backend::CompileOptions compile;
  compile.march = args.quantize.march;
  compile.opt = search ? "O2" : args.opt;  // the searches start from O2's options
  compile.batch = args.batch;
  compile.core_num = args.core_num;
  compile.input_layout = args.input_layout;
  compile.output_layout = args.output_layout;
  compile.operand_pitches = !args.no_operand_pitches;
  compile.progress = stderr;
  std::string name = args.name;
  if (name.empty()) {
    name = args.quantize.model.substr(args.quantize.model.find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
  }
  std::map<std::string, std::string> recorded = {{"march", args.quantize.march},
                                                 {"opt", args.opt},
                                                 {"dtype", options.dtype},
                                                 {"observer", options.observer},
                                                 {"batch", absl::StrCat(args.batch)},
                                                 {"core_num", absl::StrCat(args.core_num)},
                                                 {"input_layout", args.input_layout},
                                                 {"output_layout", args.output_layout}};
  if (args.opt == "balance") recorded["balance_factor"] = absl::StrCat(args.balance_factor);
  if (options.hybrid || !options.hybrid_ops.empty() || !options.hybrid_nodes.empty()) {
    recorded["hybrid"] = "true";
    if (backend::NeedsHybrid(*graph)) return CompileHybrid(*graph, compile, name, recorded, args);
    std::printf("compile: --hybrid: every node runs on the BPU (a BPU-only model)\n");
  }
  absl::StatusOr<backend::CompiledModel> model;
  if (search) {
    tune::SearchOptions s;
    s.level = args.opt;
    s.balance_factor = args.balance_factor;
    s.jobs = args.jobs;
    s.progress = stderr;
    compile.progress = nullptr;
    absl::StatusOr<tune::SearchResult> found = tune::Search(*graph, compile, s);
    if (!found.ok()) return Fail(found.status());
    std::printf(
        "compile: search (%s): chose candidate %d/%d (%s): %llu cycles, %llu DDR bytes "
        "(modeled)\n",
        args.opt.c_str(), found->chosen + 1, found->count, found->label.c_str(),
        static_cast<unsigned long long>(found->cycles),
        static_cast<unsigned long long>(found->ddr_bytes));
    recorded["search_candidate"] =
        absl::StrCat(found->chosen + 1, "/", found->count, " ", found->label);
    recorded["knobs"] = backend::KnobsString(found->knobs);
    recorded["search_cycles"] = absl::StrCat(found->cycles);
    recorded["search_ddr_bytes"] = absl::StrCat(found->ddr_bytes);
    model = std::move(found->model);
  } else {
    model = backend::Compile(*graph, compile);
    if (!model.ok()) return Fail(model.status());
  }
  absl::StatusOr<hbm::Payload> payload =
      backend::ToHbmPayload(*model, name, args.quantize.march, recorded);
  if (!payload.ok()) return Fail(payload.status());
  absl::StatusOr<size_t> bytes = WritePayload(*payload, args.quantize.out);
  if (!bytes.ok()) return Fail(bytes.status());
  if (model->chained_values > 0) {
    std::printf("compile: %d values kept on chip (peak %llu of a %llu-byte feature SRAM pool)\n",
                model->chained_values, static_cast<unsigned long long>(model->chain_peak_bytes),
                static_cast<unsigned long long>(model->chain_pool_bytes));
  }
  if (model->direct_writes > 0) {
    std::printf(
        "compile: %d output tiles written straight into on-chip values (vae.cfg dst_pitch, "
        "aae.pitch)\n",
        model->direct_writes);
  }
  if (model->in_place_reads > 0) {
    std::printf(
        "compile: %d operand tiles read in place from on-chip values (tae.pitch, vae.pitch, "
        "aae.pitch)\n",
        model->in_place_reads);
  }
  if (model->concat_inputs_in_place > 0) {
    std::printf("compile: %d concat inputs written in place by their producers (no move)\n",
                model->concat_inputs_in_place);
  }
  if (model->program.cores > 1) {
    std::printf("compile: %d cores: %d layers split across them, %d cross-core waits (xsync)\n",
                model->program.cores, model->split_layers, model->cross_core_syncs);
  }
  if (!model->chains_off.empty()) {
    std::printf("compile: layer chains off (every value in DDR): %s\n", model->chains_off.c_str());
  }
  std::printf(
      "compile: %zu layers, %zu instructions, %zu parameter bytes; DDR input %llu, output %llu, "
      "scratch %llu bytes (%llu without reuse)\nwrote %s (%zu bytes, model '%s', %s, %s)\n",
      model->layers.size(), model->program.instructions.size(), model->program.params.size(),
      static_cast<unsigned long long>(model->program.ddr_input_bytes),
      static_cast<unsigned long long>(model->program.ddr_output_bytes),
      static_cast<unsigned long long>(model->program.ddr_scratch_bytes),
      static_cast<unsigned long long>(model->scratch_bytes_unplanned), args.quantize.out.c_str(),
      *bytes, name.c_str(), args.quantize.march.c_str(), args.opt.c_str());
  return 0;
}

struct SimilarityArgs {
  std::string float_model, quantized_model, inputs;
};

int Similarity(const SimilarityArgs& args) {
  const std::string& inputs = args.inputs;
  absl::StatusOr<quantization::QdqImport> float_model =
      quantization::ImportQdqOnnxFile(args.float_model);
  if (!float_model.ok()) return Fail(float_model.status());
  absl::StatusOr<std::unique_ptr<ir::Graph>> quantized = ir::LoadHbir(args.quantized_model);
  if (!quantized.ok()) return Fail(quantized.status());
  absl::StatusOr<quantization::Dataset> data =
      quantization::LoadDataset(inputs, *float_model->graph);
  if (!data.ok()) return Fail(data.status());
  absl::StatusOr<quantization::SimilarityReport> report =
      quantization::CompareLayers(*float_model->graph, **quantized, *data);
  if (!report.ok()) return Fail(report.status());
  std::printf("similarity over %d samples\n%s", report->samples, report->ToString().c_str());
  return 0;
}

int Ops() {
  for (const std::string& name : ir::OpRegistry::Global().Names())
    std::printf("%s\n", name.c_str());
  return 0;
}

// The quantization flags bpu quantize and bpu compile share (QuantizeOptionsOf reads them).
void AddQuantizeFlags(CLI::App* sub, QuantizeArgs* q) {
  sub->add_option("--dtype", q->dtype, "the activation dtype (default: qint8)")
      ->check(CLI::IsMember({"qint8", "qint16"}))
      ->type_name("DTYPE");
  sub->add_option("--observer", q->observer, "the activation observer (default: mse)")
      ->check(CLI::IsMember({"percentile", "minmax", "mse", "kl"}))
      ->type_name("OBSERVER");
  sub->add_option(
         "--qconfig", q->qconfig,
         "a qconfig file (JSON: dtype, observer, int16_ops, unify_concat_scales, "
         "hybrid, hybrid_dict {op_types, node_names}, bias_correction, equalize, "
         "select_observer, adaround, adaround_seed, tune_scales, empirical_bias_correction, "
         "high_precision_output); the flags add to it")
      ->check(CLI::ExistingFile)
      ->type_name("FILE.json");
  sub->add_option("--int16-ops", q->int16_ops,
                  "op types quantized to qint16 whatever --dtype says (mixed precision), e.g. "
                  "Softmax,LayerNormalization,Erf for a transformer on bayes")
      ->delimiter(',')
      ->type_name("OPS");
  CLI::Option* unify = sub->add_flag(
      "--unify-concat-scales", q->unify_concat_scales,
      "give each concat's inputs and output one scale (the widest of the group), so the concat "
      "only moves integers (default: on)");
  sub->add_flag("--no-unify-concat-scales", q->no_unify_concat_scales,
                "each concat input keeps its own scale and is requantized to the output's")
      ->excludes(unify);
  sub->add_flag("--equalize", q->equalize,
                "cross-layer equalization: rescale the channels of each Conv -> Relu -> Conv "
                "pair (the float outputs are unchanged) so their ranges match");
  CLI::Option* select = sub->add_flag(
      "--select-observer", q->select_observer,
      "choose each activation's method (minmax, percentile, mse, kl) by its consumers' "
      "quantized output error on calibration samples; --observer breaks ties (default: on, "
      "but for --observer minmax)");
  sub->add_flag("--no-select-observer", q->no_select_observer,
                "every activation takes --observer's scale")
      ->excludes(select);
  CLI::Option* tune = sub->add_flag(
      "--tune-scales", q->tune_scales,
      "with --select-observer: choose among whole-model scale assignments (the least error per "
      "layer, wider ones, each method everywhere) by the fake-quantized model's output on "
      "calibration samples (default: off)");
  sub->add_flag("--no-tune-scales", q->no_tune_scales, "keep the per-layer selection as it is")
      ->excludes(tune);
  CLI::Option* adaround = sub->add_flag(
      "--adaround", q->adaround,
      "learned rounding: round each convolution weight up or down to keep the layer's output "
      "on the calibration data (AdaRound's objective); deterministic per seed (default: on)");
  sub->add_flag("--no-adaround", q->no_adaround, "round every weight to nearest")
      ->excludes(adaround);
  sub->add_option("--adaround-seed", q->adaround_seed,
                  "the seed that picks the calibration positions --adaround learns on (default 0)")
      ->type_name("N");
  sub->add_flag("--bias-correction", q->bias_correction,
                "shift each convolution's bias by the mean output error its weight rounding "
                "introduces, measured on the calibration data (instead of the empirical "
                "correction)");
  CLI::Option* ebc = sub->add_flag(
      "--empirical-bias-correction", q->empirical_bias_correction,
      "shift each convolution's bias by the mean difference between the fake-quantized and the "
      "float model's output there, layer after layer over the calibration data (removes the "
      "shift clipping and noise through ReLUs carry forward; default: on, unless "
      "--bias-correction)");
  sub->add_flag("--no-empirical-bias-correction", q->no_empirical_bias_correction,
                "leave the biases as they are")
      ->excludes(ebc);
  CLI::Option* hpo = sub->add_flag(
      "--high-precision-output", q->high_precision_output,
      "the vendor's high-precision output (get_default_qat_out_qconfig): a conv or linear "
      "layer whose output is a model output keeps its raw int32 accumulator, dequantized per "
      "channel, with no int8 rounding or clipping (default: on where the march's op table "
      "allows an int32 output: bayes, not bernoulli2)");
  sub->add_flag("--no-high-precision-output", q->no_high_precision_output,
                "the model's last layers output int8 like every other layer")
      ->excludes(hpo);
  sub->add_flag("--hybrid", q->hybrid,
                "leave every node the march's op table does not run on the BPU in float, to "
                "run on the CPU in a hybrid model (BPU and CPU segments)");
  sub->add_option("--hybrid-ops", q->hybrid_ops,
                  "hybrid_dict by op type: leave these op types in float, on the CPU "
                  "(e.g. Softmax,LayerNormalization; fused types are FusedConv, FusedLinear)")
      ->delimiter(',')
      ->type_name("OPS");
  sub->add_option("--hybrid-nodes", q->hybrid_nodes,
                  "hybrid_dict by node name: leave these nodes in float, on the CPU")
      ->delimiter(',')
      ->type_name("NODES");
}

// The back end's options, shared by `compile` and `perf` (which compiles a model first).
void AddCompileFlags(CLI::App* sub, CompileArgs* args) {
  sub->add_option("--opt", args->opt,
                  "O0: one serial instruction chain; O1: units overlap on double-buffered "
                  "tiles, each instruction waiting only for the accesses it conflicts with; "
                  "O2: O1 with layer chains kept on chip; O3 / fast: a search over O2's knobs "
                  "scored by the timing model, fewest cycles; ddr: fewest DDR bytes; balance: "
                  "cycles and DDR bytes weighted by --balance-factor (docs/BACKEND.md)")
      ->check(CLI::IsMember(tune::AllLevels()))
      ->type_name("LEVEL")
      ->capture_default_str();
  sub->add_option("--balance-factor", args->balance_factor,
                  "--opt balance: 100 = pure latency, 0 = pure DDR bytes (each relative to "
                  "the best candidate)")
      ->check(CLI::Range(0, 100))
      ->type_name("F")
      ->capture_default_str();
  sub->add_flag("--no-operand-pitches", args->no_operand_pitches,
                "O2: copy on-chip values through tiles with aae.move instead of reading and "
                "writing them in place with the ISA 1.1 operand pitches (for comparison)");
  sub->add_option("--core-num", args->core_num,
                  "BPU cores to split the work across (ISA 1.2; 2 on bernoulli2 and bayes; O1 "
                  "and up): compute-bound convolutions split by output-channel group or row "
                  "tile (docs/BACKEND.md)")
      ->check(CLI::Range(1, 2))
      ->type_name("N")
      ->capture_default_str();
  sub->add_option("--batch", args->batch, "images per run (inputs become [N, ...])")
      ->check(CLI::Range(1, 4096))
      ->type_name("N")
      ->capture_default_str();
  sub->add_option("--name", args->name, "the model's name in the .hbm (default: file stem)")
      ->type_name("NAME");
  sub->add_option("--input-layout", args->input_layout,
                  "the byte order the application gives inputs in: NHWC (the BPU's, channels "
                  "last) or NCHW (the model's; the program then starts with a DMA transpose)")
      ->check(CLI::IsMember({"NHWC", "NCHW"}))
      ->type_name("LAYOUT")
      ->capture_default_str();
  sub->add_option("--output-layout", args->output_layout,
                  "the byte order of the outputs: NHWC or NCHW (a DMA transpose at the end)")
      ->check(CLI::IsMember({"NHWC", "NCHW"}))
      ->type_name("LAYOUT")
      ->capture_default_str();
  sub->add_option("--jobs", args->jobs,
                  "threads for calibration (samples run concurrently, observed in order) and for "
                  "the searching levels' candidates: the .hbm is byte-identical for every value")
      ->check(CLI::Range(1, 256))
      ->type_name("N")
      ->capture_default_str();
}

// Adds dump, export-hbir, run, ops, quantize and similarity to `app`; when a parsed command line
// selects one of them, `*command` becomes its body.
void AddModelCommands(CLI::App& app, tools::Command* command) {
  {
    auto model = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("dump", "print the imported graph (ONNX or .hbir) as text");
    sub->add_option("MODEL", *model, "an ONNX model or a .hbir")->required()->type_name("");
    sub->callback([=] { *command = [=] { return Dump(*model); }; });
  }
  {
    auto args = std::make_shared<ExportHbirArgs>();
    CLI::App* sub = app.add_subcommand("export-hbir", "import an ONNX model and save it as HBIR");
    sub->add_option("MODEL.onnx", args->model, "the ONNX model")->required()->type_name("");
    sub->add_option("-o", args->out, "the HBIR file to write")->required()->type_name("OUT");
    sub->callback([=] { *command = [=] { return ExportHbir(*args); }; });
  }
  {
    auto args = std::make_shared<RunArgs>();
    CLI::App* sub = app.add_subcommand(
        "run",
        "run the float or, for a quantized .hbir, the quantized reference; an .hbm through the "
        "runtime");
    sub->footer(
        "Prints a summary of each output, writes OUT_PREFIX<i>.npy with -o, and compares\n"
        "output 0 with E.npy with --expect.");
    sub->add_option("MODEL", args->model, "an ONNX model, a .hbir or a compiled .hbm")
        ->required()
        ->type_name("");
    sub->add_option("--mode", args->mode,
                    ".hbm: func (functional simulator: outputs), perf (timing simulator: modeled "
                    "latency and per-layer times) or both")
        ->check(CLI::IsMember({"func", "perf", "both"}))
        ->type_name("MODE")
        ->capture_default_str();
    sub->add_option("--model", args->name, ".hbm: the model of a packed file (default: the first)")
        ->type_name("NAME");
    sub->add_option("--threads", args->threads,
                    ".hbm, func / both: host threads each instruction's tiles are spread over "
                    "(the same outputs for any count)")
        ->check(CLI::Range(1, 256))
        ->type_name("N")
        ->capture_default_str();
    sub->add_flag("--check-hazards", args->check_hazards,
                  ".hbm, func: check every access for races (both always does)");
    sub->add_option("--input", args->inputs, "a graph input, once per input in graph order")
        ->type_name("X.npy")
        ->allow_extra_args(false)
        ->take_all();
    sub->add_option("-o", args->out_prefix, "write output i to OUT_PREFIX<i>.npy")
        ->type_name("OUT_PREFIX");
    sub->add_option("--expect", args->expect, "compare output 0 with this array")
        ->type_name("E.npy");
    sub->callback([=] { *command = [=] { return Run(*args); }; });
  }
  {
    CLI::App* sub = app.add_subcommand("ops", "list the supported ops");
    sub->callback([=] { *command = Ops; });
  }
  {
    auto args = std::make_shared<QuantizeArgs>();
    auto scale = std::make_shared<float>(0.0f);
    CLI::App* sub = app.add_subcommand(
        "quantize", "calibrate an ONNX model and convert it to an int8/int16 HBIR");
    sub->footer(
        "DIR is a .npy file or a directory of them (docs/QUANTIZATION.md). Prints the convert\n"
        "report; calibration progress goes to stderr.");
    sub->add_option("MODEL.onnx", args->model, "the float (or QDQ) ONNX model")
        ->required()
        ->type_name("");
    sub->add_option("--calib", args->calib, "the calibration data")->required()->type_name("DIR");
    sub->add_option("--march", args->march, "the BPU generation to convert for")
        ->required()
        ->check(CLI::IsMember(march::Marches()))
        ->type_name("MARCH");
    sub->add_option("-o", args->out, "the quantized HBIR to write")
        ->required()
        ->type_name("OUT.hbir");
    AddQuantizeFlags(sub, args.get());
    CLI::Option* fixed = sub->add_option("--fixed-input-scale", *scale,
                                         "quantize the graph inputs with this fixed scale "
                                         "instead of an observed one")
                             ->type_name("S");
    sub->callback([=] {
      if (fixed->count() > 0) {
        if (!(*scale > 0.0f && std::isfinite(*scale))) {
          throw CLI::ValidationError("--fixed-input-scale", "must be a finite number > 0");
        }
        args->fixed_input_scale = *scale;
      }
      *command = [=] { return Quantize(*args); };
    });
  }
  {
    auto args = std::make_shared<CompileArgs>();
    CLI::App* sub = app.add_subcommand(
        "compile", "quantize an ONNX model and compile it into a BPU program (.hbm)");
    sub->footer(
        "MODEL is a float ONNX model, calibrated on DIR (a .npy file or a directory of them,\n"
        "docs/QUANTIZATION.md); a QDQ ONNX model (a Q/DQ pair on every activation), which\n"
        "compiles with its own scales without --calib; or a graph `bpu quantize` wrote for the\n"
        "same march (.hbir, no --calib). Run the result with `bpu sim OUT.hbm --input X.npy`.");
    sub->add_option("MODEL", args->quantize.model, "MODEL.onnx or MODEL.q.hbir")
        ->required()
        ->type_name("");
    sub->add_option("--calib", args->quantize.calib, "the calibration data (ONNX models)")
        ->type_name("DIR");
    sub->add_option("--march", args->quantize.march, "the BPU generation to compile for")
        ->required()
        ->check(CLI::IsMember(march::Marches()))
        ->type_name("MARCH");
    sub->add_option("-o", args->quantize.out, "the .hbm file to write")
        ->required()
        ->type_name("OUT.hbm");
    AddCompileFlags(sub, args.get());
    AddQuantizeFlags(sub, &args->quantize);
    sub->callback([=] {
      const bool hbir = absl::EndsWith(args->quantize.model, ".hbir");
      if (hbir && !args->quantize.calib.empty()) {
        throw CLI::ValidationError("--calib", "a .hbir graph is quantized already: drop --calib");
      }
      *command = [=] { return Compile(*args); };
    });
  }
  {
    // perf_model: compile if needed (into OUT_DIR), then the timing simulator's report.
    auto args = std::make_shared<CompileArgs>();
    args->opt = "O2";
    auto perf = std::make_shared<tools::PerfHbmArgs>();
    perf->out_dir.clear();
    CLI::App* sub = app.add_subcommand(
        "perf", "the perf_model report of a model: latency, FPS, DDR traffic, per-layer costs");
    sub->footer(
        "MODEL is a compiled .hbm, or an ONNX model / .q.hbir graph that is compiled first\n"
        "(like bpu compile: --march, --calib, --opt, --core-num ...; the .hbm goes to OUT_DIR).\n"
        "Writes OUT_DIR/perf.json (proto/perf.proto PerfReport: the vendor's perf.json keys) and\n"
        "a Chrome trace per BPU program (trace.json; open in ui.perfetto.dev).");
    sub->add_option("MODEL", args->quantize.model, "MODEL.hbm, MODEL.onnx or MODEL.q.hbir")
        ->required()
        ->type_name("");
    sub->add_option("--march", args->quantize.march, "the BPU generation (not for .hbm)")
        ->check(CLI::IsMember(march::Marches()))
        ->type_name("MARCH");
    sub->add_option("--calib", args->quantize.calib, "the calibration data (ONNX models)")
        ->type_name("DIR");
    AddCompileFlags(sub, args.get());
    sub->add_option("--out-dir", perf->out_dir, "where perf.json and the traces go")
        ->type_name("DIR");
    sub->add_flag("--layer-details", perf->layer_details, "print every layer, not the 5 longest");
    sub->add_option("--model", perf->model, "the model of a packed .hbm (default: the first)")
        ->type_name("NAME");
    AddQuantizeFlags(sub, &args->quantize);
    sub->callback([=] {
      const std::string& model = args->quantize.model;
      const bool compiled = absl::EndsWith(model, ".hbm");
      if (!compiled && args->quantize.march.empty()) {
        throw CLI::ValidationError("--march", "compiling MODEL needs --march");
      }
      if (compiled && !args->quantize.march.empty()) {
        throw CLI::ValidationError("--march", "a .hbm is compiled already: drop --march");
      }
      std::string stem = model.substr(model.find_last_of('/') + 1);
      stem = stem.substr(0, stem.find('.'));
      if (perf->out_dir.empty()) perf->out_dir = absl::StrCat("perf_", stem);
      *command = [=] {
        tools::PerfHbmArgs p = *perf;
        p.path = model;
        if (!compiled) {
          std::error_code ec;
          std::filesystem::create_directories(p.out_dir, ec);
          CompileArgs c = *args;
          c.quantize.out = absl::StrCat(p.out_dir, "/", stem, ".hbm");
          if (int rc = Compile(c); rc != 0) return rc;
          p.path = c.quantize.out;
        }
        return tools::PerfHbm(p);
      };
    });
  }
  {
    auto args = std::make_shared<SimilarityArgs>();
    CLI::App* sub = app.add_subcommand(
        "similarity",
        "per-layer cosine / SQNR / max error of a quantized graph vs its float model");
    sub->add_option("MODEL.onnx", args->float_model, "the float ONNX model")
        ->required()
        ->type_name("");
    sub->add_option("MODEL.q.hbir", args->quantized_model, "its quantized graph (bpu quantize)")
        ->required()
        ->type_name("");
    sub->add_option("--inputs", args->inputs, "the inputs to compare on (like --calib)")
        ->required()
        ->type_name("DIR");
    sub->callback([=] { *command = [=] { return Similarity(*args); }; });
  }
}

// An argument error: one line naming the problem and the help to read; exit status 2.
int ArgumentError(const std::string& where, const std::string& problem) {
  std::fprintf(stderr, "%s: %s (see %s --help)\n", where.c_str(),
               absl::StrReplaceAll(problem, {{"\n", "; "}}).c_str(), where.c_str());
  return 2;
}

int Main(int argc, char** argv) {
  CLI::App app("OpenBPU: quantized neural networks on a modeled BPU.", "bpu");
  app.require_subcommand(1);
  // A repeated option takes its last value (--input of run collects them all).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  tools::Command command;
  AddModelCommands(app, &command);
  tools::AddSimCommands(app, &command);
  tools::AddCheckCommand(app, &command);
  tools::AddVisualizeCommand(app, &command);
  {
    auto serve = std::make_shared<server::ServeArgs>();
    CLI::App* sub = app.add_subcommand(
        "serve", "serve .hbm models over the KServe v2 gRPC protocol (openbpu-server's library)");
    server::AddServeFlags(sub, serve.get());
    sub->callback([&command, serve] { command = [serve] { return server::Serve(*serve); }; });
  }
  app.footer("`bpu COMMAND --help` prints the arguments of a command.");  // after: not inherited

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr, "bpu: no command\n\n%s", app.help().c_str());
    return 2;
  }
  if (args[0] == "help") {  // `bpu help [COMMAND]` is `bpu [COMMAND] --help`
    args.erase(args.begin());
    args.push_back("--help");
  }
  const std::string first = args[0];
  const CLI::App& commands = app;
  if (first != "-h" && first != "--help" &&
      commands.get_subcommands([&](const CLI::App* sub) { return sub->check_name(first); })
          .empty()) {
    return ArgumentError(
        "bpu", absl::StrCat(absl::StartsWith(first, "-") ? "unknown option '" : "unknown command '",
                            first, "'"));
  }
  try {
    std::reverse(args.begin(), args.end());  // CLI11 parses a vector from the back
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {  // -h, --help
      std::fputs(app.help().c_str(), stdout);  // the selected subcommand's, if any
      return 0;
    }
    const std::vector<CLI::App*> selected = app.get_subcommands();
    return ArgumentError(selected.empty() ? "bpu" : "bpu " + selected.front()->get_name(),
                         e.what());
  }
  return command();
}

}  // namespace
}  // namespace openbpu

int main(int argc, char** argv) { return openbpu::Main(argc, argv); }
