// The `bpu` command line: a thin shell over the library calls. Today it covers what exists:
// import, inspect, export HBIR, run the float or quantized reference, quantize, per-layer
// similarity, and the instruction-set tools (asm, disas, sim; tools/sim_commands.cc).
// compile / check / perf / serve arrive with their issues.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/npy.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qdq_import.h"
#include "compiler/quantization/similarity.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "tools/sim_commands.h"

namespace openbpu {
namespace {

constexpr char kUsage[] =
    "usage: bpu COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  dump MODEL                     print the imported graph (ONNX or .hbir) as text\n"
    "  export-hbir MODEL.onnx -o OUT  import an ONNX model and save it as HBIR\n"
    "  run MODEL --input X.npy [--input Y.npy ...] [-o OUT_PREFIX] [--expect E.npy]\n"
    "                                 run the float (or, for a quantized .hbir, the\n"
    "                                 quantized) reference interpreter; print output\n"
    "                                 summaries, write OUT_PREFIX<i>.npy, compare with E.npy\n"
    "  ops                            list the supported ops\n"
    "  quantize MODEL.onnx --calib DIR --march bayes|bayes-e|bernoulli2 -o OUT.hbir\n"
    "           [--dtype qint8|qint16] [--observer percentile|minmax|mse|kl]\n"
    "           [--fixed-input-scale S]\n"
    "                                 calibrate on DIR (.npy files, see docs/QUANTIZATION.md),\n"
    "                                 convert and save the quantized graph\n"
    "  similarity MODEL.onnx MODEL.q.hbir --inputs DIR\n"
    "                                 per-layer cosine / SQNR / max error of the quantized\n"
    "                                 graph against the float model\n";

absl::StatusOr<std::unique_ptr<ir::Graph>> LoadModel(const std::string& path) {
  if (absl::EndsWith(path, ".hbir")) return ir::LoadHbir(path);
  return frontend::ImportOnnxFile(path);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

int Usage(const std::string& problem) {
  std::fprintf(stderr, "bpu: %s\n\n%s%s", problem.c_str(), kUsage, tools::kSimUsage);
  return 2;
}

int Dump(const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("dump takes one model path");
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadModel(args[0]);
  if (!graph.ok()) return Fail(graph.status());
  std::fputs(ir::PrintGraph(**graph).c_str(), stdout);
  return 0;
}

int ExportHbir(const std::vector<std::string>& args) {
  std::string model, out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      out = args[++i];
    } else if (model.empty()) {
      model = args[i];
    } else {
      return Usage(absl::StrCat("unexpected argument '", args[i], "'"));
    }
  }
  if (model.empty() || out.empty()) return Usage("export-hbir needs MODEL and -o OUT");
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

int Run(const std::vector<std::string>& args) {
  std::string model, out_prefix, expect;
  std::vector<std::string> input_paths;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--input" && i + 1 < args.size()) {
      input_paths.push_back(args[++i]);
    } else if (args[i] == "-o" && i + 1 < args.size()) {
      out_prefix = args[++i];
    } else if (args[i] == "--expect" && i + 1 < args.size()) {
      expect = args[++i];
    } else if (model.empty() && !absl::StartsWith(args[i], "-")) {
      model = args[i];
    } else {
      return Usage(absl::StrCat("unexpected argument '", args[i], "'"));
    }
  }
  if (model.empty()) return Usage("run needs a MODEL");
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadModel(model);
  if (!graph.ok()) return Fail(graph.status());
  std::vector<Tensor> inputs;
  for (const std::string& path : input_paths) {
    absl::StatusOr<Tensor> t = ReadNpy(path);
    if (!t.ok()) return Fail(t.status());
    inputs.push_back(*std::move(t));
  }
  // A quantized HBIR (bpu quantize) runs on the quantized reference.
  bool quantized = false;
  for (const auto& v : (*graph)->values()) quantized = quantized || v->type().quant.has_value();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<Tensor>> outputs =
      quantized ? reference::RunQuantized(**graph, inputs) : reference::RunFloat(**graph, inputs);
  if (!outputs.ok()) return Fail(outputs.status());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s reference: %s, %zu nodes, %.1f ms\n", quantized ? "quantized" : "float",
              (*graph)->name().c_str(), (*graph)->nodes().size(), ms);
  for (size_t i = 0; i < outputs->size(); ++i) {
    PrintSummary((*graph)->outputs()[i]->name(), (*outputs)[i]);
    if (!out_prefix.empty()) {
      const std::string path = absl::StrCat(out_prefix, i, ".npy");
      if (absl::Status s = WriteNpy(path, (*outputs)[i]); !s.ok()) return Fail(s);
      std::printf("wrote %s\n", path.c_str());
    }
  }
  if (!expect.empty()) {
    absl::StatusOr<Tensor> want = ReadNpy(expect);
    if (!want.ok()) return Fail(want.status());
    const Tensor& got = (*outputs)[0];
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
    std::printf("compare with %s: max|diff|=%.3g max_rel_err=%.3g\n", expect.c_str(), max_diff,
                max_ref > 0 ? max_diff / max_ref : max_diff);
  }
  return 0;
}

