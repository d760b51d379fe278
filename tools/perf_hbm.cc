// `bpu perf MODEL.hbm`: the perf_model report of a compiled model (simulator/perf_report.h),
// written as perf.json and Chrome traces, with a one-screen summary.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "hbm/hbm.h"
#include "isa/program.h"
#include "simulator/perf_report.h"
#include "tools/file_io.h"
#include "tools/hbm_sim.h"

namespace openbpu::tools {
namespace {

int PerfFail(const absl::Status& status) {
  std::fprintf(stderr, "bpu perf: %s\n", std::string(status.message()).c_str());
  return 1;
}

// One BPU model's program with its layers' ops (by the program's layer ids).
absl::StatusOr<sim::PerfProgram> ProgramOf(const hbm::Model& m, const std::string& segment) {
  absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(m.program().data()), m.program().size()));
  if (!program.ok()) return program.status();
  sim::PerfProgram p;
  p.segment = segment;
  std::map<std::string, std::string> ops_of;
  for (const hbm::Layer& l : m.layers()) ops_of[l.name()] = absl::StrJoin(l.ops(), "+");
  for (const auto& [id, name] : program->layers) {
    if (p.layer_ops.size() <= id) p.layer_ops.resize(static_cast<size_t>(id) + 1);
    p.layer_ops[id] = ops_of[name];
  }
  p.program = *std::move(program);
  return p;
}

}  // namespace

int PerfHbm(const PerfHbmArgs& args) {
  absl::StatusOr<hbm::Payload> payload = ReadPayload(args.path);
  if (!payload.ok()) return PerfFail(payload.status());
  const hbm::Model* model = &payload->models(0);
  if (!args.model.empty()) {
    model = nullptr;
    for (const hbm::Model& m : payload->models()) {
      if (m.name() == args.model) model = &m;
    }
    if (model == nullptr) {
      return PerfFail(
          absl::NotFoundError(absl::StrCat(args.path, " has no model '", args.model, "'")));
    }
  }
  std::vector<sim::PerfProgram> programs;
  sim::PerfOptions options;
  options.model_name = model->name();
  options.trace = true;
  if (model->segments_size() == 0) {
    absl::StatusOr<sim::PerfProgram> p = ProgramOf(*model, "");
    if (!p.ok()) return PerfFail(p.status());
    programs.push_back(*std::move(p));
  } else {
    for (const hbm::Segment& s : model->segments()) {
      if (s.has_cpu()) {
        ++options.cpu_segments;
        continue;
      }
      absl::StatusOr<sim::PerfProgram> p = ProgramOf(s.bpu(), s.name());
      if (!p.ok()) return PerfFail(p.status());
      programs.push_back(*std::move(p));
    }
  }
  // The compile options recorded in the header, as the command line that made them.
  const auto& recorded = payload->header().compile_options();
  std::vector<std::string> flags = {absl::StrCat("--march ", payload->header().march())};
  for (const char* key : {"opt", "core_num", "batch", "balance_factor", "hybrid"}) {
    auto it = recorded.find(key);
    if (it == recorded.end()) continue;
    std::string flag = key;
    for (char& c : flag) c = c == '_' ? '-' : c;
    flags.push_back(it->second == "true" ? absl::StrCat("--", flag)
                                         : absl::StrCat("--", flag, " ", it->second));
    if (std::string(key) == "batch") options.batch = std::max(1, std::atoi(it->second.c_str()));
  }
  options.compiling_options = absl::StrJoin(flags, " ");
  absl::StatusOr<sim::PerfResult> result = sim::PerfModel(programs, options);
  if (!result.ok()) return PerfFail(result.status());
  std::error_code ec;
  std::filesystem::create_directories(args.out_dir, ec);
  if (ec) {
    return PerfFail(
        absl::UnavailableError(absl::StrCat("cannot create ", args.out_dir, ": ", ec.message())));
  }
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.add_whitespace = true;
  json_options.always_print_primitive_fields = true;
  std::string json;
  if (auto st = google::protobuf::util::MessageToJsonString(result->report, &json, json_options);
      !st.ok()) {
    return PerfFail(absl::InternalError(std::string(st.message())));
  }
  const std::string perf_path = absl::StrCat(args.out_dir, "/perf.json");
  if (absl::Status st = WriteFile(perf_path, json); !st.ok()) return PerfFail(st);
  std::vector<std::string> written = {perf_path};
  for (size_t i = 0; i < result->traces.size(); ++i) {
    const std::string path =
        programs[i].segment.empty()
            ? absl::StrCat(args.out_dir, "/trace.json")
            : absl::StrCat(args.out_dir, "/trace_", programs[i].segment, ".json");
    if (absl::Status st = WriteFile(path, result->traces[i]); !st.ok()) return PerfFail(st);
    written.push_back(path);
  }
  std::printf("%s", sim::PerfSummaryText(result->report, args.layer_details).c_str());
  std::printf("wrote %s\n", absl::StrJoin(written, ", ").c_str());
  return 0;
}

}  // namespace openbpu::tools
