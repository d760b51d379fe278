// `bpu check MODEL.onnx|MODEL.q.hbir --march M [--calib DIR] [--advice US]`: every node against
// the march's op table row (compiler/check), and with --advice the layers slower than US
// microseconds with their roofline reason (docs/CHECK.md).
#include "tools/check_command.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "compiler/check/advice.h"
#include "compiler/check/check.h"
#include "compiler/driver/quantize.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/hbir.h"
#include "compiler/march/op_table.h"

namespace openbpu::tools {
namespace {

struct CheckArgs {
  std::string model, march, calib, int16_ops;
  double advice_us = -1;
  bool violations_only = false;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu check: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

bool HasQdq(const ir::Graph& graph) {
  for (const auto& node : graph.nodes()) {
    if (node->op() == "QuantizeLinear" || node->op() == "DequantizeLinear") return true;
  }
  return false;
}

// The graph to check: a .hbir as saved; an ONNX model quantized by the driver (hybrid, so that
// what the march does not run stays in float and is reported) with --calib or when it has QDQ
// pairs; otherwise the float graph (shape limits only).
absl::StatusOr<std::unique_ptr<ir::Graph>> LoadForCheck(const CheckArgs& args) {
  if (absl::EndsWith(args.model, ".hbir")) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = ir::LoadHbir(args.model);
    if (g.ok() && !(*g)->march().empty() && (*g)->march() != args.march) {
      // Allowed: "would my bayes model run on bernoulli2?" (its int16 nodes are violations).
      std::fprintf(stderr, "bpu check: note: %s was quantized for %s; checking it for %s\n",
                   args.model.c_str(), (*g)->march().c_str(), args.march.c_str());
    }
    return g;
  }
  bool quantize = !args.calib.empty();
  if (!quantize) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = frontend::ImportOnnxFile(args.model);
    if (!g.ok() || !HasQdq(**g)) return g;
    quantize = true;  // a QDQ model: its own scales
  }
  driver::QuantizeOptions q;
  q.model = args.model;
  q.calibration_data = args.calib;
  q.march = args.march;
  q.hybrid = true;
  for (absl::string_view op : absl::StrSplit(args.int16_ops, ',', absl::SkipEmpty())) {
    q.int16_ops.emplace_back(op);
  }
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) return quantized.status();
  return std::move(quantized->graph);
}

int RunCheck(const CheckArgs& args) {
  absl::StatusOr<march::March> m = march::ParseMarch(args.march);
  if (!m.ok()) return Fail(m.status());
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = LoadForCheck(args);
  if (!graph.ok()) return Fail(graph.status());
  const check::CheckReport report = check::CheckGraph(**graph, *m);
  if (args.advice_us >= 0 && !report.quantized) {
    std::fprintf(stderr,
                 "bpu check: --advice compiles the model: give --calib DIR (or a QDQ model, or "
                 "a .q.hbir) (see bpu check --help)\n");
    return 2;
  }
  std::fputs(check::FormatReport(report, !args.violations_only).c_str(), stdout);
  if (args.advice_us >= 0) {
    absl::StatusOr<check::AdviceReport> advice =
        check::LayerAdvice(**graph, args.march, args.advice_us);
    if (!advice.ok()) return Fail(advice.status());
    std::fputs(check::FormatAdvice(*advice).c_str(), stdout);
  }
  return report.ok() ? 0 : 1;
}

}  // namespace

void AddCheckCommand(CLI::App& app, Command* command) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* sub = app.add_subcommand(
      "check", "check every node of a model against the march's op table (exit 0: it compiles)");
  sub->footer(
      "Shape limits need only the model. Dtype limits need a quantized graph: --calib DIR\n"
      "(quantized in hybrid mode, so nodes the march does not run stay in float and are\n"
      "reported), a QDQ ONNX model or a .q.hbir. Each violated limit is printed with the\n"
      "offending value and advice; the last line is\n"
      "`check: N nodes, B BPU, C CPU, V violations ...`. docs/CHECK.md.");
  sub->add_option("MODEL", args->model, "MODEL.onnx or MODEL.q.hbir")->required()->type_name("");
  sub->add_option("--march", args->march, "the BPU generation to check for")
      ->required()
      ->check(CLI::IsMember(march::Marches()))
      ->type_name("MARCH");
  sub->add_option("--calib", args->calib, "calibration data: quantize first, check dtypes too")
      ->type_name("DIR");
  sub->add_option("--int16-ops", args->int16_ops,
                  "op types quantized to qint16 (comma-separated, with --calib)")
      ->type_name("OPS");
  sub->add_option("--advice", args->advice_us,
                  "list the layers whose modeled time (compiled at O2, simulator perf mode) "
                  "exceeds US microseconds, with their roofline reason")
      ->check(CLI::NonNegativeNumber)
      ->type_name("US");
  sub->add_flag("--violations-only", args->violations_only,
                "print only the nodes with violations or on the CPU");
  sub->callback([=] {
    if (absl::EndsWith(args->model, ".hbir") && !args->calib.empty()) {
      throw CLI::ValidationError("--calib", "a .hbir graph is quantized already: drop --calib");
    }
    if (!args->int16_ops.empty() && args->calib.empty()) {
      throw CLI::ValidationError("--int16-ops", "needs --calib");
    }
    *command = [=] { return RunCheck(*args); };
  });
}

}  // namespace openbpu::tools