int Quantize(const std::vector<std::string>& args) {
  std::string model, calib, march, out, dtype = "qint8", observer = "percentile";
  std::optional<float> fixed_input_scale;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--calib" && has_value) {
      calib = args[++i];
    } else if (args[i] == "--march" && has_value) {
      march = args[++i];
    } else if (args[i] == "-o" && has_value) {
      out = args[++i];
    } else if (args[i] == "--dtype" && has_value) {
      dtype = args[++i];
    } else if (args[i] == "--observer" && has_value) {
      observer = args[++i];
    } else if (args[i] == "--fixed-input-scale" && has_value) {
      float s = 0;
      if (!absl::SimpleAtof(args[++i], &s)) return Usage("--fixed-input-scale takes a number");
      fixed_input_scale = s;
    } else if (model.empty() && !absl::StartsWith(args[i], "-")) {
      model = args[i];
    } else {
      return Usage(absl::StrCat("unexpected argument '", args[i], "'"));
    }
  }
  if (model.empty() || calib.empty() || march.empty() || out.empty()) {
    return Usage("quantize needs MODEL, --calib DIR, --march and -o OUT");
  }
  // Fail before the (long) calibration on arguments convert would reject.
  if (absl::StatusOr<march::March> m = march::ParseMarch(march); !m.ok()) return Fail(m.status());
  absl::StatusOr<quantization::QDType> qdtype = quantization::ParseQDType(dtype);
  if (!qdtype.ok()) return Fail(qdtype.status());
  quantization::QKwargs kwargs;
  if (observer == "minmax") {
    kwargs.observer = quantization::ObserverConfig::MinMax();
  } else if (observer == "mse") {
    kwargs.observer = quantization::ObserverConfig::MSE();
  } else if (observer == "kl") {
    kwargs.observer = quantization::ObserverConfig::KL();
  } else if (observer != "percentile") {
    return Usage(absl::StrCat("unknown observer '", observer, "'"));
  }
  absl::StatusOr<quantization::QConfig> qconfig =
      quantization::GetDefaultCalibQConfig(*qdtype, kwargs);
  if (!qconfig.ok()) return Fail(qconfig.status());
  absl::StatusOr<quantization::QdqImport> imported = quantization::ImportQdqOnnxFile(model);
  if (!imported.ok()) return Fail(imported.status());
  ir::Graph& graph = *imported->graph;
  quantization::QConfigMap qmap;
  qmap.SetGlobal(*qconfig);
  quantization::PrepareOptions prepare;
  prepare.fixed_scales = imported->fixed_scales;
  prepare.fixed_input_scale = fixed_input_scale;
  absl::StatusOr<quantization::Dataset> data = quantization::LoadDataset(calib, graph);
  if (!data.ok()) return Fail(data.status());
  auto state = quantization::PrepareCalibration(graph, qmap, prepare);
  if (!state.ok()) return Fail(state.status());
  if (absl::Status s = quantization::Calibrate(**state, *data); !s.ok()) return Fail(s);
  quantization::ConvertOptions convert;
  convert.march = march;
  absl::StatusOr<quantization::ConvertReport> report = quantization::Convert(**state, convert);
  if (!report.ok()) return Fail(report.status());
  std::printf("%s\n", report->ToString().c_str());
  if (absl::Status s = ir::SaveHbir(graph, out); !s.ok()) return Fail(s);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

int Similarity(const std::vector<std::string>& args) {
  std::vector<std::string> models;
  std::string inputs;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--inputs" && i + 1 < args.size()) {
      inputs = args[++i];
    } else if (!absl::StartsWith(args[i], "-")) {
      models.push_back(args[i]);
    } else {
      return Usage(absl::StrCat("unexpected argument '", args[i], "'"));
    }
  }
  if (models.size() != 2 || inputs.empty()) {
    return Usage("similarity needs MODEL.onnx, MODEL.q.hbir and --inputs DIR");
  }
  absl::StatusOr<quantization::QdqImport> float_model = quantization::ImportQdqOnnxFile(models[0]);
  if (!float_model.ok()) return Fail(float_model.status());
  absl::StatusOr<std::unique_ptr<ir::Graph>> quantized = ir::LoadHbir(models[1]);
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

int Main(int argc, char** argv) {
  if (argc < 2) return Usage("no command");
  const std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "dump") return Dump(args);
  if (command == "export-hbir") return ExportHbir(args);
  if (command == "run") return Run(args);
  if (command == "ops") return Ops();
  if (command == "quantize") return Quantize(args);
  if (command == "similarity") return Similarity(args);
  if (command == "asm") return tools::Asm(args);
  if (command == "disas") return tools::Disas(args);
  if (command == "sim") return tools::Sim(args);
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    std::fputs(tools::kSimUsage, stdout);
    return 0;
  }
  return Usage(absl::StrCat("unknown command '", command, "'"));
}

}  // namespace
}  // namespace openbpu

int main(int argc, char** argv) { return openbpu::Main(argc, argv); }
