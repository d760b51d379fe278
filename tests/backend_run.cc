#include "tests/backend_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "compiler/tune/tune.h"
#include "hbm/hbm.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "tests/nhwc.h"

namespace openbpu::test_util {
namespace {

// One sample of a batch tensor [N, ...] as [1, ...].
Tensor Sample(const Tensor& batch, int64_t i) {
  Shape shape = batch.shape();
  shape[0] = 1;
  Tensor t(batch.dtype(), shape);
  const int64_t bytes = t.num_elements() * static_cast<int64_t>(DTypeSize(t.dtype()));
  std::memcpy(t.raw(), static_cast<const uint8_t*>(batch.raw()) + i * bytes, bytes);
  return t;
}

}  // namespace

uint64_t RooflineCycles(const isa::March& march, uint64_t macs, uint64_t ddr_bytes, int cores) {
  const double compute =
      static_cast<double>(macs) / static_cast<double>(march.MacsPerCycle() * cores);
  const double memory = static_cast<double>(ddr_bytes) / march.ddr_peak_bytes_per_cycle.value;
  return static_cast<uint64_t>(std::ceil(std::max(compute, memory)));
}

std::string ModelDataDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) srcdir = std::getenv("RUNFILES_DIR");
  std::string runfiles = srcdir != nullptr ? srcdir : ".";
  if (srcdir == nullptr) {
    // A binary started directly (bazel-bin/...): its own .runfiles directory.
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec && std::filesystem::is_directory(exe.string() + ".runfiles")) {
      runfiles = exe.string() + ".runfiles";
    }
  }
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(runfiles, "/", workspace != nullptr ? workspace : "openbpu",
                      "/tests/models/");
}

