// The whole-model bit-exactness sweep outside CI (issue 10): every exported model (resnet18,
// resnet50, mobilenet_v2, mobilenet_v1, efficientnet_b0, shufflenet_v2_x1_0, the digits CNN, and
// the ISA 1.1 issue's yolo_tiny detector and vit_tiny transformer, the latter also as
// vit_tiny_int16 with Softmax, LayerNormalization and Erf quantized to int16) on every march whose
// op table runs all of its ops, at every opt level (O0, O1, O2 and the searches O3, fast, ddr,
// balance at the default factor 50), against the quantized reference. CI runs the same
// check on resnet18, mobilenet_v2, efficientnet_b0 and the digits CNN
// (tests/backend_bitexact_test); this adds the models too big for the CI time budget.
//
//   bazel run -c opt //tests:backend_sweep [-- MODEL... --march=MARCH...]
//
// One line per run, `bit-exact: MODEL MARCH OPT elements=E mismatches=M (... cycles=C,
// ddr_bytes=B ...)`, then `levels: MODEL MARCH OPT cycles=C ddr_bytes=B ms=T` per level, or
// `skipped: MODEL MARCH: <why>` when the march's op table does not run one of its ops (or the
// model asks for int16 on an int8-only march). Exits 1 on
// any mismatch, any other failure, or an ordering violation: cycles(O0) >= cycles(O1) >=
// cycles(O2) >= cycles(O3), cycles(fast) <= cycles(O2), ddr_bytes(ddr) <= ddr_bytes(fast).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/npy.h"
#include "isa/march.h"
#include "tests/backend_run.h"

int main(int argc, char** argv) {
  using openbpu::test_util::ModelDataDir;  // run directly too: the binary's own .runfiles
  const std::string dir = ModelDataDir();
  struct Model {
    std::string name, onnx, calib, samples;
    openbpu::test_util::QuantizeExtras extras = {};
  };
  const std::vector<Model> all = {
      {"resnet18", "ptq/resnet18.onnx", "calib", "test"},
      {"resnet50", "resnet50.onnx", "calib", "test"},
      {"mobilenet_v2", "ptq/mobilenet_v2.onnx", "calib", "test"},
      // The timing model's second published figure (issue 14; seeded weights, BatchNorm from
      // noise).
      {"mobilenet_v1", "mobilenet_v1.onnx", "calib", "test"},
      {"efficientnet_b0", "ptq/efficientnet_b0.onnx", "calib", "test"},
      {"shufflenet_v2_x1_0", "shufflenet_v2_x1_0.onnx", "calib", "test"},
      {"digits", "digits.onnx", "digits_calib.npy", "digits_test_x.npy"},
      // The ISA 1.1 issue's detector and transformer (seeded weights, BatchNorm from the photos).
      {"yolo_tiny", "ptq/yolo_tiny.onnx", "calib", "test"},
      {"vit_tiny", "ptq/vit_tiny.onnx", "calib", "test"},
      // The same with the transformer's mixed precision (bpu quantize --int16-ops).
      {"vit_tiny_int16",
       "ptq/vit_tiny.onnx",
       "calib",
       "test",
       {.int16_ops = {"Softmax", "LayerNormalization", "Erf"}}},
  };
  // Arguments: model names, and --march=M (repeatable) to restrict the marches.
  std::set<std::string> only, marches;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (absl::StartsWith(a, "--march=")) {
      marches.insert(a.substr(8));
    } else {
      only.insert(a);
    }
  }
  int failures = 0, runs = 0;
  for (const Model& model : all) {
    if (!only.empty() && !only.count(model.name)) continue;
    const std::string samples_path =
        dir + (model.samples == "test" ? "test/000.npy" : model.samples);
    absl::StatusOr<openbpu::Tensor> samples = openbpu::ReadNpy(samples_path);
    if (!samples.ok()) {
      std::fprintf(stderr, "%s: %s\n", samples_path.c_str(),
                   std::string(samples.status().message()).c_str());
      return 2;
    }
    const int count = model.name == "digits" ? 16 : 1;
    for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
      if (!marches.empty() && !marches.count(march)) continue;
      const auto start = std::chrono::steady_clock::now();
      openbpu::test_util::QuantizeExtras extras = model.extras;
      extras.opts = {"O0", "O1", "O2", "O3", "fast", "ddr", "balance"};
      extras.jobs = 2;
      absl::StatusOr<std::vector<openbpu::test_util::BitExactRun>> result =
          openbpu::test_util::RunBitExact(model.name, dir + model.onnx, dir + model.calib, *samples,
                                          count, march, extras);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!result.ok()) {
        // Not a failure: an op off the march's table, or int16 on an int8-only march.
        const bool off_table =
            absl::StrContains(result.status().message(), "op table does not run") ||
            absl::StrContains(result.status().message(), "supports int8 activations only");
        std::printf("%s: %s %s: %s\n", off_table ? "skipped" : "FAILED", model.name.c_str(), march,
                    std::string(result.status().message()).c_str());
        failures += off_table ? 0 : 1;
        std::fflush(stdout);
        continue;
      }
      for (const auto& run : *result) {
        std::printf("%s\n", run.line.c_str());
        ++runs;
        failures += run.mismatches != 0 || run.elements == 0;
        if (run.cycles < run.roofline_cycles) {  // faster than physics (issue 14)
          std::printf("FAILED: %s %s %s: %llu cycles, below the roofline bound %llu\n",
                      model.name.c_str(), march, run.opt.c_str(),
                      static_cast<unsigned long long>(run.cycles),
                      static_cast<unsigned long long>(run.roofline_cycles));
          ++failures;
        }
      }
      std::map<std::string, const openbpu::test_util::BitExactRun*> by;
      for (const auto& run : *result) by[run.opt] = &run;
      const double mhz = (*openbpu::isa::FindMarch(march))->clock_mhz();
      for (const auto& run : *result) {
        std::printf("levels: %s %s %s cycles=%llu ddr_bytes=%llu ms=%.3f%s%s\n", model.name.c_str(),
                    march, run.opt.c_str(), static_cast<unsigned long long>(run.cycles),
                    static_cast<unsigned long long>(run.ddr_bytes), run.cycles / mhz / 1000.0,
                    run.chosen.empty() ? "" : " chose ", run.chosen.c_str());
      }
      // Each level never slower than the one below it; fast never slower than O2; ddr never
      // moving more bytes than fast; O2 over two cores never slower than on one.
      auto order = [&](const char* lo, const char* hi, bool bytes) {
        if (!by.count(lo) || !by.count(hi)) return;
        const uint64_t a = bytes ? by.at(lo)->ddr_bytes : by.at(lo)->cycles;
        const uint64_t b = bytes ? by.at(hi)->ddr_bytes : by.at(hi)->cycles;
        if (a <= b) return;
        std::printf("FAILED: %s %s: %s (%llu %s) above %s (%llu)\n", model.name.c_str(), march, lo,
                    static_cast<unsigned long long>(a), bytes ? "DDR bytes" : "cycles", hi,
                    static_cast<unsigned long long>(b));
        ++failures;
      };
      order("O1", "O0", false);
      order("O2", "O1", false);
      order("O3", "O2", false);
      order("fast", "O2", false);
      order("ddr", "fast", true);
      order("O2-2core", "O2", false);  // two cores split only what pays
      order("O3-2core", "O2-2core", false);
      std::printf("  (%s %s: %.1f s)\n", model.name.c_str(), march, seconds);
      std::fflush(stdout);
    }
  }
  std::printf("backend-sweep: %d runs, %d failures\n", runs, failures);
  return failures == 0 ? 0 : 1;
}
