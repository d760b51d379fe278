// `bpu asm`, `bpu disas` and `bpu sim`: the instruction-set tools over isa/ and simulator/
// (isa/ISA.md is the contract). Programs are read as assembly text (.s) or as the binary
// container (anything else); errors name the line, instruction or file at fault.
#include "tools/sim_commands.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "isa/assembler.h"
#include "isa/march.h"
#include "isa/program.h"
#include "simulator/perf_proto.h"
#include "simulator/simulator.h"
#include "simulator/stats.h"
#include "tools/file_io.h"
#include "tools/hbm_sim.h"

namespace openbpu::tools {
namespace {

// A program from assembly text (.s) or from the binary container.
absl::StatusOr<isa::Program> LoadProgram(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<isa::Program> program =
      absl::EndsWith(path, ".s")
          ? isa::AssembleProgram(*bytes)
          : isa::ParseProgram(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes->data()),
                                                  bytes->size()));
  if (!program.ok()) {
    return absl::Status(program.status().code(),
                        absl::StrCat(path, ": ", program.status().message()));
  }
  return program;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

struct AsmArgs {
  std::string in, out;
};

int Asm(const AsmArgs& args) {
  const std::string& in = args.in;
  const std::string& out = args.out;
  absl::StatusOr<isa::Program> program = LoadProgram(in);
  if (!program.ok()) return Fail(program.status());
  absl::StatusOr<std::vector<uint8_t>> bytes = isa::SerializeProgram(*program);
  if (!bytes.ok()) return Fail(bytes.status());
  if (absl::Status s = WriteFile(
          out, absl::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      !s.ok()) {
    return Fail(s);
  }
  std::printf("wrote %s (%zu instructions, %zu layers, %zu parameter bytes, %zu bytes)\n",
              out.c_str(), program->instructions.size(), program->layers.size(),
              program->params.size(), bytes->size());
  return 0;
}

int Disas(const std::string& path) {
  if (absl::StatusOr<std::string> head = ReadFile(path); head.ok() && LooksLikeHbm(*head)) {
    return DisasHbm(path);
  }
  absl::StatusOr<isa::Program> program = LoadProgram(path);
  if (!program.ok()) return Fail(program.status());
  std::fputs(isa::DisassembleProgram(*program).c_str(), stdout);
  return 0;
}

struct SimArgs {
  std::string path, output, expect, trace, stats_json;
  std::vector<std::string> inputs;  // a program takes at most one; an .hbm one per model input
  std::string mode = sim::ModeName(sim::Mode::kBoth);
  bool serial = false;
  std::string model;  // .hbm: which model of a packed file
};

int Sim(const SimArgs& args) {
  const std::string input = args.inputs.empty() ? std::string() : args.inputs.back();
  const std::string &path = args.path, &output = args.output, &expect = args.expect,
                    &trace = args.trace, &stats_json = args.stats_json;
  sim::SimulatorOptions options;
  absl::StatusOr<sim::Mode> mode = sim::ParseMode(args.mode);
  if (!mode.ok()) return Fail(mode.status());
  options.run.mode = *mode;
  options.run.force_serial = args.serial;
  const bool reads_data = options.run.mode != sim::Mode::kPerf;
  options.run.trace = !trace.empty();

  if (absl::StatusOr<std::string> head = ReadFile(path); head.ok() && LooksLikeHbm(*head)) {
    if (!expect.empty() || !trace.empty() || !stats_json.empty()) {
      return Fail(absl::InvalidArgumentError(
          "with an .hbm model, --input is a float .npy and -o an .npy; --expect, --trace and "
          "--stats take a program"));
    }
    return SimHbm({path, args.inputs, output, options.run.mode, args.serial, args.model});
  }
  if (!args.model.empty()) {
    return Fail(absl::InvalidArgumentError("--model picks a model of an .hbm file"));
  }
  if (args.inputs.size() > 1) {
    return Fail(absl::InvalidArgumentError(
        "a program takes one --input (the DDR input region); several are for .hbm models"));
  }
  absl::StatusOr<isa::Program> program = LoadProgram(path);
  if (!program.ok()) return Fail(program.status());
  absl::StatusOr<const isa::March*> march = isa::FindMarch(program->march);
  if (!march.ok()) return Fail(march.status());
  absl::StatusOr<std::unique_ptr<sim::Simulator>> simulator =
      sim::Simulator::Create(*program, **march, options);
  if (!simulator.ok()) return Fail(simulator.status());

  if (!input.empty()) {
    absl::StatusOr<std::string> bytes = ReadFile(input);
    if (!bytes.ok()) return Fail(bytes.status());
    if (bytes->size() != program->ddr_input_bytes) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat(input, ": ", bytes->size(), " bytes, but the program's DDR input region is ",
                       program->ddr_input_bytes, " bytes")));
    }
    if (absl::Status s =
            (*simulator)
                ->WriteRegion(isa::Region::kInput, 0,
                              absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes->data()),
                                                  bytes->size()));
        !s.ok()) {
      return Fail(s);
    }
  }
  absl::StatusOr<sim::RunResult> result = (*simulator)->Run();
  if (!result.ok()) return Fail(result.status());

  std::printf("program: %s, march %s, %zu instructions, mode %s%s\n", path.c_str(),
              std::string((*march)->name).c_str(), program->instructions.size(),
              sim::ModeName(options.run.mode), options.run.force_serial ? " (serial)" : "");
  if (options.run.mode != sim::Mode::kFunc) {
    std::fputs(sim::StatsSummary(result->stats).c_str(), stdout);
  }
  int status = 0;
  if (reads_data) {
    std::string out(program->ddr_output_bytes, '\0');
    if (absl::Status s =
            (*simulator)
                ->ReadRegion(isa::Region::kOutput, 0,
                             absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()));
        !s.ok()) {
      return Fail(s);
    }
    if (!output.empty()) {
      if (absl::Status s = WriteFile(output, out); !s.ok()) return Fail(s);
      std::printf("wrote %s (%zu bytes of DDR output)\n", output.c_str(), out.size());
    }
    if (!expect.empty()) {
      absl::StatusOr<std::string> want = ReadFile(expect);
      if (!want.ok()) return Fail(want.status());
      size_t mismatches = want->size() == out.size() ? 0 : std::max(want->size(), out.size());
      for (size_t i = 0; i < std::min(want->size(), out.size()); ++i) {
        mismatches += (*want)[i] != out[i];
      }
      std::printf("compare with %s: %zu bytes, %zu mismatches\n", expect.c_str(), out.size(),
                  mismatches);
      if (mismatches != 0) status = 1;
    }
  }
  if (!trace.empty()) {
    if (absl::Status s = WriteFile(trace, result->trace_json); !s.ok()) return Fail(s);
    std::printf("wrote %s (Chrome trace events; open in ui.perfetto.dev)\n", trace.c_str());
  }
  if (!stats_json.empty()) {
    std::string json;
    const perf::SimStats proto = sim::ToProto(result->stats, **march, options.run.mode);
    google::protobuf::util::JsonPrintOptions json_options;
    json_options.add_whitespace = true;
    json_options.always_print_primitive_fields = true;
    if (auto st = google::protobuf::util::MessageToJsonString(proto, &json, json_options);
        !st.ok()) {
      return Fail(absl::InternalError(absl::StrCat("stats to JSON: ", st.ToString())));
    }
    if (absl::Status s = WriteFile(stats_json, json); !s.ok()) return Fail(s);
    std::printf("wrote %s (proto/perf.proto SimStats as JSON)\n", stats_json.c_str());
  }
  return status;
}

}  // namespace