absl::StatusOr<std::vector<BitExactRun>> RunBitExact(
    const std::string& name, const std::string& onnx, const std::string& calib,
    const Tensor& samples, int count, const std::string& march, const QuantizeExtras& extras) {
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = onnx;
  q.calibration_data = calib;
  q.march = march;
  q.progress = nullptr;
  q.unify_concat_scales = extras.unify_concat_scales;
  q.int16_ops = extras.int16_ops;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) return quantized.status();
  absl::StatusOr<const isa::March*> m = isa::FindMarch(march);
  if (!m.ok()) return m.status();
  // The reference values once per sample, shared by both opt levels.
  std::vector<std::map<std::string, reference::QuantizedValue>> values;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<std::map<std::string, reference::QuantizedValue>> v =
        reference::RunQuantizedAllValues(*quantized->graph, {Sample(samples, i)});
    if (!v.ok()) return v.status();
    values.push_back(*std::move(v));
  }
  std::vector<BitExactRun> runs;
  // Per core count: the searches' shared scoring (on first use), and candidate index -> its run
  // (searches that agree).
  std::map<int, std::vector<tune::Candidate>> scored_for;
  std::map<std::pair<int, int>, BitExactRun> ran;
  // Each level on one core, then O2 (and O3, when asked for) split over every core of a
  // multi-core march (ISA 1.2).
  std::vector<std::pair<std::string, int>> configs;
  for (const std::string& opt : extras.opts) configs.push_back({opt, 1});
  if ((*m)->cores.value > 1 && extras.multi_core) {
    configs.push_back({"O2", (*m)->cores.value});
    if (std::find(extras.opts.begin(), extras.opts.end(), "O3") != extras.opts.end()) {
      configs.push_back({"O3", (*m)->cores.value});
    }
  }
  for (const auto& [opt, cores] : configs) {
    const std::string label = cores > 1 ? absl::StrCat(opt, "-", cores, "core") : opt;
    std::vector<tune::Candidate>& candidates = scored_for[cores];
    backend::CompileOptions options;
    options.march = march;
    options.opt = opt;
    options.core_num = cores;
    options.operand_pitches = extras.operand_pitches;
    absl::StatusOr<backend::CompiledModel> model;
    std::string chosen;
    int best = -1;
    if (tune::IsSearchLevel(opt)) {
      if (absl::Status st = tune::ValidateLevel(opt, extras.balance_factor); !st.ok()) return st;
      if (candidates.empty()) {
        options.opt = "O2";
        absl::StatusOr<std::vector<tune::Candidate>> scored =
            tune::ScoreCandidates(*quantized->graph, options, extras.jobs);
        if (!scored.ok()) return scored.status();
        candidates = *std::move(scored);
      }
      best = tune::Choose(candidates, opt, extras.balance_factor);
      if (best < 0) return absl::InternalError("no candidate compiled");
      if (auto it = ran.find({cores, best}); it != ran.end()) {  // an earlier search's program
        BitExactRun run = it->second;
        run.opt = label;
        run.line = absl::StrCat(
            run.line.substr(0, run.line.find(" " + it->second.opt + " ")), " ", label,
            run.line.substr(run.line.find(" " + it->second.opt + " ") + it->second.opt.size() + 1));
        runs.push_back(run);
        continue;
      }
      model = candidates[best].model;
      chosen = candidates[best].label;
    } else {
      model = backend::Compile(*quantized->graph, options);
    }
    if (!model.ok()) return model.status();
    sim::SimulatorOptions sim_options;
    sim_options.run.mode = sim::Mode::kBoth;
    absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
        sim::Simulator::Create(model->program, **m, sim_options);
    if (!sim.ok()) return sim.status();
    BitExactRun run;
    run.opt = label;
    run.cores = cores;
    run.chosen = chosen;
    run.instructions = model->program.instructions.size();
    run.layers = model->layers.size();
    run.scratch_peak = model->scratch_peak_bytes;
    run.scratch_unplanned = model->scratch_bytes_unplanned;
    run.chained_values = model->chained_values;
    run.concat_inputs_in_place = model->concat_inputs_in_place;
    run.in_place_reads = model->in_place_reads;
    run.direct_writes = model->direct_writes;
    // Each aae.move by its own layer tag (at O2 a layer's instructions interleave with others').
    std::map<std::string, std::string> op_of;
    for (const backend::LayerInfo& layer : model->layers) op_of[layer.name] = layer.op;
    for (const isa::Instruction& inst : model->program.instructions) {
      if (inst.opcode() != isa::Opcode::kAaeMove) continue;
      ++run.moves;
      const auto name = model->program.layers.find(inst.common.layer);
      if (name == model->program.layers.end()) continue;
      const std::string& op = op_of[name->second];
      if (op == "Resize" || op == "Concat") ++run.neck_moves;
    }
    for (int i = 0; i < count; ++i) {
      for (const backend::TensorDesc& in : model->inputs) {
        const Tensor& t = values[i].at(in.value).tensor;
        if (t.dtype() != in.dtype) return absl::InternalError("input dtype differs");
        if (absl::Status st = (*sim)->WriteRegion(isa::Region::kInput, in.offset, NhwcBytes(t));
            !st.ok()) {
          return st;
        }
      }
      absl::StatusOr<sim::RunResult> result = (*sim)->Run();
      if (!result.ok()) return result.status();
      run.cycles = result->stats.total_cycles;
      run.macs = result->stats.macs;
      run.ddr_bytes = result->stats.ddr_loaded_bytes + result->stats.ddr_stored_bytes;
      run.roofline_cycles = RooflineCycles(**m, run.macs, run.ddr_bytes, cores);
      for (const backend::TensorDesc& out : model->outputs) {
        const Tensor& want = values[i].at(out.value).tensor;
        std::vector<uint8_t> got(out.bytes);
        if (absl::Status st =
                (*sim)->ReadRegion(isa::Region::kOutput, out.offset, absl::MakeSpan(got));
            !st.ok()) {
          return st;
        }
        const std::vector<uint8_t> expected = NhwcBytes(want);
        if (got.size() != expected.size()) return absl::InternalError("output size differs");
        const size_t es = DTypeSize(want.dtype());
        for (size_t k = 0; k < got.size(); k += es) {
          ++run.elements;
          run.mismatches += std::memcmp(&got[k], &expected[k], es) != 0;
        }
      }
    }
    run.line = absl::StrFormat(
        "bit-exact: %s %s %s elements=%d mismatches=%d (samples=%d, instructions=%d, layers=%d, "
        "cycles=%d, ddr_bytes=%d, scratch peak %d of %d bytes, %d values on chip%s%s)",
        name, march, run.opt, run.elements, run.mismatches, count, run.instructions, run.layers,
        run.cycles, run.ddr_bytes, run.scratch_peak, run.scratch_unplanned, run.chained_values,
        run.concat_inputs_in_place > 0
            ? absl::StrCat(", ", run.concat_inputs_in_place, " concat inputs in place")
            : std::string(),
        chosen.empty() ? std::string() : absl::StrCat("; chose ", chosen));
    if (best >= 0) ran[{cores, best}] = run;
    runs.push_back(run);
  }
  return runs;
}

}  // namespace openbpu::test_util

namespace openbpu::test_util {

absl::Status CompileToHbm(const std::string& onnx, const std::string& calibration,
                          const std::string& name, const std::string& march, const std::string& opt,
                          const std::string& path) {
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = onnx;
  q.calibration_data = calibration;
  q.march = march;
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) return quantized.status();
  backend::CompileOptions options;
  options.march = march;
  options.opt = opt;
  absl::StatusOr<backend::CompiledModel> compiled = backend::Compile(*quantized->graph, options);
  if (!compiled.ok()) return compiled.status();
  absl::StatusOr<hbm::Payload> payload = backend::ToHbmPayload(*compiled, name, march, {});
  if (!payload.ok()) return payload.status();
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*payload);
  if (!bytes.ok()) return bytes.status();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<long>(bytes->size()));
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace openbpu::test_util
