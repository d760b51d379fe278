// PassPipeline and the between-pass verifier.
#include "compiler/passes/pass_pipeline.h"

#include <algorithm>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::passes {
namespace {

// Keeps file names portable whatever the graph or pass is called.
std::string FileSafe(absl::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return out.empty() ? std::string("_") : out;
}

absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

// Whether `pass_name` is listed; "*" lists every pass when `star` is allowed.
bool Listed(const std::vector<std::string>& names, absl::string_view pass_name, bool star) {
  for (const std::string& n : names) {
    if (n == pass_name || (star && n == "*")) return true;
  }
  return false;
}

}  // namespace

absl::Status VerifyGraph(ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(graph.Verify());
  absl::flat_hash_map<const ir::Value*, ir::TensorType> recorded;
  for (const auto& v : graph.values()) {
    if (!v->is_constant() && v->type().known()) recorded[v.get()] = v->type();
  }
  ir::ShapeInferenceOptions options;
  options.fold_constants = false;
  OPENBPU_RETURN_IF_ERROR(ir::InferShapes(graph, options));
  for (const auto& v : graph.values()) {
    auto it = recorded.find(v.get());
    if (it == recorded.end() || it->second == v->type()) continue;
    return absl::InternalError(
        absl::StrCat("value '", v->name(), "' is recorded as ", ir::TensorTypeToString(it->second),
                     " but shape inference gives ", ir::TensorTypeToString(v->type())));
  }
  return absl::OkStatus();
}

absl::Status PassPipeline::CheckNames() const {
  std::vector<std::string> known;
  for (const auto& pass : passes_) known.emplace_back(pass->name());
  auto check = [&](const std::vector<std::string>& names, absl::string_view what,
                   bool allow_star) -> absl::Status {
    for (const std::string& n : names) {
      if (allow_star && n == "*") continue;
      if (std::find(known.begin(), known.end(), n) == known.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pipeline '", name_, "': ", what, " names unknown pass '", n,
            "' (passes: ", known.empty() ? std::string("none") : absl::StrJoin(known, ", "), ")"));
      }
    }
    return absl::OkStatus();
  };
  OPENBPU_RETURN_IF_ERROR(check(dump_after_, "DumpAfter", true));
  OPENBPU_RETURN_IF_ERROR(check(disabled_, "Disable", false));
  if (!dump_after_.empty() && !dump_callback_ && dump_directory_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pipeline '", name_, "': DumpAfter needs SetDumpCallback or SetDumpDirectory"));
  }
  return absl::OkStatus();
}

absl::Status PassPipeline::Dump(const ir::Graph& graph, int index,
                                absl::string_view pass_name) const {
  const std::string text = ir::PrintGraph(graph);
  if (dump_callback_) dump_callback_(pass_name, text);
  if (dump_directory_.empty()) return absl::OkStatus();
  const std::string path = absl::StrFormat("%s/%s.%02d.%s.txt", dump_directory_,
                                           FileSafe(graph.name()), index, FileSafe(pass_name));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write dump file '", path, "'"));
  return absl::OkStatus();
}

absl::StatusOr<bool> PassPipeline::Run(ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(CheckNames());
  if (absl::Status s = verifier_(graph); !s.ok()) {
    return Prefixed(s, absl::StrCat("pipeline '", name_, "': invalid input graph: "));
  }
  bool changed = false;
  for (size_t i = 0; i < passes_.size(); ++i) {
    GraphPass& pass = *passes_[i];
    if (Listed(disabled_, pass.name(), /*star=*/false)) continue;
    const std::string where = absl::StrCat("pipeline '", name_, "': pass '", pass.name(), "'");
    absl::StatusOr<bool> pass_changed = pass.Run(graph);
    if (!pass_changed.ok()) {
      if (!prefix_pass_errors_) return pass_changed.status();
      return Prefixed(pass_changed.status(), absl::StrCat(where, ": "));
    }
    changed |= *pass_changed;
    const absl::Status verified = verifier_(graph);
    if (Listed(dump_after_, pass.name(), /*star=*/true)) {
      if (absl::Status s = Dump(graph, static_cast<int>(i) + 1, pass.name()); !s.ok()) {
        return Prefixed(s, absl::StrCat(where, ": "));
      }
    }
    if (!verified.ok()) {
      return Prefixed(verified, absl::StrCat(where, " left an invalid graph: "));
    }
  }
  return changed;
}

}  // namespace openbpu::passes