void AddSimCommands(CLI::App& app, Command* command) {
  {
    auto args = std::make_shared<AsmArgs>();
    CLI::App* sub = app.add_subcommand(
        "asm", "assemble a program (isa/ISA.md syntax) into the binary container");
    sub->add_option("PROGRAM.s", args->in, "the program as assembly text")
        ->required()
        ->type_name("");
    sub->add_option("-o", args->out, "the binary container to write")
        ->required()
        ->type_name("OUT.bin");
    sub->callback([=] { *command = [=] { return Asm(*args); }; });
  }
  {
    auto path = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand(
        "disas", "print a program (.s or binary) or a compiled model (.hbm) as assembly");
    sub->add_option("PROGRAM", *path,
                    "a program (assembly text .s or the binary container) or an .hbm (its "
                    "header, descriptors, layer table, memory plan and instructions)")
        ->required()
        ->type_name("");
    sub->callback([=] { *command = [=] { return Disas(*path); }; });
  }
  {
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto output = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("pack", "put the models of several .hbm files in one");
    sub->add_option("MODELS", *inputs, "the .hbm files (one march, distinct model names)")
        ->required()
        ->take_all()
        ->type_name("A.hbm B.hbm");
    sub->add_option("-o", *output, "the .hbm file to write")->required()->type_name("OUT.hbm");
    sub->callback([=] { *command = [=] { return PackHbm(*inputs, *output); }; });
  }
  {
    auto args = std::make_shared<SimArgs>();
    CLI::App* sub = app.add_subcommand("sim", "run a program on the simulator of its march");
    sub->footer(
        "Prints cycles, latency, per-unit utilization, DDR traffic and per-layer totals.\n"
        "IN/OUT are the DDR input and output regions; the trace opens in ui.perfetto.dev.");
    sub->add_option("PROGRAM", args->path,
                    "a program (assembly text .s or the binary container) or a compiled model "
                    "(.hbm: --input is then a float32 .npy, -o an .npy)")
        ->required()
        ->type_name("");
    sub->add_option("--mode", args->mode,
                    "func: data only; perf: cycles only (no data); both: data and cycles")
        ->check(CLI::IsMember({sim::ModeName(sim::Mode::kFunc), sim::ModeName(sim::Mode::kPerf),
                               sim::ModeName(sim::Mode::kBoth)}))
        ->type_name("MODE")
        ->capture_default_str();
    sub->add_flag("--serial", args->serial, "one instruction at a time, in program order");
    sub->add_option("--model", args->model,
                    "the model of a packed .hbm to run (bpu disas lists them; default: the first)")
        ->type_name("NAME");
    sub->add_option("--input", args->inputs,
                    "bytes to load into the DDR input region (.hbm: a float32 .npy per model "
                    "input, in order)")
        ->take_all()
        ->type_name("IN.bin");
    sub->add_option("-o", args->output, "write the DDR output region here")->type_name("OUT.bin");
    sub->add_option("--expect", args->expect,
                    "compare the DDR output with these bytes (exit 1 on a mismatch)")
        ->type_name("EXPECTED.bin");
    sub->add_option("--trace", args->trace, "write a Chrome trace (ui.perfetto.dev)")
        ->type_name("TRACE.json");
    sub->add_option("--stats", args->stats_json, "write the statistics (proto/perf.proto SimStats)")
        ->type_name("STATS.json");
    sub->callback([=] {
      if (args->mode == sim::ModeName(sim::Mode::kPerf) &&
          (!args->inputs.empty() || !args->output.empty() || !args->expect.empty())) {
        throw CLI::ValidationError("--mode perf never touches data: drop --input, -o and --expect");
      }
      *command = [=] { return Sim(*args); };
    });
  }
}

}  // namespace openbpu::tools
